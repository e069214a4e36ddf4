// The statements every report runs, built once per database (`preparedOnce`): drizzle builds their SQL once and
// PostgreSQL parses and plans them once per connection. Building the insert again for every request was ~14% of the
// BFF's CPU per POST /generate.

import { type DefinitionRef, downloadName, type ReportSpec, rowCount, type StoredInput } from "@reports/contracts";
import DataLoader from "dataloader";
import { and, eq, getTableColumns, sql } from "drizzle-orm";
import type { Database } from "./client";
import { type ReportRequestRow, reportRequests } from "./schema";
import { bump } from "./transitions";

const r = reportRequests;

const { spec: _spec, input: _input, webhookSecret: _webhookSecret, ...summaryColumns } = getTableColumns(r);
/**
 * The columns of a request every status, admin and transition path reads: all but the spec, the stored input's
 * reference and the webhook secret (a spec can weigh megabytes; only a worker's claim needs it).
 */
export const requestSummaryColumns = summaryColumns;
/** A request without its spec, input and webhook secret. */
export type RequestSummary = Omit<ReportRequestRow, "spec" | "input" | "webhookSecret">;

/** How long a mark of a published request waits for others to share its statement. */
const MARK_BATCH_MS = 2;

/**
 * The marks of published requests, batched: one per database, not per repository (a transaction makes its own). One
 * array parameter, not IN (…): one statement text, prepared once, whatever the batch's size.
 */
export function enqueuedMarks(db: Database) {
  return new DataLoader<string, void>(
    async (ids) => {
      await db
        .update(r)
        .set({ enqueuedAt: sql`now()` })
        .where(sql`${r.requestId} = any(${sql.param([...ids])}::uuid[])`);
      return ids.map(() => undefined);
    },
    { cache: false, maxBatchSize: 500, batchScheduleFn: (mark) => setTimeout(mark, MARK_BATCH_MS) },
  );
}

export interface CreateOptions {
  owner?: string;
  /** The rows of a streamed report, already in object storage. */
  input?: StoredInput;
  /** The definition version the spec was resolved from. */
  definition?: DefinitionRef;
  /** `JSON.stringify(spec)`, when the caller already made it (not made again for the stored spec). */
  specJson?: string;
}

/** What a new request's insert binds; the JSON ones already stringified. */
export type CreateValues = ReturnType<typeof createValues>;

/**
 * The insert's values for a spec. Its webhook goes to columns of its own (the secret must never show in a status); a
 * streamed report's rows are in `input`, not in its spec.
 */
export function createValues(spec: ReportSpec, options: CreateOptions) {
  const { webhook, ...stored } = spec;
  return {
    owner: options.owner ?? "anonymous",
    format: spec.format,
    title: spec.title,
    fileName: downloadName(spec),
    rowCount: options.input ? options.input.counts.reduce((n, c) => n + c, 0) : rowCount(spec),
    // without a webhook the stored spec is the spec, key for key
    spec: options.specJson !== undefined && webhook === undefined ? options.specJson : JSON.stringify(stored),
    webhookUrl: webhook?.url ?? null,
    webhookSecret: webhook?.secret ?? null,
    input: options.input ? JSON.stringify(options.input) : null,
    definitionName: options.definition?.name ?? null,
    definitionVersion: options.definition?.version ?? null,
  };
}

/** The insert of a new request; values as placeholders ({@link createValues}). */
export function prepareCreate(db: Database, name: string) {
  const p = sql.placeholder;
  return db
    .insert(r)
    .values({
      owner: sql`${p("owner")}`,
      format: sql`${p("format")}`,
      title: sql`${p("title")}`,
      fileName: sql`${p("fileName")}`,
      rowCount: sql`${p("rowCount")}`,
      spec: sql`${p("spec")}::jsonb`,
      webhookUrl: sql`${p("webhookUrl")}`,
      webhookSecret: sql`${p("webhookSecret")}`,
      input: sql`${p("input")}::jsonb`,
      definitionName: sql`${p("definitionName")}`,
      definitionVersion: sql`${p("definitionVersion")}`,
    })
    .returning(summaryColumns)
    .prepare(name);
}

export function prepareFindStatus(db: Database, name: string) {
  return db
    .select(summaryColumns)
    .from(r)
    .where(eq(r.requestId, sql`${sql.placeholder("requestId")}`))
    .limit(1)
    .prepare(name);
}

export function prepareComplete(db: Database, name: string) {
  const p = sql.placeholder;
  return db
    .update(r)
    .set({
      status: "done",
      fileKey: sql`${p("fileKey")}`,
      warnings: sql`${p("warnings")}::jsonb`,
      claimToken: null,
      leaseExpiresAt: null,
      completions: sql`${r.completions} + 1`,
      lastErrorType: null,
      lastErrorMessage: null,
      ...bump,
    })
    .where(
      and(eq(r.requestId, sql`${p("requestId")}`), eq(r.status, "processing"), eq(r.claimToken, sql`${p("token")}`)),
    )
    .returning(summaryColumns)
    .prepare(name);
}
