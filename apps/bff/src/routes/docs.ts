import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Hono } from "hono";

const swaggerDir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Reports API</title><link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="docs"></div><script src="/docs/swagger-ui-bundle.js"></script><script src="/docs/init.js"></script></body>
</html>`;

const INIT = `window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#docs", deepLinking: true });`;

/**
 * `/openapi.json` (the document `document` gives, generated from the route definitions) and `/docs`: Swagger UI
 * served from the package itself, so it works offline and under a strict CSP.
 */
export function docsRoutes(document: () => object) {
  const app = new Hono();
  // frame-ancestors: the page must not be framed by another site (clickjacking)
  const csp = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";
  app.get("/openapi.json", (c) => c.json(document()));
  app.get("/docs", (c) => c.html(PAGE, 200, { "Content-Security-Policy": csp }));
  app.get("/docs/init.js", (c) => c.body(INIT, 200, { "Content-Type": "text/javascript" }));
  for (const [file, type] of [
    ["swagger-ui.css", "text/css"],
    ["swagger-ui-bundle.js", "text/javascript"],
  ] as const) {
    app.get(`/docs/${file}`, async (c) =>
      c.body(await readFile(join(swaggerDir, file)), 200, {
        "Content-Type": type,
        "Cache-Control": "public, max-age=86400",
      }),
    );
  }
  return app;
}
