import {
  createDefinitionInput,
  definitionName,
  generateFromDefinition,
  publishDefinitionInput,
  reportDefinition,
} from "@reports/contracts";
import { z } from "zod";
import {
  createDefinition,
  getDefinition,
  listDefinitions,
  publishDefinition,
  requestHash,
  resolveRequest,
  updateDefinition,
} from "../definitions/service";
import { createReport, renderNow } from "../reports/service";
import { procedure, router } from "./init";

const byName = z.object({ name: definitionName });

/** Report definitions, the same operations as the REST routes, and reports made from them. */
export const definitionsRouter = router({
  /** Saves version 1 of a new definition; same as `POST /definitions`. */
  create: procedure
    .input(createDefinitionInput)
    .mutation(({ ctx, input: { name, ...definition } }) => createDefinition(ctx.deps, ctx.owner, name, definition)),
  /** Your definitions by name; same as `GET /definitions`. */
  list: procedure.query(async ({ ctx }) => ({ items: await listDefinitions(ctx.deps, ctx.owner) })),
  /** A definition with every version; same as `GET /definitions/{name}`. */
  get: procedure.input(byName).query(({ ctx, input }) => getDefinition(ctx.deps, ctx.owner, input.name)),
  /** Saves the next version; same as `PUT /definitions/{name}`. */
  update: procedure
    .input(z.object({ name: definitionName, definition: reportDefinition }))
    .mutation(({ ctx, input }) => updateDefinition(ctx.deps, ctx.owner, input.name, input.definition)),
  /** Publishes a version; same as `POST /definitions/{name}/publish`. */
  publish: procedure
    .input(publishDefinitionInput.extend({ name: definitionName }))
    .mutation(({ ctx, input }) => publishDefinition(ctx.deps, ctx.owner, input.name, input.version)),
  /** Queues a report from a definition; same as `POST /generate` with `definition`. */
  generate: procedure
    .input(generateFromDefinition.extend({ idempotencyKey: z.string().optional() }))
    .mutation(async ({ ctx, input: { idempotencyKey, ...request } }) => {
      const { spec, definition } = await resolveRequest(ctx.deps, ctx.owner, request);
      const bodyHash = requestHash(request);
      const { result } = await createReport(ctx.deps, spec, { owner: ctx.owner, idempotencyKey, definition, bodyHash });
      return result;
    }),
  /** Renders a small report from a definition version (a draft too) at once; same as `POST /render` with `definition`. */
  render: procedure.input(generateFromDefinition).mutation(async ({ ctx, input, signal }) => {
    const { spec } = await resolveRequest(ctx.deps, ctx.owner, input);
    const file = await renderNow(ctx.deps, spec, ctx.owner, signal);
    return { fileName: file.fileName, contentType: file.contentType, base64: file.data.toString("base64") };
  }),
});
