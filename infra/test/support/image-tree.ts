import { execSync } from "node:child_process";
import { cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { buildStageCommands } from "./image-steps";
import { ROOT } from "./paths";

/**
 * What the Dockerfile's build stage leaves in /app, made in `dir` with the same steps:
 * turbo prune, the lockfile-only fetch, the offline install, the build, the production-only install.
 */
export function buildImageTree(app: "bff" | "worker", dir: string): string {
  const pruned = join(dir, "pruned");
  const tree = join(dir, "app");
  const run = (command: string, cwd: string) =>
    execSync(command, { cwd, stdio: "pipe", env: { ...process.env, CI: "true", TURBO_TELEMETRY_DISABLED: "1" } });
  const steps = buildStageCommands(app);

  run(`pnpm exec turbo prune @reports/${app} --docker --out-dir ${pruned}`, ROOT);
  mkdirSync(tree);
  for (const file of ["pnpm-lock.yaml", "pnpm-workspace.yaml"]) cpSync(join(pruned, file), join(tree, file));
  run(steps.fetch, tree);
  cpSync(join(pruned, "json"), tree, { recursive: true });
  run(steps.install, tree);
  cpSync(join(pruned, "full"), tree, { recursive: true });
  cpSync(join(ROOT, "tsconfig.base.json"), join(tree, "tsconfig.base.json"));
  run(steps.build, tree);
  run(steps.production, tree);
  return tree;
}
