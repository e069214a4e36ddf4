import { createRoute, z } from "@hono/zod-openapi";
import {
  createDefinitionInput,
  definitionDetail,
  definitionSummary,
  publishDefinitionInput,
  reportDefinition,
} from "@reports/contracts";
import { bodyLimit } from "hono/body-limit";
import { LOGO_MAX_BYTES, uploadLogo } from "../definitions/logos";
import {
  createDefinition,
  getDefinition,
  listDefinitions,
  publishDefinition,
  updateDefinition,
} from "../definitions/service";
import { ApiError } from "../http/errors";
import { AUTH_FAILURES, BEARER, openApiRouter, problemResponses } from "./openapi";

/** The example the docs show (the README's, trimmed); a test saves it through the real routes. */
export const EXAMPLE_DEFINITION = {
  name: "sales-monthly",
  formats: ["xlsx", "pdf"],
  title: "Sales {{params.month}}",
  params: {
    type: "object",
    required: ["month"],
    properties: { month: { type: "string", minLength: 7, maxLength: 7 } },
    additionalProperties: false,
  },
  tables: [
    {
      name: "Orders",
      columns: [
        { key: "region", header: "Region" },
        { key: "amount", header: "Amount", type: "currency", currency: "EUR", totals: "sum" },
      ],
    },
  ],
} as const;

const ReportDefinitionSchema = reportDefinition.meta({ id: "ReportDefinition" });
const CreateDefinitionSchema = createDefinitionInput.meta({ id: "CreateDefinition", example: EXAMPLE_DEFINITION });
const DefinitionSummarySchema = definitionSummary.meta({ id: "DefinitionSummary" });
const DefinitionDetailSchema = definitionDetail.meta({ id: "DefinitionDetail" });
const LogoSchema = z
  .object({
    key: z.string().describe("Put it in a definition's or spec's `layout.logo.key`"),
    contentType: z.enum(["image/png", "image/jpeg"]).describe("Put it in `layout.logo.contentType`"),
    bytes: z.number().int().describe("The image's size"),
  })
  .meta({ id: "Logo" });

/** `{name}` of a path: any string (a name no definition has is a 404, not a 400). */
const nameParams = z.object({
  name: z
    .string()
    .min(1)
    .max(200)
    .meta({
      param: { name: "name", in: "path" },
      description: "The definition's name.",
      example: "sales-monthly",
    }),
});

