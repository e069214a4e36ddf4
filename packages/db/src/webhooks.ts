import type { WebhookEventType } from "@reports/contracts";
import { and, eq, inArray, isNotNull, sql } from "drizzle-orm";
import type { Database } from "./client";
import { type RequestSummary, requestSummaryColumns } from "./repository";
import { type ReportRequestRow, reportRequests, type WebhookDeliveryRow, webhookDeliveries } from "./schema";

const d = webhookDeliveries;
const r = reportRequests;

/** The event a final request sends, or null while it is not final. */
export function webhookEventOf(row: Pick<ReportRequestRow, "status">): WebhookEventType | null {
  return row.status === "done" ? "report.done" : row.status === "error" ? "report.error" : null;
}

/** A claimed delivery with the request it is about (without its spec: a delivery never needs it). */
export interface DueDelivery {
  delivery: WebhookDeliveryRow;
  request: RequestSummary & Pick<ReportRequestRow, "webhookSecret">;
}

/**
 * The webhook deliveries: created when a request with a webhook reaches `done` or `error` (by the worker that
 * finished it, and by a sweep that catches what a crash in between left out), claimed with a lease by one
 * dispatcher at a time, and settled as delivered, retried later or failed.
 */
export function createWebhookRepository(db: Database) {
  return {
    /** Records the event of a final request with a webhook (once per request and event). */
    async enqueue(row: Pick<ReportRequestRow, "requestId" | "status" | "webhookUrl">): Promise<void> {
      const event = webhookEventOf(row);
      if (!event || !row.webhookUrl) return;
      await db.insert(d).values({ requestId: row.requestId, event, url: row.webhookUrl }).onConflictDoNothing();
    },

    /** Records the events of final requests updated in the last `withinMs` that have none yet; how many. */
    async sweep(withinMs: number): Promise<number> {
      const rows = await db
        .select({ requestId: r.requestId, status: r.status, webhookUrl: r.webhookUrl })
        .from(r)
        .where(
          and(
            isNotNull(r.webhookUrl),
            sql`${r.updatedAt} > now() - make_interval(secs => ${withinMs / 1000})`,
            inArray(r.status, ["done", "error"]),
            sql`not exists (select 1 from ${d} where ${d.requestId} = ${r.requestId}
              and ${d.event} = case ${r.status} when 'done' then 'report.done' else 'report.error' end)`,
          ),
        )
        .limit(500);
      for (const row of rows) await this.enqueue(row);
      return rows.length;
    },

    /** Takes up to `limit` due deliveries for `leaseMs`; another dispatcher skips them meanwhile. */
    async claimDue(limit: number, leaseMs: number): Promise<DueDelivery[]> {
      const due = db
        .select({ id: d.id })
        .from(d)
        .where(
          and(
            eq(d.status, "pending"),
            sql`${d.nextAttemptAt} <= now()`,
            sql`(${d.leaseExpiresAt} is null or ${d.leaseExpiresAt} < now())`,
          ),
        )
        .orderBy(d.nextAttemptAt)
        .limit(limit)
        .for("update", { skipLocked: true });
      const claimed = await db
        .update(d)
        .set({
          attempts: sql`${d.attempts} + 1`,
          leaseExpiresAt: sql`now() + make_interval(secs => ${leaseMs / 1000})`,
          updatedAt: sql`now()`,
        })
        .where(inArray(d.id, due))
        .returning();
      if (claimed.length === 0) return [];
      const requests = await db
        .select({ ...requestSummaryColumns, webhookSecret: r.webhookSecret })
        .from(r)
        .where(
          inArray(
            r.requestId,
            claimed.map((c) => c.requestId),
          ),
        );
      const byId = new Map(requests.map((row) => [row.requestId, row]));
      return claimed.flatMap((delivery) => {
        const request = byId.get(delivery.requestId);
        return request ? [{ delivery, request }] : [];
      });
    },

    async delivered(id: string, statusCode: number): Promise<void> {
      await db
        .update(d)
        .set({
          status: "delivered",
          lastStatusCode: statusCode,
          lastError: null,
          deliveredAt: sql`now()`,
          leaseExpiresAt: null,
          updatedAt: sql`now()`,
        })
        .where(eq(d.id, id));
    },

    /** Records a failed attempt: tried again after `retryInMs`, or `failed` for good when that is null. */
    async attemptFailed(
      id: string,
      outcome: { statusCode: number | null; error: string },
      retryInMs: number | null,
    ): Promise<void> {
      await db
        .update(d)
        .set({
          status: retryInMs === null ? "failed" : "pending",
          lastStatusCode: outcome.statusCode,
          lastError: outcome.error.slice(0, 500),
          nextAttemptAt:
            retryInMs === null ? sql`${d.nextAttemptAt}` : sql`now() + make_interval(secs => ${retryInMs / 1000})`,
          leaseExpiresAt: null,
          updatedAt: sql`now()`,
        })
        .where(eq(d.id, id));
    },

    async listFor(requestId: string): Promise<WebhookDeliveryRow[]> {
      return db.select().from(d).where(eq(d.requestId, requestId)).orderBy(d.createdAt);
    },
  };
}

export type WebhookRepository = ReturnType<typeof createWebhookRepository>;
