// @ts-check
/**
 * Builds an app into one self-contained directory (`dist/`) that runs with plain `node --enable-source-maps`:
 * - esbuild bundles the entries with the workspace packages and most libraries (one file to load, no tsx);
 * - files the sources reach with `new URL("…", import.meta.url)` (migrations, the dashboard, the render thread)
 *   are given a place beside the bundle, and the reference is rewritten to it;
 * - the few libraries that read their own files at run time (WebAssembly, font metrics, a worker file) stay
 *   external: @vercel/nft traces which of their files are needed, and they are copied into dist/node_modules as
 *   plain directories (no symlinks: a Lambda zip or a `COPY` keeps them as they are).
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { nodeFileTrace } from "@vercel/nft";
import { build } from "esbuild";

/**
 * @typedef {object} ThreadEntry A worker thread's module: the sources point at `reference` (a file name with
 *   `new URL(…, import.meta.url)`), the built output has `source` bundled there instead.
 * @property {string} name its file in dist: `<name>.mjs` (the environment, then `<name>.bundle.mjs`)
 * @property {string} reference the file the sources point at (absolute)
 * @property {string} source the thread's TypeScript entry (absolute)
 * @property {Record<string, string>} [env] set in the thread before the bundle loads, unless already set
 *
 * @typedef {object} AppBuild
 * @property {string} root the app's directory; `dist/` is made there
 * @property {Record<string, string>} entries output name → entry source (relative to root)
 * @property {Record<string, string>} [assets] file or directory the sources reference (absolute) → name in dist
 * @property {ThreadEntry[]} [threads]
 * @property {string[]} [external] packages loaded from dist/node_modules instead of bundled
 * @property {string[]} [exclude] optional dependencies of the externals left out, with their `<name>-<platform>`
 *   packages (native binaries: the output stays independent of the CPU architecture)
 * @property {Record<string, { from?: string, files: string[] }>} [packageFiles] package → files, directories or
 *   `dir/*.ext` of it copied as they are: what is reached in ways neither esbuild nor nft can see (`require.resolve` of a
 *   data file, a subpath import pattern). `from`: the workspace package that depends on it, for a package that
 *   is not otherwise traced
 */

