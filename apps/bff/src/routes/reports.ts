import { Readable } from "node:stream";
import { createRoute, z } from "@hono/zod-openapi";
import {
  fieldErrors,
  type GenerateFromDefinition,
  generateFromDefinition,
  namesDefinition,
  type ReportStatus,
} from "@reports/contracts";
import type { RenderedFile } from "@reports/renderers";
import { attachmentDisposition } from "@reports/storage";
import type { Context, TypedResponse } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { requestHash, resolveRequest } from "../definitions/service";
import { ApiError } from "../http/errors";
import { isNdjson, receiveNdjson } from "../reports/ndjson";
import { RowAccount } from "../reports/row-budget";
import {
  cancelReport,
  createReport,
  deleteInput,
  getReportStatus,
  isReplay,
  renderNow,
  statusJson,
} from "../reports/service";
import {
  AUTH_FAILURES,
  BEARER,
  EXAMPLE_SPEC,
  GenerateBodySchema,
  GenerateResultSchema,
  openApiRouter,
  problemResponses,
  ReportStatusSchema,
  requestIdParams,
} from "./openapi";

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const binary = z.string().openapi({ format: "binary", description: "The file's bytes." });

const idempotencyHeaders = z.object({
  "idempotency-key": z
    .string()
    .optional()
    .openapi({
      description:
        "Makes retries safe: the same key (1–255 visible ASCII characters) and body replay the original request " +
        "(200, `Idempotent-Replayed: true`) for `IDEMPOTENCY_TTL_SECONDS`; the same key with another body is a 422.",
      example: "q3-sales-2026",
    }),
});

const createdHeaders = {
  Location: { description: "The status of the new request: `/status/{requestId}`.", schema: { type: "string" } },
} as const;

// a streamed report's rows go to storage as they arrive: handled before the JSON body is read and validated
const ndjsonUpload = createMiddleware<AppEnv>(async (c, next) => {
  if (!isNdjson(c.req.header("content-type"))) return next();
  const deps = c.get("deps");
  const owner = c.get("owner");
  const caller = { owner, idempotencyKey: c.req.header("idempotency-key") };
  const rows = new RowAccount(deps.rowBudget, owner, deps.settings.rowsPerMinute, () => isReplay(deps, caller));
  const { spec, definition, ...streamed } = await receiveNdjson(c.req.raw, deps.storage, {
    limits: deps.settings.limits,
    upload: deps.settings.upload,
    rows,
    resolveDefinition: (request) => resolveRequest(deps, owner, request),
  });
  const { result, replayed } = await createReport(
    deps,
    spec,
    { ...caller, definition },
    { ...streamed, charged: rows.charged },
  ).catch(async (error: unknown) => {
    // a refused spec (its webhook URL, say) leaves no rows behind in storage
    if (error instanceof ApiError && error.status < 500) await deleteInput(deps, streamed.input);
    throw error;
  });
  c.header("Location", `/status/${result.requestId}`);
  if (replayed) c.header("Idempotent-Replayed", "true");
  return c.json(result, replayed ? 200 : 201);
});

/**
 * The JSON body of `/generate` or `/render` when it names a report definition (`{"definition": …}`), parsed, or
 * null for anything else (a spec, or a body that is not JSON: the route's validation answers those).
 */
async function definitionRequest(c: Context<AppEnv>): Promise<GenerateFromDefinition | null> {
  if (!c.req.header("content-type")?.toLowerCase().startsWith("application/json")) return null;
  const body: unknown = await c.req.json().catch(() => null);
  if (!namesDefinition(body)) return null;
  const parsed = generateFromDefinition.safeParse(body);
  if (!parsed.success) {
    throw new ApiError("VALIDATION_FAILED", "The request is not valid.", fieldErrors(parsed.error.issues));
  }
  return parsed.data;
}

// a body naming a definition becomes the spec it resolves to, with the version recorded on the request
const generateFromDefinitionBody = createMiddleware<AppEnv>(async (c, next) => {
  const request = await definitionRequest(c);
  if (!request) return next();
  const deps = c.get("deps");
  const owner = c.get("owner");
  const { spec, definition } = await resolveRequest(deps, owner, request);
  const { result, replayed } = await createReport(deps, spec, {
    owner,
    idempotencyKey: c.req.header("idempotency-key"),
    definition,
    bodyHash: requestHash(request),
  });
  c.header("Location", `/status/${result.requestId}`);
  if (replayed) c.header("Idempotent-Replayed", "true");
  return c.json(result, replayed ? 200 : 201);
});

// a preview of a definition version (a draft too) against sample rows
const renderFromDefinitionBody = createMiddleware<AppEnv>(async (c, next) => {
  const request = await definitionRequest(c);
  if (!request) return next();
  const { spec } = await resolveRequest(c.get("deps"), c.get("owner"), request);
  return fileResponse(c, await renderNow(c.get("deps"), spec, c.get("owner"), c.req.raw.signal));
});

