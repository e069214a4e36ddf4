// Bundles the render thread's code (this package and @reports/contracts) into dist/task.mjs, so a thread loads
// plain JavaScript instead of registering tsx: ~30 MB less per thread and a faster start. Libraries stay
// external (resolved from this package at run time). src/render-task.mjs uses the bundle while it is newer than
// every file it was built from, and the TypeScript sources otherwise.
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const { metafile } = await build({
  absWorkingDir: root,
  entryPoints: ["src/task.ts"],
  outfile: "dist/task.mjs",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  jsx: "automatic",
  metafile: true,
  // everything from node_modules stays a plain import; only workspace TypeScript is bundled
  plugins: [
    {
      name: "external-packages",
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith("@reports/") ? undefined : { path: args.path, external: true },
        );
      },
    },
  ],
  logLevel: "warning",
});
const inputs = Object.keys(metafile.inputs).map((input) => fileURLToPath(new URL(input, `file://${root}/`)));
await writeFile(new URL("../dist/task.inputs.json", import.meta.url), `${JSON.stringify(inputs, null, 1)}\n`);
console.log(`dist/task.mjs from ${inputs.length} files`);
