import type { DefinitionDetail, DefinitionSummary, ReportDefinition, ReportFormat } from "@reports/contracts";
import type { AdminDefinitionsPage } from "@reports/contracts/admin";
import { and, asc, count, desc, eq, exists, ilike, inArray, or, sql } from "drizzle-orm";
import type { Database } from "./client";
import { type ReportDefinitionRow, reportDefinitions, reportDefinitionVersions, reportRequests } from "./schema";

/** A definition of that name already exists for the owner. */
export class DefinitionExistsError extends Error {
  override readonly name = "DefinitionExistsError";
  constructor(readonly definitionName: string) {
    super(`a definition named "${definitionName}" already exists`);
  }
}

/** One version of a definition, as a request uses it. */
export interface DefinitionVersionOf {
  name: string;
  version: number;
  definition: ReportDefinition;
}

/** Why a definition version was not found: no such definition, no such version, or none published yet. */
export type MissingVersion = "definition" | "version" | "unpublished";

/** The most definitions one listing returns (by name). */
export const DEFINITIONS_LIST_MAX = 1_000;

const d = reportDefinitions;
const v = reportDefinitionVersions;

const summaryColumns = {
  name: d.name,
  latestVersion: d.latestVersion,
  publishedVersion: d.publishedVersion,
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
};

