import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { execForm, parseDockerfile } from "./dockerfile";
import { INFRA } from "./paths";

/**
 * A one-shot service's command from infra/compose.yaml, run in the tree as the image would run it
 * (WORKDIR apps/bff, /app being the tree); returns its standard output.
 */
export function runComposeCommand(service: string, tree: string, env: Record<string, string>): string {
  const compose = parse(readFileSync(join(INFRA, "compose.yaml"), "utf8"), { merge: true });
  const [program, ...args] = (compose.services[service].command as string[]).map((a) =>
    a.replaceAll("/app/", `${tree}/`),
  );
  if (program !== "node") throw new Error(`${service}: expected a node command, got ${program}`);
  return execFileSync(process.execPath, args, {
    cwd: join(tree, "apps/bff"),
    encoding: "utf8",
    env: { PATH: process.env.PATH, NODE_ENV: "production", ...env },
  });
}

/** The Dockerfile's HEALTHCHECK command, run in the tree; returns its exit code. */
export function runHealthcheck(app: "bff" | "worker", tree: string, env: Record<string, string>): number {
  const { stages } = parseDockerfile(join(INFRA, "docker", `${app}.Dockerfile`));
  const healthcheck = stages.at(-1)?.instructions.find((i) => i.keyword === "HEALTHCHECK");
  const [program, ...args] = execForm(healthcheck?.args ?? "[]");
  if (program !== "node") throw new Error(`${app}: expected a node health check, got ${program}`);
  const result = spawnSync(process.execPath, args, {
    cwd: join(tree, `apps/${app}`),
    env: { PATH: process.env.PATH, ...env },
  });
  return result.status ?? -1;
}
