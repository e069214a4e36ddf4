import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { interpolate } from "./support/interpolate";
import { INFRA } from "./support/paths";

// The compose-spec JSON schema, as the dclint package ships it (docker compose itself is not installable here).
const require = createRequire(import.meta.url);
const dclint = dirname(require.resolve("dclint/package.json"));
// Its "$schema" names draft-07 by an address ajv does not know; the schema itself is plain draft-07.
const { $schema: _, ...schema } = JSON.parse(readFileSync(join(dclint, "schemas/compose.schema.json"), "utf8"));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  environment?: Record<string, string>;
  deploy?: { replicas?: number | string };
  stop_grace_period?: string;
  restart?: string;
}

function loadCompose(file: string, env: Record<string, string> = {}) {
  const text = interpolate(readFileSync(join(INFRA, file), "utf8"), env);
  return parse(text, { merge: true }) as { services: Record<string, Service> };
}

describe("infra/compose.yaml", () => {
  const compose = loadCompose("compose.yaml");
  const { services } = compose;

  it("is valid against the compose specification", () => {
    validate(compose);
    expect(validate.errors ?? []).toEqual([]);
  });

  it("would fail the check with an unknown key or condition", () => {
    const broken = structuredClone(compose) as { services: Record<string, Record<string, unknown>> };
    broken.services.bff = {
      ...broken.services.bff,
      depends_on: { migrate: { condition: "service_done" } },
      helthcheck: {},
    };
    expect(validate(broken)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toEqual(
      expect.arrayContaining(["/services/bff", "/services/bff/depends_on/migrate/condition"]),
    );
  });

  it("has the backing services, the one-shots, the BFF and the workers", () => {
    expect(Object.keys(services).sort()).toEqual(
      ["bff", "migrate", "minio", "postgres", "rabbitmq", "redis", "storage-init", "worker"].sort(),
    );
    expect(services.rabbitmq?.image).toMatch(/-management$/);
  });

  it("health-checks every long-running service the apps depend on", () => {
    for (const name of ["postgres", "rabbitmq", "redis", "minio"]) {
      expect(services[name]?.healthcheck?.test[0], name).toBe("CMD");
    }
  });

  it("starts the apps only after the migrations and the bucket are done and the services are healthy", () => {
    for (const name of ["bff", "worker"]) {
      expect(services[name]?.depends_on, name).toEqual({
        migrate: { condition: "service_completed_successfully" },
        "storage-init": { condition: "service_completed_successfully" },
        rabbitmq: { condition: "service_healthy" },
        redis: { condition: "service_healthy" },
      });
    }
    expect(services.migrate?.depends_on).toEqual({ postgres: { condition: "service_healthy" } });
    expect(services["storage-init"]?.depends_on).toEqual({ minio: { condition: "service_healthy" } });
    expect(services.migrate?.restart).toBe("no");
  });

  it("builds the images from the repository root with the infra Dockerfiles", () => {
    expect(services.bff?.build).toEqual({ context: "..", dockerfile: "infra/docker/bff.Dockerfile" });
    expect(services.worker?.build).toEqual({ context: "..", dockerfile: "infra/docker/worker.Dockerfile" });
    expect(services.migrate?.image).toBe(services.bff?.image);
    expect(services.migrate?.command).toEqual(["node", "--enable-source-maps", "migrate-cli.mjs"]);
    expect(services["storage-init"]?.command).toEqual(["node", "--enable-source-maps", "storage-init.mjs"]);
  });

  it("runs N workers, each given longer to stop than its drain time", () => {
    expect(services.worker?.deploy?.replicas).toBe(2);
    expect(loadCompose("compose.yaml", { WORKER_REPLICAS: "5" }).services.worker?.deploy?.replicas).toBe(5);
    expect(Number.parseInt(services.worker?.stop_grace_period ?? "0", 10)).toBeGreaterThan(25);
  });
});
