import { existsSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";

/** Where `pnpm --filter @reports/bff build` puts the dashboard (Vite, from `apps/bff/admin`). */
export const ADMIN_ASSETS_DIR = fileURLToPath(new URL("../../admin/dist", import.meta.url));

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Reports · Operations</title></head>
<body><h1>The dashboard is not built</h1>
<p>Run <code>pnpm --filter @reports/bff build</code> (the root <code>pnpm start</code> does), then reload.</p></body>
</html>`;

/**
 * The operator dashboard at `/admin`: static files only (its data comes through the `admin` tRPC procedures,
 * which require an operator), under a Content-Security-Policy that allows nothing but this origin: no inline
 * script or style, no CDN, no framing.
 */
export function adminPageRoutes(assetsDir = ADMIN_ASSETS_DIR) {
  const app = new Hono();
  app.use(
    "/admin/*",
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
      },
      referrerPolicy: "no-referrer",
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.get("/admin", (c) => c.redirect("/admin/", 308));
  // serveStatic resolves `root` from the working directory
  const root = relative(process.cwd(), assetsDir) || ".";
  app.use(
    "/admin/assets/*",
    serveStatic({
      root,
      rewriteRequestPath: (path) => path.replace(/^\/admin/, ""),
      onFound: (_path, c) => {
        // file names carry a content hash
        c.header("Cache-Control", "public, max-age=31536000, immutable");
      },
    }),
  );
  app.get(
    "/admin/*",
    serveStatic({
      root,
      path: "index.html",
      onFound: (_path, c) => {
        c.header("Cache-Control", "no-cache");
      },
    }),
  );
  app.get("/admin/*", (c) => c.html(NOT_BUILT, existsSync(assetsDir) ? 404 : 503));
  return app;
}
