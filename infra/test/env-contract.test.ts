import { readFileSync } from "node:fs";
import { join } from "node:path";
import { serviceEnv } from "@reports/contracts";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
// The apps are not root dependencies on purpose: turbo prune would then put every app into every image.
import { bffSettings, checkAuthSettings } from "../../apps/bff/src/index";
import { workerSettings } from "../../apps/worker/src/index";
import { interpolate } from "./support/interpolate";
import { buildOverlay, find, type Manifest } from "./support/kustomize";
import { INFRA } from "./support/paths";

const bffEnv = serviceEnv.extend(bffSettings.shape).superRefine(checkAuthSettings);
const workerEnv = serviceEnv.extend(workerSettings.shape);
const known = new Set([
  ...Object.keys(serviceEnv.shape),
  ...Object.keys(bffSettings.shape),
  ...Object.keys(workerSettings.shape),
]);
// What the Dockerfiles' runtime stages set with ENV.
const image = {
  bff: { NODE_ENV: "production", HOST: "0.0.0.0", PORT: "3000" },
  worker: { NODE_ENV: "production", WORKER_HEALTH_HOST: "0.0.0.0", WORKER_HEALTH_PORT: "9464" },
};

function problems(result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }) {
  return result.success ? [] : (result.error?.issues ?? []).map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("the settings the deployment files give the apps", () => {
  it("are ones the apps accept, in compose", () => {
    const compose = parse(interpolate(readFileSync(join(INFRA, "compose.yaml"), "utf8"), {}), { merge: true });
    const env = (service: string): Record<string, string> => compose.services[service].environment;
    expect(problems(bffEnv.safeParse({ ...image.bff, ...env("bff") }))).toEqual([]);
    expect(problems(workerEnv.safeParse({ ...image.worker, ...env("worker") }))).toEqual([]);
    expect([...Object.keys(env("bff")), ...Object.keys(env("worker"))].filter((k) => !known.has(k))).toEqual([]);
  });

  it.each(["dev", "prod"])("are ones the apps accept, in the %s overlay", (overlay) => {
    const manifests = buildOverlay(`overlays/${overlay}`);
    const config = (manifests.find((m) => m.kind === "ConfigMap") as Manifest & { data: Record<string, string> }).data;
    const secret =
      overlay === "dev"
        ? Object.fromEntries(
            Object.entries(
              find<Manifest & { data: Record<string, string> }>(manifests, "Secret", "reports-secrets").data,
            ).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]),
          )
        : Object.fromEntries(
            readFileSync(join(INFRA, "k8s/overlays/prod/secret.example.env"), "utf8")
              .trim()
              .split("\n")
              .map((line) => line.split(/=(.*)/s).slice(0, 2)),
          );
    const containerEnv = (name: string) =>
      Object.fromEntries(
        (
          find<
            Manifest & {
              spec: { template: { spec: { containers: Array<{ env?: Array<{ name: string; value: string }> }> } } };
            }
          >(manifests, "Deployment", name).spec.template.spec.containers[0]?.env ?? []
        ).map((e) => [e.name, e.value]),
      );
    expect(problems(bffEnv.safeParse({ ...image.bff, ...config, ...secret, ...containerEnv("reports-bff") }))).toEqual(
      [],
    );
    expect(
      problems(workerEnv.safeParse({ ...image.worker, ...config, ...secret, ...containerEnv("reports-worker") })),
    ).toEqual([]);
    expect([...Object.keys(config), ...Object.keys(secret)].filter((k) => !known.has(k))).toEqual([]);
  });
});
