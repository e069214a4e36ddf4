import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { INFRA } from "./paths";

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** `kubectl kustomize` of an overlay (kustomize v5 is built into kubectl), as parsed documents. */
export function buildOverlay(overlay: string): Manifest[] {
  const out = execFileSync("kubectl", ["kustomize", join(INFRA, "k8s", overlay)], { encoding: "utf8" });
  return parseAllDocuments(out).map((doc) => doc.toJS() as Manifest);
}

export function find<T = Manifest>(manifests: Manifest[], kind: string, name: string): T {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found as T;
}
