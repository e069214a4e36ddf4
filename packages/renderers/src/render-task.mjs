// The worker thread's entry. Node 20 cannot load TypeScript in a worker by itself: register tsx here, then load the task.
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

// React's development build checks every element (~15% of a PDF render). This env is the thread's own copy.
process.env.NODE_ENV ??= "production";
// This package's compiler options (JSX runtime) whatever the process's working directory is.
register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
const task = await import("./task.ts");

export default task.default;
