import { ScaledObject, TriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { Job } from "kubernetes-models/batch/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Namespace, Secret, Service } from "kubernetes-models/v1";
import type { Manifest } from "./kustomize";

interface Model {
  validate(): void;
}

// kubernetes-models compiles the Kubernetes OpenAPI schemas (and KEDA's CRD schemas) into ajv validators.
const models: Record<string, new (data: never) => Model> = {
  "v1/Namespace": Namespace,
  "v1/ConfigMap": ConfigMap,
  "v1/Secret": Secret,
  "v1/Service": Service,
  "apps/v1/Deployment": Deployment,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "batch/v1/Job": Job,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "keda.sh/v1alpha1/ScaledObject": ScaledObject,
  "keda.sh/v1alpha1/TriggerAuthentication": TriggerAuthentication,
};

/** Schema errors of one manifest; an apiVersion/kind without a schema here is an error too. */
export function schemaErrors(manifest: Manifest): string | undefined {
  const key = `${manifest.apiVersion}/${manifest.kind}`;
  const Model = models[key];
  if (!Model) return `no schema for ${key}`;
  try {
    new Model(normalized(manifest) as never).validate();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

// kustomize wraps long base64 Secret values over lines; the API server's decoder skips the newlines, the format check does not.
function normalized(manifest: Manifest): Manifest {
  if (manifest.kind !== "Secret" || !manifest.data) return manifest;
  const data = Object.fromEntries(
    Object.entries(manifest.data as Record<string, string>).map(([k, v]) => [k, v.replace(/\s/g, "")]),
  );
  return { ...manifest, data };
}
