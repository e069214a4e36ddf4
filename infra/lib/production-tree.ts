import { execSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildStageCommands } from "./build-steps";

const ROOT = join(import.meta.dirname, "../..");

function run(command: string, cwd: string) {
  execSync(command, { cwd, stdio: "pipe", env: { ...process.env, CI: "true", TURBO_TELEMETRY_DISABLED: "1" } });
}

/**
 * What the Dockerfile's runtime stage copies from its build stage (`apps/<app>/dist`), made in `dir` with the same
 * steps: turbo prune, the lockfile-only fetch, the offline install, the build. Returns the built app's directory.
 */
export function buildImageTree(app: "bff" | "worker", dir: string): string {
  const pruned = join(dir, "pruned");
  const tree = join(dir, "app");
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
  return join(tree, "apps", app, "dist");
}

/**
 * The BFF's Lambda package in `outputDir`: the image's built app (handler `lambda.handler`). It holds JavaScript,
 * WebAssembly and data files only, no native binary, so one package runs on arm64 and x86_64 alike.
 */
export function packageBffLambda(outputDir: string): void {
  const work = mkdtempSync(join(tmpdir(), "reports-lambda-"));
  try {
    cpSync(buildImageTree("bff", work), outputDir, { recursive: true });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