function fileResponse(c: Context<AppEnv>, file: RenderedFile & { fileName: string }) {
  return c.body(new Uint8Array(file.data), 200, {
    "Content-Type": file.contentType,
    "Content-Disposition": attachmentDisposition(file.fileName),
    "Cache-Control": "private, no-store",
  });
}

export const generateRoute = createRoute({
  method: "post",
  path: "/generate",
  operationId: "generateReport",
  tags: ["reports"],
  summary: "Queue a report",
  description:
    "Stores the report and queues it; answers at once. Follow it with `GET /status/{requestId}` (or its event " +
    "stream) until `done`. A big report (up to 1,048,575 rows) is streamed as JSON Lines (`application/x-ndjson`, " +
    "optionally `Content-Encoding: gzip`): the first line is the spec without rows, every other line one row of " +
    'the current table; a line `{"$table": "Name"}` moves on to a later table. Rows are checked as they arrive ' +
    "(errors name the line) and wait in object storage, not in the database. A JSON body may be up to " +
    "`MAX_BODY_BYTES`, a streamed one `MAX_UPLOAD_BYTES` on the wire. Instead of a spec, the body (or the " +
    'first line) may name a saved report definition: `{"definition": "sales-monthly", "params": {…}, "tables": ' +
    '[{"name": "Orders", "rows": […]}]}`; the published version is used unless `version` names one, and the ' +
    "request records it (`report.definition` in its status).",
  security: BEARER,
  middleware: [ndjsonUpload, generateFromDefinitionBody] as const,
  request: {
    headers: idempotencyHeaders,
    body: {
      required: true,
      description: "The report spec, or a request naming a report definition.",
      content: {
        "application/json": {
          schema: GenerateBodySchema,
          example: EXAMPLE_SPEC,
        },
        "application/x-ndjson": {
          schema: z
            .string()
            .openapi({ description: "JSON Lines: the spec without `rows`, then one row object per line." }),
          example:
            '{"format":"xlsx","title":"Orders","tables":[{"name":"Orders","columns":[{"key":"id","header":"Id","type":"integer"}]}]}\n{"id":1}\n{"id":2}\n',
        },
      },
    },
  },
  responses: {
    201: {
      description: "Queued.",
      headers: createdHeaders,
      content: { "application/json": { schema: GenerateResultSchema } },
    },
    200: {
      description: "Replayed for its `Idempotency-Key`: the original request as it is now.",
      headers: {
        ...createdHeaders,
        "Idempotent-Replayed": { description: "Always `true`.", schema: { type: "string", enum: ["true"] } },
      },
      content: { "application/json": { schema: GenerateResultSchema } },
    },
    ...problemResponses([
      "VALIDATION_FAILED",
      "PAYLOAD_TOO_LARGE",
      "LIMIT_EXCEEDED",
      "UNSUPPORTED_MEDIA_TYPE",
      "IDEMPOTENCY_KEY_REUSED",
      ...AUTH_FAILURES,
    ]),
  },
});

export const renderRoute = createRoute({
  method: "post",
  path: "/render",
  operationId: "renderReport",
  tags: ["reports"],
  summary: "Render a small report at once",
  description:
    "Answers with the file itself, for previews. Over `SYNC_RENDER_MAX_ROWS` or `SYNC_RENDER_MAX_CELLS`: 413, " +
    "queue it with `POST /generate` instead. With a definition's name instead of a spec, it previews that " +
    "version (a draft too) against the sample rows given. Renders share a few threads: an owner with " +
    "`SYNC_RENDER_PER_OWNER` renders already running or waiting gets 429; a full queue (`SYNC_RENDER_QUEUE`) or a " +
    "wait past `SYNC_RENDER_WAIT_MS` gets 503 with `Retry-After`.",
  security: BEARER,
  middleware: [renderFromDefinitionBody] as const,
  request: {
    body: {
      required: true,
      description: "The report spec, or a request naming a report definition (any version, drafts too).",
      content: {
        "application/json": {
          schema: GenerateBodySchema,
          example: EXAMPLE_SPEC,
        },
      },
    },
  },
  responses: {
    200: {
      description: "The file, with `Content-Disposition: attachment` naming it.",
      headers: {
        "Content-Disposition": { description: "`attachment` with the file's name.", schema: { type: "string" } },
      },
      content: { [XLSX]: { schema: binary }, "application/pdf": { schema: binary } },
    },
    ...problemResponses([
      "VALIDATION_FAILED",
      "PAYLOAD_TOO_LARGE",
      "LIMIT_EXCEEDED",
      "UNSUPPORTED_MEDIA_TYPE",
      "RENDER_FAILED",
      ...AUTH_FAILURES,
    ]),
  },
});

