import { createHash } from "node:crypto";
import {
  type DefinitionDetail,
  type DefinitionRef,
  type DefinitionSummary,
  fieldErrors,
  type GenerateFromDefinition,
  type ReportDefinition,
  type ReportSpec,
} from "@reports/contracts";
import { DefinitionExistsError, type MissingVersion } from "@reports/db";
import type { AppDeps } from "../deps";
import { ApiError } from "../http/errors";
import { logoProblem } from "./logos";

/**
 * What the definition routes do, for REST and tRPC alike. Every call is scoped to its owner: another owner's
 * definition is a 404, as a missing one is.
 */

/**
 * The definitions' checks and resolution, with the JSON Schema validator of their params (ajv, ~12 MB and ~40 ms to
 * load): loaded by the first request that uses a definition, not by every process at start-up.
 */
const definitionResolve = () => import("@reports/contracts/definition-resolve");

/** A 400 naming each problem of a definition, or nothing when it can be saved. */
async function checkDefinition(deps: AppDeps, owner: string, definition: ReportDefinition): Promise<void> {
  const { definitionProblems } = await definitionResolve();
  const problems = fieldErrors(definitionProblems(definition));
  const logo = await logoProblem(deps, owner, definition);
  if (logo) problems.push(logo);
  if (problems.length > 0)
    throw new ApiError("VALIDATION_FAILED", "The definition is not valid; see errors.", problems);
}

const notFound = (name: string) => new ApiError("NOT_FOUND", `No report definition "${name}".`);

/** Saves version 1 of a new definition, a draft until published; a taken name is a 409. */
export async function createDefinition(
  deps: AppDeps,
  owner: string,
  name: string,
  definition: ReportDefinition,
): Promise<DefinitionSummary> {
  await checkDefinition(deps, owner, definition);
  try {
    const created = await deps.definitions.create(owner, name, definition);
    deps.logger.info({ owner, definition: name, version: 1 }, "report definition created");
    return created;
  } catch (error) {
    if (error instanceof DefinitionExistsError) {
      throw new ApiError(
        "ALREADY_EXISTS",
        `A report definition "${name}" already exists; PUT /definitions/${name} saves a new version of it.`,
      );
    }
    throw error;
  }
}

/** Saves the next version of a definition (a draft: the published version stays until another is published). */
export async function updateDefinition(
  deps: AppDeps,
  owner: string,
  name: string,
  definition: ReportDefinition,
): Promise<DefinitionSummary> {
  await checkDefinition(deps, owner, definition);
  const updated = await deps.definitions.addVersion(owner, name, definition);
  if (!updated) throw notFound(name);
  deps.logger.info({ owner, definition: name, version: updated.latestVersion }, "report definition updated");
  return updated;
}

/** Makes `version` the one requests without a version use. */
export async function publishDefinition(
  deps: AppDeps,
  owner: string,
  name: string,
  version: number,
): Promise<DefinitionSummary> {
  const result = await deps.definitions.publish(owner, name, version);
  if ("missing" in result) throw missing(name, version, result.missing);
  deps.logger.info({ owner, definition: name, version }, "report definition published");
  return result.published;
}

export const listDefinitions = (deps: AppDeps, owner: string): Promise<DefinitionSummary[]> =>
  deps.definitions.list(owner);

export async function getDefinition(deps: AppDeps, owner: string, name: string): Promise<DefinitionDetail> {
  const found = await deps.definitions.get(owner, name);
  if (!found) throw notFound(name);
  return found;
}

function missing(name: string, version: number | undefined, why: MissingVersion): ApiError {
  switch (why) {
    case "definition":
      return notFound(name);
    case "version":
      return new ApiError("NOT_FOUND", `Report definition "${name}" has no version ${version}.`);
    case "unpublished":
      return new ApiError(
        "NOT_FOUND",
        `Report definition "${name}" has no published version: publish one, or name a version.`,
      );
  }
}

/** What an idempotency key of a request naming a definition is bound to: the request, not what it resolved to. */
export const requestHash = (request: GenerateFromDefinition): string =>
  createHash("sha256").update(JSON.stringify(request)).digest("hex");

/**
 * The report spec a request made from a definition asks for (the published version unless it names one), and
 * the definition version to record on the request. Without `tables`, every table has no rows (the JSON Lines
 * path, whose rows follow).
 */
export async function resolveRequest(
  deps: AppDeps,
  owner: string,
  request: GenerateFromDefinition,
): Promise<{ spec: ReportSpec; definition: DefinitionRef }> {
  const found = await deps.definitions.version(owner, request.definition, request.version);
  if ("missing" in found) throw missing(request.definition, request.version, found.missing);
  const { definition: _name, version: _version, ...rest } = request;
  const resolved = (await definitionResolve()).resolveDefinition(found.found.definition, rest);
  if ("issues" in resolved) {
    throw new ApiError(
      "VALIDATION_FAILED",
      `The request does not fit version ${found.found.version} of report definition "${request.definition}"; see errors.`,
      fieldErrors(resolved.issues),
    );
  }
  return { spec: resolved.spec, definition: { name: found.found.name, version: found.found.version } };
}
