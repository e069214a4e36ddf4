import { describe, expect, it } from "vitest";
import { schemaErrors } from "./support/k8s-schemas";
import { strictTypeErrors } from "./support/k8s-types";
import { buildOverlay, find, type Manifest } from "./support/kustomize";

interface Container {
  name: string;
  image: string;
  ports?: Array<{ name: string; containerPort: number }>;
  command?: string[];
  env?: Array<{ name: string; value?: string }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  livenessProbe?: { httpGet: { path: string; port: string } };
  readinessProbe?: { httpGet: { path: string; port: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean };
}
interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean };
}
type Workload = Manifest & { spec: { replicas?: number; template: { spec: PodSpec } } };

const overlays = ["dev", "prod", "prod-hpa"] as const;
const built = Object.fromEntries(overlays.map((o) => [o, buildOverlay(`overlays/${o}`)])) as Record<
  (typeof overlays)[number],
  Manifest[]
>;

const podSpecs = (manifests: Manifest[]) =>
  manifests
    .filter((m): m is Workload => m.kind === "Deployment" || m.kind === "Job")
    .map((m) => ({ name: m.metadata.name, spec: m.spec.template.spec }));

describe.each(overlays)("Kubernetes overlay %s", (overlay) => {
  const manifests = built[overlay];

  it("validates every manifest against the Kubernetes (and KEDA) schemas", () => {
    const errors = manifests.flatMap((m) => {
      const error = schemaErrors(m);
      return error ? [`${m.kind}/${m.metadata.name}: ${error}`] : [];
    });
    expect(errors).toEqual([]);
    expect(manifests.length).toBeGreaterThanOrEqual(10);
  });

  it("names no field the Kubernetes (and KEDA) types do not have", () => {
    expect(strictTypeErrors(manifests)).toEqual([]);
  });

  it("puts everything in the overlay's namespace", () => {
    const namespace = find(manifests, "Namespace", overlay === "dev" ? "reports-dev" : "reports").metadata.name;
    for (const m of manifests.filter((m) => m.kind !== "Namespace")) {
      expect(m.metadata.namespace, `${m.kind}/${m.metadata.name}`).toBe(namespace);
    }
  });

  it("probes the BFF on /healthz and /readyz of the port it listens on", () => {
    const bff = find<Workload>(manifests, "Deployment", "reports-bff").spec.template.spec.containers[0];
    const port = bff?.ports?.find((p) => p.name === "http")?.containerPort;
    expect(String(port)).toBe(bff?.env?.find((e) => e.name === "PORT")?.value);
    expect(bff?.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(bff?.readinessProbe?.httpGet).toEqual({ path: "/readyz", port: "http" });
  });

  it("probes the worker on its health port, bound to all interfaces", () => {
    const worker = find<Workload>(manifests, "Deployment", "reports-worker").spec.template.spec.containers[0];
    const env = Object.fromEntries((worker?.env ?? []).map((e) => [e.name, e.value]));
    expect(env.WORKER_HEALTH_HOST).toBe("0.0.0.0");
    expect(String(worker?.ports?.find((p) => p.name === "health")?.containerPort)).toBe(env.WORKER_HEALTH_PORT);
    expect(worker?.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: "health" });
    expect(worker?.readinessProbe?.httpGet).toEqual({ path: "/readyz", port: "health" });
  });

  it("gives the worker more time to stop than it takes to drain", () => {
    const config = manifests.find((m) => m.kind === "ConfigMap") as Manifest & { data: Record<string, string> };
    const drainSeconds = Number(config.data.WORKER_DRAIN_MS) / 1000;
    const grace = find<Workload>(manifests, "Deployment", "reports-worker").spec.template.spec
      .terminationGracePeriodSeconds;
    // Draining, then releasing what is left and closing connections.
    expect(grace).toBeGreaterThanOrEqual(drainSeconds + 15);
  });

  it("sets requests and limits, and runs every container as non-root with a read-only root", () => {
    for (const { name, spec } of podSpecs(manifests)) {
      expect(spec.securityContext?.runAsNonRoot, name).toBe(true);
      for (const c of spec.containers) {
        expect(Object.keys(c.resources?.requests ?? {}).sort(), name).toEqual(["cpu", "memory"]);
        expect(c.resources?.limits?.memory, name).toBeDefined();
        expect(c.securityContext, name).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
        });
      }
    }
  });

  it("leaves the replica counts to the autoscalers", () => {
    for (const name of ["reports-bff", "reports-worker"]) {
      expect(find<Workload>(manifests, "Deployment", name).spec.replicas).toBeUndefined();
    }
    const hpa = find<Manifest & { spec: Record<string, unknown> }>(manifests, "HorizontalPodAutoscaler", "reports-bff");
    expect(hpa.spec.metrics).toEqual([
      { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } },
    ]);
  });

  it("guards both deployments with a PodDisruptionBudget", () => {
    for (const name of ["reports-bff", "reports-worker"]) {
      const pdb = find<Manifest & { spec: { selector: unknown } }>(manifests, "PodDisruptionBudget", name);
      expect(pdb.spec.selector).toEqual({ matchLabels: { "app.kubernetes.io/name": name } });
    }
  });

  it("runs the migrations as a Job with the BFF image", () => {
    const job = find<Workload>(manifests, "Job", "reports-migrate").spec.template.spec.containers[0];
    const bff = find<Workload>(manifests, "Deployment", "reports-bff").spec.template.spec.containers[0];
    expect(job?.image).toBe(bff?.image);
    expect(job?.command).toEqual(["node", "--enable-source-maps", "migrate-cli.mjs"]);
  });
});