const json = <T>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const SAVE_FAILURES = ["VALIDATION_FAILED", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE", ...AUTH_FAILURES] as const;

export const createDefinitionRoute = createRoute({
  method: "post",
  path: "/definitions",
  operationId: "createDefinition",
  tags: ["definitions"],
  summary: "Save a new report definition",
  description:
    "Saves version 1 of a definition: a report spec without `format` and rows, with `formats` and a JSON Schema of " +
    "its `params`. It is a draft until published. Checked as `/generate` checks a spec (every format's rules), plus " +
    "its placeholders and params schema; a name you already have is a 409.",
  security: BEARER,
  request: { body: { required: true, content: { "application/json": { schema: CreateDefinitionSchema } } } },
  responses: {
    201: json(DefinitionSummarySchema, "Saved as version 1."),
    ...problemResponses([...SAVE_FAILURES, "ALREADY_EXISTS"]),
  },
});

export const listDefinitionsRoute = createRoute({
  method: "get",
  path: "/definitions",
  operationId: "listDefinitions",
  tags: ["definitions"],
  summary: "Your report definitions",
  description: "Every definition of yours, by name, with its published and latest versions (at most 1,000).",
  security: BEARER,
  responses: {
    200: json(z.object({ items: z.array(DefinitionSummarySchema) }), "By name."),
    ...problemResponses(AUTH_FAILURES),
  },
});

export const getDefinitionRoute = createRoute({
  method: "get",
  path: "/definitions/{name}",
  operationId: "getDefinition",
  tags: ["definitions"],
  summary: "A report definition with every version",
  description: "Another owner's definition answers 404, like an unknown one.",
  security: BEARER,
  request: { params: nameParams },
  responses: {
    200: json(DefinitionDetailSchema, "The definition, versions newest first."),
    ...problemResponses(["NOT_FOUND", ...AUTH_FAILURES]),
  },
});

export const updateDefinitionRoute = createRoute({
  method: "put",
  path: "/definitions/{name}",
  operationId: "updateDefinition",
  tags: ["definitions"],
  summary: "Save a new version of a report definition",
  description:
    "Saves the next version (a draft): requests without `version` keep using the published one until " +
    "`POST /definitions/{name}/publish` names another. Earlier versions never change.",
  security: BEARER,
  request: {
    params: nameParams,
    body: { required: true, content: { "application/json": { schema: ReportDefinitionSchema } } },
  },
  responses: {
    200: json(DefinitionSummarySchema, "Saved; `latestVersion` is the new version."),
    ...problemResponses([...SAVE_FAILURES, "NOT_FOUND"]),
  },
});

export const publishDefinitionRoute = createRoute({
  method: "post",
  path: "/definitions/{name}/publish",
  operationId: "publishDefinition",
  tags: ["definitions"],
  summary: "Publish a version of a report definition",
  description: "Requests that name no `version` use it from now on; requests already made keep theirs.",
  security: BEARER,
  request: {
    params: nameParams,
    body: { required: true, content: { "application/json": { schema: publishDefinitionInput } } },
  },
  responses: {
    200: json(DefinitionSummarySchema, "Published."),
    ...problemResponses(["VALIDATION_FAILED", "NOT_FOUND", "UNSUPPORTED_MEDIA_TYPE", ...AUTH_FAILURES]),
  },
});

const image = z.string().openapi({ format: "binary", description: "The image's bytes." });

export const uploadLogoRoute = createRoute({
  method: "post",
  path: "/logos",
  operationId: "uploadLogo",
  tags: ["definitions"],
  summary: "Store a logo",
  description:
    `Stores a PNG or JPEG (at most ${LOGO_MAX_BYTES} bytes; the type is told by its first bytes and must match ` +
    "`Content-Type`) under a content-addressed key of yours; a definition or spec shows it with " +
    '`"layout": { "logo": { "key": …, "contentType": … } }`.',
  security: BEARER,
  middleware: [
    bodyLimit({
      maxSize: LOGO_MAX_BYTES,
      onError: () => {
        throw new ApiError("PAYLOAD_TOO_LARGE", `A logo is at most ${LOGO_MAX_BYTES} bytes.`);
      },
    }),
  ] as const,
  request: {
    body: { required: true, content: { "image/png": { schema: image }, "image/jpeg": { schema: image } } },
  },
  responses: {
    201: json(LogoSchema, "Stored (or already stored: the same image has the same key)."),
    ...problemResponses(["VALIDATION_FAILED", "PAYLOAD_TOO_LARGE", ...AUTH_FAILURES]),
  },
});

/** The report definition routes and logo uploads; every one scoped to the caller. */
export function definitionRoutes() {
  const app = openApiRouter();

  app.openapi(createDefinitionRoute, async (c) => {
    const { name, ...definition } = c.req.valid("json");
    const created = await createDefinition(c.get("deps"), c.get("owner"), name, definition);
    c.header("Location", `/definitions/${name}`);
    return c.json(created, 201);
  });

  app.openapi(listDefinitionsRoute, async (c) =>
    c.json({ items: await listDefinitions(c.get("deps"), c.get("owner")) }, 200),
  );

  app.openapi(getDefinitionRoute, async (c) =>
    c.json(await getDefinition(c.get("deps"), c.get("owner"), c.req.valid("param").name), 200),
  );

  app.openapi(updateDefinitionRoute, async (c) =>
    c.json(await updateDefinition(c.get("deps"), c.get("owner"), c.req.valid("param").name, c.req.valid("json")), 200),
  );

  app.openapi(publishDefinitionRoute, async (c) =>
    c.json(
      await publishDefinition(c.get("deps"), c.get("owner"), c.req.valid("param").name, c.req.valid("json").version),
      200,
    ),
  );

  app.openapi(uploadLogoRoute, async (c) => {
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    return c.json(await uploadLogo(c.get("deps"), c.get("owner"), bytes, c.req.header("content-type")), 201);
  });

  return app;
}
