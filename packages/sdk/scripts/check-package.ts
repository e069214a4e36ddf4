/**
 * Checks the package as it would be published: packs it (`pnpm pack` applies `publishConfig`), lints the
 * tarball with publint and @arethetypeswrong/cli, makes sure it depends on no workspace package, and
 * holds the bundle to its size budget (minified + gzipped, as a browser app would ship it).
 *
 * Run after `pnpm --filter @reports/sdk build`.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

/**
 * The budget for everything a browser app ships of the SDK (its tRPC client and EventSource included).
 * 17 KB → 18 KB with streamed reports (JSON Lines through CompressionStream, retries of a replayable body:
 * about 1.2 KB) and the browser's CORS explanation on network errors (about 0.3 KB).
 */
const BUDGET_MIN_GZ_BYTES = 18 * 1024;

const sdkDir = fileURLToPath(new URL("..", import.meta.url));
if (!existsSync(join(sdkDir, "dist/index.js"))) {
  console.error("no dist/: run `pnpm --filter @reports/sdk build` first");
  process.exit(1);
}
const run = (command: string, args: string[]) =>
  execFileSync(command, args, { cwd: sdkDir, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });

const outDir = mkdtempSync(join(tmpdir(), "reports-sdk-pack-"));
try {
  run("pnpm", ["pack", "--pack-destination", outDir]);
  const tarball = join(outDir, readdirSync(outDir).find((f) => f.endsWith(".tgz")) ?? "");
  console.log(run("publint", ["run", tarball, "--strict"]).trim());
  console.log(run("attw", [tarball, "--format", "table-flipped"]).trim());

  run("tar", ["xzf", tarball, "-C", outDir]);
  const manifest = JSON.parse(readFileSync(join(outDir, "package/package.json"), "utf8"));
  const runtime = { ...manifest.dependencies, ...manifest.peerDependencies };
  if (Object.keys(runtime).length > 0) throw new Error(`runtime dependencies in the package: ${Object.keys(runtime)}`);
  const declarations = readFileSync(join(outDir, "package/dist/index.d.ts"), "utf8");
  if (/^(import|export)\b[^\n]*\bfrom\s+["']|\bimport\(["']/m.test(declarations))
    throw new Error("dist/index.d.ts imports another module");

  const bundle = await build({
    entryPoints: [join(sdkDir, "dist/index.js")],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
  });
  const minified = bundle.outputFiles[0]?.contents ?? new Uint8Array();
  const gzipped = gzipSync(minified, { level: 9 }).byteLength;
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log(
    `size: ${kb(minified.byteLength)} minified, ${kb(gzipped)} min+gz (budget ${kb(BUDGET_MIN_GZ_BYTES)}); tarball ${kb(statSync(tarball).size)}`,
  );
  if (gzipped > BUDGET_MIN_GZ_BYTES) throw new Error(`over the size budget by ${gzipped - BUDGET_MIN_GZ_BYTES} bytes`);
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