function toSummary(row: Pick<ReportDefinitionRow, keyof typeof summaryColumns>): DefinitionSummary {
  return {
    name: row.name,
    publishedVersion: row.publishedVersion,
    latestVersion: row.latestVersion,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * Report definitions, always scoped to their owner: another owner's definition is as absent as a missing one.
 * Versions are only ever inserted; a new one takes its number under its definition's row lock (the `UPDATE` of
 * `latest_version`), so concurrent updates get consecutive numbers and never the same one.
 *
 * @example
 * const definitions = createDefinitionRepository(db);
 * await definitions.create("acme", "sales-monthly", definition); // version 1, a draft
 * await definitions.publish("acme", "sales-monthly", 1);
 * await definitions.version("acme", "sales-monthly"); // { found: { name, version: 1, definition } }
 */
export function createDefinitionRepository(db: Database) {
  const owned = (owner: string, name: string) => and(eq(d.owner, owner), eq(d.name, name));

  return {
    /** Saves version 1 of a new definition (unpublished); throws {@link DefinitionExistsError} for a taken name. */
    async create(owner: string, name: string, definition: ReportDefinition): Promise<DefinitionSummary> {
      return db.transaction(async (tx) => {
        const [row] = await tx
          .insert(d)
          .values({ owner, name })
          .onConflictDoNothing()
          .returning({ id: d.id, ...summaryColumns });
        if (!row) throw new DefinitionExistsError(name);
        await tx.insert(v).values({ definitionId: row.id, version: 1, definition });
        return toSummary(row);
      });
    },

    /** Saves the next version of a definition (unpublished); null when the owner has no such definition. */
    async addVersion(owner: string, name: string, definition: ReportDefinition): Promise<DefinitionSummary | null> {
      return db.transaction(async (tx) => {
        const [row] = await tx
          .update(d)
          .set({ latestVersion: sql`${d.latestVersion} + 1`, updatedAt: sql`now()` })
          .where(owned(owner, name))
          .returning({ id: d.id, ...summaryColumns });
        if (!row) return null;
        await tx.insert(v).values({ definitionId: row.id, version: row.latestVersion, definition });
        return toSummary(row);
      });
    },

    /**
     * Makes `version` the one requests without a version use, in one statement that also checks the version
     * exists. Publishing the published version again changes nothing but `updatedAt`.
     */
    async publish(
      owner: string,
      name: string,
      version: number,
    ): Promise<{ published: DefinitionSummary } | { missing: Exclude<MissingVersion, "unpublished"> }> {
      const versionExists = db
        .select({ one: sql`1` })
        .from(v)
        .where(and(eq(v.definitionId, d.id), eq(v.version, version)));
      const [row] = await db
        .update(d)
        .set({ publishedVersion: version, updatedAt: sql`now()` })
        .where(and(owned(owner, name), exists(versionExists)))
        .returning(summaryColumns);
      if (row) return { published: toSummary(row) };
      const [known] = await db.select({ id: d.id }).from(d).where(owned(owner, name)).limit(1);
      return { missing: known ? "version" : "definition" };
    },

    /** The owner's definitions by name (at most {@link DEFINITIONS_LIST_MAX}). */
    async list(owner: string): Promise<DefinitionSummary[]> {
      const rows = await db
        .select(summaryColumns)
        .from(d)
        .where(eq(d.owner, owner))
        .orderBy(asc(d.name))
        .limit(DEFINITIONS_LIST_MAX);
      return rows.map(toSummary);
    },

    /** A definition with every version, newest first; null when the owner has no such definition. */
    async get(owner: string, name: string): Promise<DefinitionDetail | null> {
      const [row] = await db
        .select({ id: d.id, ...summaryColumns })
        .from(d)
        .where(owned(owner, name))
        .limit(1);
      if (!row) return null;
      const versions = await db
        .select({ version: v.version, createdAt: v.createdAt, definition: v.definition })
        .from(v)
        .where(eq(v.definitionId, row.id))
        .orderBy(desc(v.version));
      return {
        ...toSummary(row),
        versions: versions.map((x) => ({ ...x, createdAt: x.createdAt.toISOString() })),
      };
    },

    /** One version of a definition (the published one when `version` is left out), in one query. */
    async version(
      owner: string,
      name: string,
      version?: number,
    ): Promise<{ found: DefinitionVersionOf } | { missing: MissingVersion }> {
      const wanted = version === undefined ? d.publishedVersion : sql`${version}::integer`;
      const [row] = await db
        .select({ version: v.version, definition: v.definition })
        .from(d)
        .leftJoin(v, and(eq(v.definitionId, d.id), eq(v.version, wanted)))
        .where(owned(owner, name))
        .limit(1);
      if (!row) return { missing: "definition" };
      if (row.version === null || row.definition === null) {
        return { missing: version === undefined ? "unpublished" : "version" };
      }
      return { found: { name, version: row.version, definition: row.definition } };
    },

    /**
     * Every owner's definitions for the operator dashboard, by name, with their versions (newest first) and how
     * many requests each version made.
     */
    async adminPage(options: {
      search?: string | undefined;
      page: number;
      pageSize: number;
    }): Promise<AdminDefinitionsPage> {
      const search = options.search ? `%${options.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
      const where = search ? or(ilike(d.name, search), ilike(d.owner, search)) : undefined;
      const [rows, [total]] = await Promise.all([
        db
          .select({ id: d.id, owner: d.owner, ...summaryColumns })
          .from(d)
          .where(where)
          .orderBy(asc(d.name), asc(d.owner))
          .limit(options.pageSize)
          .offset((options.page - 1) * options.pageSize),
        db.select({ n: count() }).from(d).where(where),
      ]);
      const ids = rows.map((row) => row.id);
      const versions =
        ids.length === 0
          ? []
          : await db
              .select({
                definitionId: v.definitionId,
                version: v.version,
                createdAt: v.createdAt,
                title: sql<string>`${v.definition}->>'title'`,
                formats: sql<ReportFormat[]>`${v.definition}->'formats'`,
                requests: sql<number>`(select count(*)::int from ${reportRequests} where ${reportRequests.owner} = ${d.owner} and ${reportRequests.definitionName} = ${d.name} and ${reportRequests.definitionVersion} = ${v.version})`,
              })
              .from(v)
              .innerJoin(d, eq(d.id, v.definitionId))
              .where(inArray(v.definitionId, ids))
              .orderBy(desc(v.version));
      return {
        items: rows.map(({ id, owner, ...row }) => ({
          owner,
          ...toSummary(row),
          versions: versions
            .filter((x) => x.definitionId === id)
            .map(({ definitionId: _id, createdAt, ...x }) => ({ ...x, createdAt: createdAt.toISOString() })),
        })),
        total: total?.n ?? 0,
        page: options.page,
        pageSize: options.pageSize,
      };
    },
  };
}

export type DefinitionRepository = ReturnType<typeof createDefinitionRepository>;