export const statusRoute = createRoute({
  method: "get",
  path: "/status/{requestId}",
  operationId: "getReportStatus",
  tags: ["reports"],
  summary: "The status of a report",
  description:
    "Once `done`, `url` is an expiring download link, valid for at least half of `DOWNLOAD_URL_TTL_SECONDS` " +
    "(a link is signed once and handed out again until half its validity has passed). Another owner's id " +
    "answers 404, like an unknown one.",
  security: BEARER,
  request: { params: requestIdParams },
  responses: {
    200: { description: "The status.", content: { "application/json": { schema: ReportStatusSchema } } },
    ...problemResponses(["MALFORMED_ID", "NOT_FOUND", ...AUTH_FAILURES]),
  },
});

export const cancelRoute = createRoute({
  method: "post",
  path: "/reports/{requestId}/cancel",
  operationId: "cancelReport",
  tags: ["reports"],
  summary: "Cancel a queued or processing report",
  description:
    "A queued report is never rendered; a processing one is abandoned at its worker's next progress tick or lease " +
    "renewal. Answers the `cancelled` status; cancelling twice answers the same.",
  security: BEARER,
  request: { params: requestIdParams },
  responses: {
    200: { description: "Cancelled.", content: { "application/json": { schema: ReportStatusSchema } } },
    ...problemResponses(["MALFORMED_ID", "NOT_FOUND", "NOT_CANCELLABLE", ...AUTH_FAILURES]),
  },
});

export const downloadRoute = createRoute({
  method: "get",
  path: "/reports/{requestId}/download",
  operationId: "downloadReport",
  tags: ["reports"],
  summary: "Download a finished report",
  description:
    "Redirects to a fresh, expiring link to the file. Before `done`: 409 `NOT_READY`; once the file has expired: 410 `GONE`.",
  security: BEARER,
  request: { params: requestIdParams },
  responses: {
    302: {
      description: "The file is at `Location`.",
      headers: {
        Location: {
          description: "An expiring link to the file (signed; valid for at least half of `DOWNLOAD_URL_TTL_SECONDS`).",
          required: true,
          schema: { type: "string", format: "uri" },
        },
      },
    },
    ...problemResponses(["MALFORMED_ID", "NOT_FOUND", "NOT_READY", "GONE", ...AUTH_FAILURES]),
  },
});

/**
 * `POST /generate`, `POST /render`, `GET /status/{requestId}`, `POST /reports/{requestId}/cancel`,
 * `GET /reports/{requestId}/download` (a 302 to a fresh link), and `GET /files/*`, the signed links of the
 * local file driver.
 */
export function reportRoutes() {
  const app = openApiRouter();

  app.openapi(generateRoute, async (c) => {
    const spec = c.req.valid("json");
    // JSON Lines were answered by ndjsonUpload, definitions by generateFromDefinitionBody: what reaches here is
    // the validated JSON spec
    if (typeof spec === "string" || "definition" in spec) {
      throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "Expected a JSON report spec.");
    }
    const { result, replayed } = await createReport(c.get("deps"), spec, {
      owner: c.get("owner"),
      idempotencyKey: c.req.valid("header")["idempotency-key"],
    });
    c.header("Location", `/status/${result.requestId}`);
    if (replayed) {
      c.header("Idempotent-Replayed", "true");
      return c.json(result, 200);
    }
    return c.json(result, 201);
  });

  app.openapi(renderRoute, async (c) => {
    const spec = c.req.valid("json");
    // a body naming a definition was answered by renderFromDefinitionBody
    if ("definition" in spec) throw new ApiError("VALIDATION_FAILED", "Expected a JSON report spec.");
    return fileResponse(c, await renderNow(c.get("deps"), spec, c.get("owner"), c.req.raw.signal));
  });

  app.openapi(statusRoute, async (c) => {
    const status = await getReportStatus(c.get("deps"), c.req.valid("param").requestId, c.get("owner"));
    // the JSON of a ReportStatus, answered as c.json would answer it (the route's type knows only c.json's answers)
    return c.body(statusJson(status), 200, { "Content-Type": "application/json" }) as unknown as TypedResponse<
      ReportStatus,
      200,
      "json"
    >;
  });

  app.openapi(cancelRoute, async (c) =>
    c.json(await cancelReport(c.get("deps"), c.req.valid("param").requestId, c.get("owner")), 200),
  );

  app.openapi(downloadRoute, async (c) => {
    const status = await getReportStatus(c.get("deps"), c.req.valid("param").requestId, c.get("owner"));
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

  // Not in the OpenAPI document: the links are handed out whole (`url`, `Location`), never composed by clients.
  app.get("/files/*", async (c) => {
    const files = c.get("deps").localFiles;
    if (!files) throw new ApiError("NOT_FOUND", "No such file.");
    const key = fileKeyOf(c.req.path);
    const { expires, signature, name } = c.req.query();
    if (!expires || !signature || !name || !files.verify(key, Number(expires), signature, name)) {
      throw new ApiError("FORBIDDEN", "This download link is invalid or has expired; ask for the status again.");
    }
    const body = await files.get(key);
    if (!body) throw new ApiError("NOT_FOUND", "No such file.");
    return c.body(Readable.toWeb(body) as ReadableStream, 200, {
      "Content-Type": key.endsWith(".pdf") ? "application/pdf" : XLSX,
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
