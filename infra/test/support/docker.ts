import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { INFRA, ROOT } from "./paths";

// Debian's client: a newer `docker` first on the PATH may want buildx.
const DOCKER = "/usr/bin/docker";

/** Runs the Docker client; returns its standard output. */
export function docker(args: string[], options: { timeoutMs?: number } = {}): string {
  return execFileSync(DOCKER, args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, DOCKER_BUILDKIT: "1" },
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
}

/**
 * Builds `infra/docker/<app>.Dockerfile` from the repository root, as a user would. Where the registry is reached
 * through an extra CA (NODE_EXTRA_CA_CERTS), the CA goes in as a BuildKit secret, never into a layer.
 */
export function buildImage(app: "bff" | "worker", tag: string): void {
  const ca = process.env.NODE_EXTRA_CA_CERTS;
  const caArgs = ca ? ["--secret", `id=ca,src=${ca}`, "--build-arg", "NODE_EXTRA_CA_CERTS=/run/secrets/ca"] : [];
  try {
    docker(
      [
        "build",
        "--network",
        "host",
        "--progress",
        "plain",
        "-f",
        `infra/docker/${app}.Dockerfile`,
        "-t",
        tag,
        ...caArgs,
        ROOT,
      ],
      { timeoutMs: 1_200_000 },
    );
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`docker build ${app} failed:\n${stderr?.slice(-4000)}`);
  }
}

/** Bytes of an image (all its layers). */
export const imageBytes = (image: string) => Number(docker(["image", "inspect", "-f", "{{.Size}}", image]).trim());

/** The options every container of the test runs with: as the Kubernetes manifests run them, on loopback. */
export const RUN_AS_KUBERNETES = [
  "--network",
  "host",
  "--read-only",
  "--user",
  "1000:1000",
  "--cap-drop",
  "ALL",
  "--security-opt",
  "no-new-privileges",
];

export const envArgs = (env: Record<string, string>) => Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);

/** A one-shot service's command from infra/compose.yaml, as the image runs it. */
export function composeCommand(service: string): string[] {
  const compose = parse(readFileSync(join(INFRA, "compose.yaml"), "utf8"), { merge: true });
  return compose.services[service].command as string[];
}
