import { type Hook, OpenAPIHono, z } from "@hono/zod-openapi";
import {
  type ApiErrorCode,
  fieldErrors,
  type GenerateFromDefinitionInput,
  generateFromDefinition,
  generateResult,
  httpStatusOf,
  problem,
  type ReportSpecInput,
  reportSpec,
  reportStatus,
  requestId,
} from "@reports/contracts";
import type { AppEnv } from "../context";
import { ApiError } from "../http/errors";

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

const EXAMPLE_REQUEST_ID = "6f1c2a4e-8d3b-4c51-9a7e-2b0d4f6a8c10";

// The contracts' schemas, named: each becomes one entry of `components.schemas`. Request bodies are read as
// inputs (a field with a default is optional), responses as outputs.
export const ReportSpecSchema = reportSpec.meta({ id: "ReportSpec", example: EXAMPLE_SPEC });
/** A request naming a definition, as the docs show it; a test posts it. */
export const EXAMPLE_FROM_DEFINITION: GenerateFromDefinitionInput = {
  definition: "sales-monthly",
  params: { month: "2026-11" },
  tables: [{ name: "Orders", rows: [{ region: "North", amount: 1234.5 }] }],
};
export const GenerateFromDefinitionSchema = generateFromDefinition.meta({
  id: "GenerateFromDefinition",
  example: EXAMPLE_FROM_DEFINITION,
});
/** What `/generate` and `/render` take: a whole spec, or a definition's name with params and rows. */
export const GenerateBodySchema = z.union([ReportSpecSchema, GenerateFromDefinitionSchema]);
export const GenerateResultSchema = generateResult.meta({
  id: "GenerateResult",
  example: { requestId: EXAMPLE_REQUEST_ID, status: "queued", createdAt: "2026-11-23T21:40:00.000Z" },
});
export const ReportStatusSchema = reportStatus.meta({ id: "ReportStatus" });
export const ProblemSchema = problem.meta({ id: "Problem" });

/** The `{requestId}` of a path: any well-formed UUID (an unknown one is a 404, not a 400). */
export const requestIdParams = z.object({
  requestId: requestId.meta({
    param: { name: "requestId", in: "path" },
    description: "The id `POST /generate` returned.",
    format: "uuid",
    example: EXAMPLE_REQUEST_ID,
  }),
});

/** How the routes that need a key declare it; the scheme itself is registered by {@link openApiDocument}. */
export const BEARER = [{ bearer: [] }];
/** Health, metrics and signed links need no key. */
export const NO_AUTH: [] = [];

/** What every authenticated route can answer before its own code runs. */
export const AUTH_FAILURES: ApiErrorCode[] = ["UNAUTHORIZED", "RATE_LIMITED", "UNAVAILABLE", "INTERNAL"];

/** The problem+json responses of a route, one per HTTP status, naming the codes each can carry. */
export function problemResponses(codes: readonly ApiErrorCode[]) {
  const byStatus = new Map<number, ApiErrorCode[]>();
  for (const code of new Set(codes))
    byStatus.set(httpStatusOf(code), [...(byStatus.get(httpStatusOf(code)) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      status,
      {
        description: `Problem details; \`code\` is ${list.map((c) => `\`${c}\``).join(" or ")}.`,
        content: { "application/problem+json": { schema: ProblemSchema } },
        ...(status === 429 || status === 503
          ? {
              headers: {
                "Retry-After": { description: "Seconds to wait before trying again.", schema: { type: "integer" } },
              },
            }
          : {}),
      },
    ]),
  ) as Record<
    number,
    { description: string; content: { "application/problem+json": { schema: typeof ProblemSchema } } }
  >;
}

/** Turns a refused path parameter, header or body into our problem+json (the library's default is a raw ZodError). */
const validationProblem: Hook<unknown, AppEnv, string, void> = (result, c) => {
  if (result.success) return;
  const errors = fieldErrors(result.error.issues.flatMap(specIssues));
  switch (result.target) {
    case "param":
      throw new ApiError("MALFORMED_ID", "The request id in the path is not a UUID.", errors);
    case "json":
      throw new ApiError(
        "VALIDATION_FAILED",
        c.req.path.startsWith("/definitions") ? "The definition is not valid." : "The report spec is not valid.",
        errors,
      );
    default:
      throw new ApiError("VALIDATION_FAILED", `A request ${result.target} is not valid.`, errors);
  }
};

/**
 * The issues to report of a body that failed a route's schema. `/generate` and `/render` document their body as a
 * spec or a request naming a definition, but a body naming a definition is handled before validation: one that
 * fails the union is a spec, and its issues are the spec's (the union's first option), not "Invalid input".
 */
function specIssues(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== "invalid_union" || issue.path.length > 0 || !issue.errors[0]) return [issue];
  return issue.errors[0];
}

/** A router whose routes are OpenAPI definitions: they validate requests and make the document. */
export const openApiRouter = () => new OpenAPIHono<AppEnv>({ defaultHook: validationProblem });

export const TAGS = [
  { name: "reports", description: "Queue a report, follow its status, download or cancel it." },
  {
    name: "definitions",
    description: "Save a report's layout as a versioned definition; generate from it with only params and rows.",
  },
  { name: "health", description: "Liveness, readiness and metrics for the platform running the API." },
];

const documents = new WeakMap<OpenAPIHono<AppEnv>, object>();

/** The OpenAPI 3.1 document of `app`'s REST routes, generated from their definitions (memoised per app). */
export function openApiDocument(app: OpenAPIHono<AppEnv>): object {
  let document = documents.get(app);
  if (!document) {
    app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
      type: "http",
      scheme: "bearer",
      description:
        "An API key (`AUTH_MODE=apikey`, made with `pnpm --filter @reports/bff keys create`) or a JWT " +
        "(`AUTH_MODE=jwt`). With `AUTH_MODE=none` (local use only) no header is needed.",
    });
    document = app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: {
        title: "Reports API",
        version: "0.1.0",
        license: { name: "MIT", url: "https://opensource.org/license/mit" },
        description:
          "Turn report data into XLSX and PDF files, asynchronously: `POST /generate` queues a report and answers " +
          "at once; `GET /status/{requestId}` (or its event stream) follows it to `done`; " +
          "`GET /reports/{requestId}/download` fetches the file. Errors are RFC 9457 problem details with a `code` " +
          "from the catalog. The same operations are available over tRPC at `/trpc` (used by `@reports/sdk`).",
      },
      servers: [{ url: "/", description: "This server" }],
      tags: TAGS,
      security: BEARER,
    });
    documents.set(app, document);
  }
  return document;
}
