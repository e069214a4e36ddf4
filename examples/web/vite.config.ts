import { defineConfig } from "vite";

/** Where the Reports API runs; the dev and preview servers proxy to it, so the page calls its own origin. */
const api = process.env.REPORTS_API_URL ?? "http://127.0.0.1:3000";
const proxy = Object.fromEntries(["/trpc", "/status", "/generate", "/files"].map((path) => [path, api]));

export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "react" } },
  server: { proxy },
  preview: { proxy },
});