const URL_REFERENCE = /new URL\(\s*(["'])(\.{1,2}\/[^"']*)\1\s*,\s*import\.meta\.url\s*\)/g;

/** @param {AppBuild} app */
export async function bundleApp(app) {
  const started = performance.now();
  const root = resolve(app.root);
  const dist = join(root, "dist");
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(dist, { recursive: true });

  const assets = new Map(Object.entries(app.assets ?? {}).map(([from, name]) => [resolve(from), name]));
  const threads = app.threads ?? [];
  for (const thread of threads) assets.set(resolve(thread.reference), `${thread.name}.mjs`);
  const externals = new Set(app.external ?? []);
  /** @type {Map<string, string>} external specifier → the file it resolves to */
  const externalEntries = new Map();

  const { metafile } = await build({
    absWorkingDir: root,
    entryPoints: {
      ...app.entries,
      ...Object.fromEntries(threads.map((t) => [`${t.name}.bundle`, t.source])),
    },
    outdir: dist,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    splitting: true,
    // chunks beside the entries: a `new URL("./x", import.meta.url)` means the same directory in every file
    chunkNames: "chunk-[hash]",
    platform: "node",
    format: "esm",
    target: "node20",
    jsx: "automatic",
    sourcemap: "linked",
    sourcesContent: false,
    // not keepNames: it wraps every function made at run time in a `__name()` call (Object.defineProperty), and Hono
    // makes a dozen closures per request (its Context's `json`, `text`, `header`…): 4.5% of the BFF's CPU under a
    // GET /status load in a profile. Our errors name themselves (`override readonly name`), so logs keep their
    // type; a library class renamed to avoid a clash in the bundle (`Hono2`) changes only its `.name`.
    keepNames: false,
    metafile: true,
    logLevel: "warning",
    // bundled CommonJS libraries call require() for Node's built-ins
    banner: {
      js: 'import { createRequire as __bundleCreateRequire } from "node:module"; const require = __bundleCreateRequire(import.meta.url);',
    },
    plugins: [
      {
        name: "external-packages",
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, async (args) => {
            const name = packageName(args.path);
            if (!externals.has(name) || args.pluginData === "external-lookup") return undefined;
            const found = await b.resolve(args.path, {
              kind: args.kind,
              resolveDir: args.resolveDir,
              pluginData: "external-lookup",
            });
            if (found.errors.length > 0) return { errors: found.errors };
            const known = externalEntries.get(args.path);
            if (known && realpathSync(known) !== realpathSync(found.path)) {
              return { errors: [{ text: `${args.path} resolves to two copies: ${known} and ${found.path}` }] };
            }
            externalEntries.set(args.path, found.path);
            return { path: args.path, external: true };
          });
        },
      },
      {
        name: "file-references",
        setup(b) {
          b.onLoad({ filter: /\.(m?js|tsx?)$/ }, (args) => {
            if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
            const source = readFileSync(args.path, "utf8");
            if (!source.includes("import.meta.url")) return undefined;
            /** @type {import("esbuild").PartialMessage[]} */
            const errors = [];
            const contents = source.replace(URL_REFERENCE, (whole, _quote, reference) => {
              const target = resolve(dirname(args.path), reference);
              const name = assets.get(target);
              if (name === undefined) {
                errors.push({
                  text: `${relative(root, args.path)} references ${reference} (${target}), which has no place in the built output: add it to the build's assets`,
                });
                return whole;
              }
              return `new URL(${JSON.stringify(`./${name}`)}, import.meta.url)`;
            });
            const loader = /** @type {"ts" | "tsx" | "js"} */ (args.path.match(/\.(tsx?)$/)?.[1] ?? "js");
            return { contents, loader, errors };
          });
        },
      },
    ],
  });

  for (const thread of threads) {
    const setEnv = Object.entries(thread.env ?? {})
      .map(([key, value]) => `process.env.${key} ??= ${JSON.stringify(value)};\n`)
      .join("");
    writeFileSync(
      join(dist, `${thread.name}.mjs`),
      `// The worker thread's entry: its environment first, then the bundle (static imports would load before it).\n${setEnv}const task = await import("./${thread.name}.bundle.mjs");\nexport default task.default;\n`,
    );
  }
  const threadFiles = new Set(threads.map((t) => resolve(t.reference)));
  for (const [from, name] of assets) {
    if (threadFiles.has(from)) continue;
    if (!existsSync(from)) throw new Error(`asset ${from} does not exist (is it built?)`);
    cpSync(from, join(dist, name), { recursive: true });
  }

  const copied = await copyExternals(
    root,
    dist,
    [...externalEntries.values()],
    app.packageFiles ?? {},
    app.exclude ?? [],
  );
  writeFileSync(join(dist, "package.json"), `${JSON.stringify({ type: "module", private: true }, null, 2)}\n`);

  const bytes = Object.values(metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
  console.log(
    `${relative(process.cwd(), dist) || "dist"}: ${Object.keys(app.entries).join(", ")}${threads.length ? ` + ${threads.length} thread` : ""} (${mb(bytes)} of JavaScript and maps), ${copied.packages} packages in node_modules (${mb(copied.bytes)}), in ${Math.round(performance.now() - started)} ms`,
  );
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier) {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
}

/** The directory of the package a file belongs to (the nearest package.json with a name, inside node_modules). */
function packageRootOf(file) {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const parent = dirname(dir);
    const inNodeModules =
      parent.endsWith(`${sep}node_modules`) ||
      (parent.split(sep).at(-1)?.startsWith("@") && dirname(parent).endsWith(`${sep}node_modules`));
    if (inNodeModules && existsSync(join(dir, "package.json"))) return dir;
  }
  throw new Error(`${file} belongs to no package`);
}

/**
 * Copies the files nft traces from the external entries, one plain directory per package, laid out as npm's
 * hoisted node_modules: each package at the top unless another version is there, then under its dependent.
 */
async function copyExternals(root, dist, entries, packageFiles, exclude) {
  const base = realpathSync(join(root, "../.."));
  const { fileList } = await nodeFileTrace(
    entries.map((e) => realpathSync(e)),
    { base, processCwd: root },
  );
  const traced = [...fileList].map((f) => join(base, f));
  /** The directory of a package `packageFiles` names: resolved from `from`, or the traced copy of it. */
  const packageDirOf = (name, from) => {
    if (from)
      return packageRootOf(realpathSync(createRequire(join(from, "package.json")).resolve(`${name}/package.json`)));
    const file = traced.find((f) => f.includes(`${sep}node_modules${sep}${name}${sep}`));
    if (!file) throw new Error(`packageFiles: ${name} is not traced; say which workspace package it comes \`from\``);
    return packageRootOf(realpathSync(file));
  };
  const extraFiles = Object.entries(packageFiles).flatMap(([name, { from, files }]) => {
    const dir = packageDirOf(name, from);
    return files.flatMap((file) => {
      // `dir/*.ext`: the files of a directory with that extension
      const star = file.indexOf("*");
      if (star >= 0) {
        const suffix = file.slice(star + 1);
        return readdirSync(join(dir, dirname(file)))
          .filter((f) => f.endsWith(suffix))
          .map((f) => join(dir, dirname(file), f));
      }
      return statSync(join(dir, file)).isDirectory()
        ? readdirSync(join(dir, file), { recursive: true }).map((f) => join(dir, file, String(f)))
        : [join(dir, file)];
    });
  });
  /** @type {Map<string, Set<string>>} package directory (real) → its files to copy (relative) */
  const packages = new Map();
  for (const file of traced.concat(extraFiles)) {
    if (!statSync(file).isFile()) continue;
    const real = realpathSync(file);
    if (!real.includes(`${sep}node_modules${sep}`)) continue;
    const dir = packageRootOf(real);
    // with its platform packages (`@napi-rs/nice-linux-x64-gnu`)
    const name = relative(dir.slice(0, dir.lastIndexOf(`${sep}node_modules${sep}`) + 13), dir);
    if (exclude.some((excluded) => name === excluded || name.startsWith(`${excluded}-`))) continue;
    const files = packages.get(dir) ?? new Set();
    files.add(relative(dir, real));
    files.add("package.json");
    packages.set(dir, files);
  }

  const nodeModules = join(dist, "node_modules");
  /** @type {Map<string, string>} place in dist → package directory (real) */
  const placed = new Map();
  const nameOf = (dir) => JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name;
  /** Where Node would find `name` from a package placed at `from` (undefined: nowhere yet). */
  const lookup = (name, from) => {
    for (let dir = from; dir.length >= dist.length; dir = dirname(dir)) {
      if (dir.endsWith(`${sep}node_modules`)) continue;
      const candidate = join(dir, "node_modules", name);
      if (placed.has(candidate)) return candidate;
    }
    return undefined;
  };
  const queue = [];
  for (const entry of entries) {
    const dir = packageRootOf(realpathSync(entry));
    const place = join(nodeModules, nameOf(dir));
    if (!placed.has(place)) {
      placed.set(place, dir);
      queue.push(place);
    }
  }
  for (const [name, { from }] of Object.entries(packageFiles)) {
    if (!from) continue; // placed with the package that depends on it
    placed.set(join(nodeModules, name), packageDirOf(name, from));
  }
  while (queue.length > 0) {
    const place = /** @type {string} */ (queue.shift());
    const dir = /** @type {string} */ (placed.get(place));
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    const siblings = dir.slice(0, dir.lastIndexOf(`${sep}node_modules${sep}`) + "/node_modules".length);
    for (const name of Object.keys({
      ...manifest.dependencies,
      ...manifest.optionalDependencies,
      ...manifest.peerDependencies,
    })) {
      const link = join(siblings, name);
      if (!existsSync(link)) continue;
      const depDir = realpathSync(link);
      if (!packages.has(depDir)) continue; // nothing of it is reached at run time, or excluded
      const found = lookup(name, place);
      if (found && placed.get(found) === depDir) continue;
      // another version is in the way: this one goes under its dependent
      const at = found === undefined ? join(nodeModules, name) : join(place, "node_modules", name);
      placed.set(at, depDir);
      queue.push(at);
    }
  }

  let bytes = 0;
  const placedDirs = new Set(placed.values());
  for (const dir of packages.keys()) {
    if (!placedDirs.has(dir)) throw new Error(`${dir} is traced but no placed package depends on it`);
  }
  for (const [place, dir] of placed) {
    for (const file of packages.get(dir) ?? []) {
      mkdirSync(dirname(join(place, file)), { recursive: true });
      cpSync(join(dir, file), join(place, file));
      bytes += statSync(join(dir, file)).size;
    }
  }
  return { packages: placed.size, bytes };
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
