// @ts-check
// What each app's built output holds. Every app runs render threads (the BFF for its small synchronous renders).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const repo = (path) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/** The Noto fonts packages/renderers/src/font-chain.ts resolves by name (regular and bold TTFs, and licenses). */
const notoFonts = Object.fromEntries(
  Object.keys(JSON.parse(readFileSync(repo("packages/renderers/package.json"), "utf8")).dependencies)
    .filter((name) => name.startsWith("@expo-google-fonts/"))
    .map((name) => [
      name,
      { from: repo("packages/renderers"), files: ["400Regular/*.ttf", "700Bold/*.ttf", "LICENSE", "LICENSE_FONT"] },
    ]),
);

/** The render thread: the pool points at render-task.mjs; the built output loads the bundled task there. */
const renderThread = {
  name: "render-task",
  reference: repo("packages/renderers/src/render-task.mjs"),
  source: repo("packages/renderers/src/task.ts"),
  // React's development build checks every element (~15% of a PDF render)
  env: { NODE_ENV: "production" },
};

/** Libraries that read their own files at run time: loaded from dist/node_modules, not bundled. */
const external = [
  "@electric-sql/pglite", // its WebAssembly and data files
  "@react-pdf/renderer", // pdfkit's font metrics, and React with it (one copy of React)
  "react",
  "piscina", // its worker file
  "yazl", // patched in place with Node's crc32 (packages/renderers/src/zip.ts)
];

const common = {
  // piscina's optional thread-priority binding (a native binary): we never set niceIncrement
  exclude: ["@napi-rs/nice"],
  assets: { [repo("packages/db/migrations")]: "migrations" },
  threads: [renderThread],
  external,
  packageFiles: {
    // React-PDF's default font: pdfkit loads it through a subpath import pattern (#standard-fonts/*)
    pdfkit: { files: ["js/standard-fonts"] },
    // resolved with require.resolve by packages/renderers/src/font-chain.ts
    ...notoFonts,
    "dejavu-fonts-ttf": {
      from: repo("packages/renderers"),
      files: ["ttf/DejaVuSans.ttf", "ttf/DejaVuSans-Bold.ttf", "LICENSE"],
    },
  },
};

const bffFiles = {
  assets: { ...common.assets, [repo("apps/bff/admin/dist")]: "admin" },
  packageFiles: {
    ...common.packageFiles,
    // served at /docs by apps/bff/src/routes/docs.ts
    "swagger-ui-dist": { from: repo("apps/bff"), files: ["swagger-ui.css", "swagger-ui-bundle.js", "LICENSE"] },
  },
};

/** @type {Record<string, import("./index.mjs").AppBuild>} */
export const apps = {
  bff: {
    root: repo("apps/bff"),
    entries: {
      main: "src/main.ts",
      lambda: "src/lambda.ts",
      "keys-cli": "src/keys-cli.ts",
      "migrate-cli": "../../packages/db/src/migrate-cli.ts",
      "storage-init": "scripts/storage-init.ts",
    },
    ...common,
    ...bffFiles,
  },
  worker: {
    root: repo("apps/worker"),
    entries: { main: "src/main.ts", "replay-cli": "src/replay-cli.ts" },
    ...common,
  },
  standalone: {
    root: repo("apps/standalone"),
    entries: { main: "src/main.ts" },
    ...common,
    ...bffFiles,
  },
};
