import { execSync } from "node:child_process";
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildStageCommands } from "./build-steps";

const ROOT = join(import.meta.dirname, "../..");

function run(command: string, cwd: string) {
  execSync(command, { cwd, stdio: "pipe", env: { ...process.env, CI: "true", TURBO_TELEMETRY_DISABLED: "1" } });
}

/**
 * What the Dockerfile's build stage leaves in /app, made in `dir` with the same steps:
 * turbo prune, the lockfile-only fetch, the offline install, the build, the production-only install.
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
  run(steps.production, tree);
  return tree;
}

/**
 * The BFF's Lambda package in `outputDir`: the image's production tree, reinstalled without symlinked
 * dependencies (Lambda zips follow links) for Linux x64 (tsx's esbuild binary), plus the handler shim.
 */
export function packageBffLambda(outputDir: string): void {
  const work = mkdtempSync(join(tmpdir(), "reports-lambda-"));
  try {
    const tree = buildImageTree("bff", work);
    appendFileSync(
      join(tree, "pnpm-workspace.yaml"),
      "supportedArchitectures:\n  os: [linux]\n  cpu: [x64]\n  libc: [glibc]\n",
    );
    run(
      "rm -rf node_modules apps/*/node_modules packages/*/node_modules && pnpm install --prefer-offline --frozen-lockfile --prod --config.node-linker=hoisted",
      tree,
    );
    cpSync(join(ROOT, "infra/aws/lambda/bff-entry.mjs"), join(tree, "apps/bff/lambda-entry.mjs"));
    cpSync(tree, outputDir, { recursive: true, verbatimSymlinks: true });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
