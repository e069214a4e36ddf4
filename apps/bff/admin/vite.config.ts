import { defineConfig } from "vite";

/** Where the Reports API runs in development; the dev server proxies tRPC to it. */
const api = process.env.REPORTS_API_URL ?? "http://127.0.0.1:3000";

/**
 * The operator dashboard, served by the BFF at `/admin` from `dist/` (no CDN, nothing inline: it works under the
 * BFF's strict Content-Security-Policy).
 */
export default defineConfig({
  root: import.meta.dirname,
  base: "/admin/",
  oxc: { jsx: { runtime: "automatic", importSource: "react" } },
  build: { outDir: "dist", emptyOutDir: true, assetsInlineLimit: 0 },
  server: { proxy: { "/trpc": api } },
});
