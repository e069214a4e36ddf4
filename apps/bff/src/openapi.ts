import {
  type ApiErrorCode,
  apiErrorCode,
  generateResult,
  httpStatusOf,
  problem,
  type ReportSpecInput,
  reportSpec,
  reportStatus,
} from "@reports/contracts";
import { z } from "zod";

/** The example the docs show; a test posts it to the real routes. */
export const EXAMPLE_SPEC: ReportSpecInput = {
  format: "xlsx",
  title: "Q3 sales",
  tables: [
    {
      name: "Orders",
      columns: [
        { key: "id", header: "Order", type: "integer" },
        { key: "customer", header: "Customer", type: "string", width: 30 },
        { key: "amount", header: "Amount", type: "currency", currency: "EUR" },
        { key: "day", header: "Day", type: "date" },
      ],
      rows: [
        { id: 1, customer: "Łódź Trading", amount: 1234.5, day: "2026-09-30" },
        { id: 2, customer: "Привет LLC", amount: 99.9, day: "2026-09-30" },
      ],
    },
  ],
};

/** JSON Schema (2020-12, the dialect of OpenAPI 3.1) of a contract, as a client sends or receives it. */
const schemaOf = (schema: z.ZodType, io: "input" | "output") => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" });
  return rest;
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object, example?: unknown) => ({
  "application/json": { schema, ...(example === undefined ? {} : { example }) },
});

function problems(codes: ApiErrorCode[]) {
  const byStatus = new Map<number, ApiErrorCode[]>();
  for (const code of codes) byStatus.set(httpStatusOf(code), [...(byStatus.get(httpStatusOf(code)) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      String(status),
      {
        description: `Problem details; \`code\` is ${list.map((c) => `\`${c}\``).join(" or ")}`,
        content: { "application/problem+json": { schema: ref("Problem") } },
      },
    ]),
  );
}

const AUTH_FAILURES: ApiErrorCode[] = ["UNAUTHORIZED", "RATE_LIMITED", "UNAVAILABLE", "INTERNAL"];
const security = [{ bearer: [] }];
const requestIdParameter = {
  name: "requestId",
  in: "path",
  required: true,
  description: "The id `POST /generate` returned",
  schema: { type: "string", format: "uuid" },
};
const specBody = { required: true, content: json(ref("ReportSpec"), EXAMPLE_SPEC) };
const binary = { type: "string", contentMediaType: "application/octet-stream" };

let cached: object | undefined;

/** The OpenAPI 3.1 document of the REST routes; every schema in it is generated from the contracts' zod schemas. */
export function openApiDocument(): object {
  cached ??= {
    openapi: "3.1.0",
    info: {
      title: "Reports API",
      version: "0.1.0",
      description:
        "Turn report data into XLSX and PDF files, asynchronously. Errors are RFC 9457 problem details with a `code` from the catalog.",
    },
    servers: [{ url: "/" }],
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "An API key (`AUTH_MODE=apikey`) or a JWT (`AUTH_MODE=jwt`); nothing with `AUTH_MODE=none`.",
        },
      },
      schemas: {
        ReportSpec: schemaOf(reportSpec, "input"),
        GenerateResult: schemaOf(generateResult, "output"),
        ReportStatus: schemaOf(reportStatus, "output"),
        Problem: schemaOf(problem, "output"),
        ErrorCode: schemaOf(apiErrorCode, "output"),
      },
    },
    paths: {
      "/generate": {
        post: {
          summary: "Queue a report",
          description:
            "Stores the report and queues it; answers at once. Poll `GET /status/{requestId}` until `done`. " +
            "A big report (up to 1,048,575 rows) is streamed as JSON Lines (`application/x-ndjson`, optionally " +
            "`Content-Encoding: gzip`): the first line is the spec without rows, every other line one row of the " +
            'current table; a line `{"$table": "Name"}` moves on to a later table. Rows are checked as they ' +
            "arrive (errors name the line) and wait in object storage, not in the database. Bodies up to " +
            "`MAX_UPLOAD_BYTES` on the wire.",
          security,
          parameters: [
            {
              name: "Idempotency-Key",
              in: "header",
              required: false,
              description: "The same key and body replay the original request (200); another body is a 422.",
              schema: { type: "string", minLength: 1, maxLength: 255 },
            },
          ],
          requestBody: {
            ...specBody,
            content: {
              ...specBody.content,
              "application/x-ndjson": {
                schema: { type: "string", description: "The spec without rows, then one row per line." },
              },
            },
          },
          responses: {
            "201": { description: "Queued", content: json(ref("GenerateResult")) },
            "200": { description: "Replayed for its Idempotency-Key", content: json(ref("GenerateResult")) },
            ...problems([
              "VALIDATION_FAILED",
              "PAYLOAD_TOO_LARGE",
              "LIMIT_EXCEEDED",
              "UNSUPPORTED_MEDIA_TYPE",
              "IDEMPOTENCY_KEY_REUSED",
              "UNAVAILABLE",
              ...AUTH_FAILURES,
            ]),
          },
        },
      },
      "/render": {
        post: {
          summary: "Render a small report at once",
          description: "Returns the file itself, for previews. Over the synchronous limit: 413, use `/generate`.",
          security,
          requestBody: specBody,
          responses: {
            "200": {
              description: "The file, with `Content-Disposition: attachment`",
              content: {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { schema: binary },
                "application/pdf": { schema: binary },
              },
            },
            ...problems([
              "VALIDATION_FAILED",
              "LIMIT_EXCEEDED",
              "UNSUPPORTED_MEDIA_TYPE",
              "RENDER_FAILED",
              ...AUTH_FAILURES,
            ]),
          },
        },
      },
      "/status/{requestId}": {
        get: {
          summary: "The status of a report",
          description: "`url` is a fresh, expiring download link once `done`. Another owner's id answers 404.",
          security,
          parameters: [requestIdParameter],
          responses: {
            "200": { description: "The status", content: json(ref("ReportStatus")) },
            ...problems(["MALFORMED_ID", "NOT_FOUND", ...AUTH_FAILURES]),
          },
        },
      },
      "/reports/{requestId}/download": {
        get: {
          summary: "Download a finished report",
          security,
          parameters: [requestIdParameter],
          responses: {
            "302": { description: "Redirect to a fresh, expiring link" },
            ...problems(["MALFORMED_ID", "NOT_FOUND", "NOT_READY", "GONE", ...AUTH_FAILURES]),
          },
        },
      },
      "/reports/{requestId}/cancel": {
        post: {
          summary: "Cancel a queued or processing report",
          description:
            "A queued report is never rendered; a processing one is abandoned at its worker's next progress tick or lease renewal. Answers the `cancelled` status.",
          security,
          parameters: [requestIdParameter],
          responses: {
            "200": { description: "Cancelled", content: json(ref("ReportStatus")) },
            ...problems(["MALFORMED_ID", "NOT_FOUND", "NOT_CANCELLABLE", ...AUTH_FAILURES]),
          },
        },
      },
      "/healthz": { get: { summary: "The process is up", responses: { "200": { description: "Up" } } } },
      "/readyz": {
        get: {
          summary: "The database, the queue and the storage are reachable",
          responses: { "200": { description: "Ready" }, "503": { description: "Not ready; names the dependency" } },
        },
      },
    },
  };
  return cached;
}
