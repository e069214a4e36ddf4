import { Readable } from "node:stream";
import { fieldErrors, reportSpec } from "@reports/contracts";
import { attachmentDisposition } from "@reports/storage";
import { type Context, Hono } from "hono";
import type { AppEnv } from "./app";
import { ApiError } from "./errors";
import { createReport, getReportStatus } from "./service";

async function readJson(c: Context<AppEnv>): Promise<unknown> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "Send the report spec as JSON with Content-Type: application/json.");
  }
  try {
    return await c.req.json();
  } catch {
    throw new ApiError("VALIDATION_FAILED", "The body is not valid JSON.");
  }
}

/** `POST /generate`, `GET /status/:requestId`, and the signed download route of the local file driver. */
export function restRoutes() {
  const app = new Hono<AppEnv>();

  app.post("/generate", async (c) => {
    const parsed = reportSpec.safeParse(await readJson(c));
    if (!parsed.success) {
      throw new ApiError("VALIDATION_FAILED", "The report spec is not valid.", fieldErrors(parsed.error.issues));
    }
    const result = await createReport(c.var.deps, parsed.data);
    c.header("Location", `/status/${result.requestId}`);
    return c.json(result, 201);
  });

  app.get("/status/:requestId", async (c) => c.json(await getReportStatus(c.var.deps, c.req.param("requestId"))));

  app.get("/files/*", async (c) => {
    const files = c.var.deps.localFiles;
    if (!files) throw new ApiError("NOT_FOUND", "No such file.");
    const key = c.req.path.slice("/files/".length).split("/").map(decodeURIComponent).join("/");
    const { expires, signature, name } = c.req.query();
    if (!expires || !signature || !name || !files.verify(key, Number(expires), signature, name)) {
      throw new ApiError("FORBIDDEN", "This download link is invalid or has expired; ask for the status again.");
    }
    const body = await files.get(key);
    if (!body) throw new ApiError("NOT_FOUND", "No such file.");
    return c.body(Readable.toWeb(body) as ReadableStream, 200, {
      "Content-Type": key.endsWith(".pdf")
        ? "application/pdf"
        : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "Content-Disposition": attachmentDisposition(name),
      "Cache-Control": "private, no-store",
    });
  });

  return app;
}
