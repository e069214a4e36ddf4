import { Readable } from "node:stream";
import { fieldErrors, reportSpec } from "@reports/contracts";
import { attachmentDisposition } from "@reports/storage";
import { type Context, Hono } from "hono";
import type { AppEnv } from "./app";
import { ApiError } from "./errors";
import { isNdjson, receiveNdjson } from "./ndjson";
import { cancelReport, createReport, getReportStatus, renderNow } from "./service";

async function readJson(c: Context<AppEnv>): Promise<unknown> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new ApiError(
      "UNSUPPORTED_MEDIA_TYPE",
      "Send the report spec as JSON (Content-Type: application/json), or stream it as JSON Lines (application/x-ndjson) to /generate.",
    );
  }
  try {
    return await c.req.json();
  } catch {
    throw new ApiError("VALIDATION_FAILED", "The body is not valid JSON.");
  }
}

/**
 * `POST /generate`, `GET /status/:requestId`, `GET /reports/:requestId/download` (a 302 to a fresh
 * link), and `GET /files/*`, the signed links of the local file driver.
 */
export function restRoutes() {
  const app = new Hono<AppEnv>();

  app.post("/generate", async (c) => {
    if (isNdjson(c.req.header("content-type"))) {
      const { deps } = c.var;
      const received = await receiveNdjson(c.req.raw, deps.storage, {
        limits: deps.settings.limits,
        upload: deps.settings.upload,
      });
      const { spec, ...streamed } = received;
      const { result, replayed } = await createReport(
        deps,
        spec,
        { owner: c.var.owner, idempotencyKey: c.req.header("idempotency-key") },
        streamed,
      );
      c.header("Location", `/status/${result.requestId}`);
      if (replayed) c.header("Idempotent-Replayed", "true");
      return c.json(result, replayed ? 200 : 201);
    }
    const parsed = reportSpec.safeParse(await readJson(c));
    if (!parsed.success) {
      throw new ApiError("VALIDATION_FAILED", "The report spec is not valid.", fieldErrors(parsed.error.issues));
    }
    const { result, replayed } = await createReport(c.var.deps, parsed.data, {
      owner: c.var.owner,
      idempotencyKey: c.req.header("idempotency-key"),
    });
    c.header("Location", `/status/${result.requestId}`);
    if (replayed) c.header("Idempotent-Replayed", "true");
    return c.json(result, replayed ? 200 : 201);
  });

  app.post("/render", async (c) => {
    const parsed = reportSpec.safeParse(await readJson(c));
    if (!parsed.success) {
      throw new ApiError("VALIDATION_FAILED", "The report spec is not valid.", fieldErrors(parsed.error.issues));
    }
    const file = await renderNow(c.var.deps, parsed.data);
    return c.body(new Uint8Array(file.data), 200, {
      "Content-Type": file.contentType,
      "Content-Disposition": attachmentDisposition(file.fileName),
      "Cache-Control": "private, no-store",
    });
  });

  app.get("/status/:requestId", async (c) =>
    c.json(await getReportStatus(c.var.deps, c.req.param("requestId"), c.var.owner)),
  );

  app.post("/reports/:requestId/cancel", async (c) =>
    c.json(await cancelReport(c.var.deps, c.req.param("requestId"), c.var.owner)),
  );

  app.get("/reports/:requestId/download", async (c) => {
    const status = await getReportStatus(c.var.deps, c.req.param("requestId"), c.var.owner);
    if (status.status === "expired") {
      throw new ApiError(
        "GONE",
        `The file of report ${status.requestId} expired at ${status.expiredAt ?? "an earlier time"} and was removed; generate it again.`,
      );
    }
    if (status.status !== "done" || !status.url) {
      throw new ApiError("NOT_READY", `Report ${status.requestId} is ${status.status}, not done; poll its status.`);
    }
    c.header("Cache-Control", "private, no-store");
    return c.redirect(status.url, 302);
  });

  app.get("/files/*", async (c) => {
    const files = c.var.deps.localFiles;
    if (!files) throw new ApiError("NOT_FOUND", "No such file.");
    const key = fileKeyOf(c.req.path);
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

/** The storage key of a `/files/…` path; a 400 for malformed percent-encoding (`decodeURIComponent` throws). */
function fileKeyOf(path: string): string {
  try {
    return path.slice("/files/".length).split("/").map(decodeURIComponent).join("/");
  } catch {
    throw new ApiError("VALIDATION_FAILED", "The file path is not valid percent-encoding.", [
      { path: "path", message: "malformed percent-encoding" },
    ]);
  }
}
