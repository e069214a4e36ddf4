// The worker thread's entry. Node 20 cannot load TypeScript in a worker by itself: load the bundle that
// `pnpm --filter @reports/renderers build` makes (plain JavaScript: ~30 MB less per thread, a faster start) while
// it is newer than every file it was built from; otherwise register tsx here and load the sources.
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

// React's development build checks every element (~15% of a PDF render). This env is the thread's own copy.
process.env.NODE_ENV ??= "production";

const bundle = new URL("../dist/task.mjs", import.meta.url);

/** Whether the bundle exists and no source it was built from changed since (a stale bundle would hide edits). */
function bundleIsFresh() {
  try {
    const builtAt = statSync(bundle).mtimeMs;
    const inputs = JSON.parse(readFileSync(new URL("../dist/task.inputs.json", import.meta.url), "utf8"));
    return inputs.every((input) => statSync(input).mtimeMs <= builtAt);
  } catch {
    return false;
  }
}

async function load() {
  if (process.env.REPORTS_RENDER_SOURCES !== "1" && bundleIsFresh()) return import(bundle.href);
  const { register } = await import("tsx/esm/api");
  // This package's compiler options (JSX runtime) whatever the process's working directory is.
  register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
  return import("./task.ts");
}

const task = await load();

export default task.default;