describe("the schema check", () => {
  it("rejects a wrong type, a misspelt field and an unknown kind", () => {
    const container = { name: "bff", image: "reports-bff", ports: [{ containerPort: "http" }] };
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "broken" },
      spec: { selector: { matchLabels: {} }, template: { spec: { containers: [container] } } },
    };
    expect(schemaErrors(deployment)).toMatch(/containerPort must be integer/);
    const misspelt = structuredClone(deployment);
    Object.assign(misspelt.spec.template.spec.containers[0] ?? {}, {
      ports: [{ containerPort: 3000 }],
      readinesProbe: {},
    });
    expect(strictTypeErrors([misspelt])).toEqual([
      expect.stringMatching(/^Deployment\/broken: .*'"readinesProbe"' does not exist/),
    ]);
    expect(schemaErrors({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } })).toMatch(
      /no schema/,
    );
  });
});

describe("worker autoscaling", () => {
  type WithSpec = Manifest & { spec: Record<string, unknown> };

  it("scales on the work queue's depth with KEDA in dev and prod", () => {
    for (const overlay of ["dev", "prod"] as const) {
      expect(find<WithSpec>(built[overlay], "ScaledObject", "reports-worker").spec).toMatchObject({
        scaleTargetRef: { name: "reports-worker" },
        triggers: [
          {
            type: "rabbitmq",
            metadata: { queueName: "reports.generate", mode: "QueueLength" },
            authenticationRef: { name: "reports-rabbitmq" },
          },
        ],
      });
      expect(find<WithSpec>(built[overlay], "TriggerAuthentication", "reports-rabbitmq").spec).toEqual({
        secretTargetRef: [{ parameter: "host", name: "reports-secrets", key: "RABBITMQ_URL" }],
      });
    }
    // The sweeper runs in the workers: with none, a request whose publish failed would wait forever.
    expect(find<WithSpec>(built.dev, "ScaledObject", "reports-worker").spec.minReplicaCount).toBeGreaterThanOrEqual(1);
  });

  it("uses an HPA on the external queue metric instead in prod-hpa", () => {
    expect(built["prod-hpa"].filter((m) => m.apiVersion.startsWith("keda.sh/"))).toEqual([]);
    expect(find<WithSpec>(built["prod-hpa"], "HorizontalPodAutoscaler", "reports-worker").spec).toMatchObject({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "reports-worker" },
      maxReplicas: 30,
      metrics: [
        {
          type: "External",
          external: {
            metric: { name: "rabbitmq_queue_messages_ready", selector: { matchLabels: { queue: "reports.generate" } } },
          },
        },
      ],
    });
  });
});
