/**
 * The manifest a packed tarball carries, whichever tool packs it. In the workspace `exports` points at the
 * TypeScript source (so tests and apps need no build); the published fields live in `publishConfig`, which
 * pnpm applies by itself but npm does not. `prepack` runs `apply` (publishConfig's manifest fields moved to
 * the top, devDependencies dropped, the original kept aside) and `postpack` runs `restore`.
 *
 *   tsx scripts/pack-manifest.ts apply | restore
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const sdkDir = fileURLToPath(new URL("..", import.meta.url));
const manifestPath = join(sdkDir, "package.json");
/** Under node_modules: never committed, and out of the tarball. */
const backupPath = join(sdkDir, "node_modules/.cache/package.json.prepack");

/** publishConfig keys that configure the registry client rather than override the manifest. */
const REGISTRY_SETTINGS = new Set(["access", "provenance", "registry", "tag", "directory"]);

function restore(): void {
  if (existsSync(backupPath)) renameSync(backupPath, manifestPath);
}

function apply(): void {
  restore(); // a pack that failed half-way left the rewritten manifest behind
  const text = readFileSync(manifestPath, "utf8");
  const manifest = JSON.parse(text) as Record<string, unknown> & { publishConfig?: Record<string, unknown> };
  const publish = manifest.publishConfig ?? {};
  const overrides = Object.entries(publish).filter(([key]) => !REGISTRY_SETTINGS.has(key));
  const published: Record<string, unknown> = { ...manifest, ...Object.fromEntries(overrides) };
  published.publishConfig = Object.fromEntries(Object.entries(publish).filter(([key]) => REGISTRY_SETTINGS.has(key)));
  delete published.devDependencies; // workspace links mean nothing outside the monorepo
  mkdirSync(dirname(backupPath), { recursive: true });
  writeFileSync(backupPath, text);
  writeFileSync(manifestPath, `${JSON.stringify(published, null, 2)}\n`);
}

const command = process.argv[2];
if (command === "apply") apply();
else if (command === "restore") restore();
else {
  console.error("usage: tsx scripts/pack-manifest.ts apply | restore");
  process.exit(1);
}
