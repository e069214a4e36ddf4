import {
  type ReportErrorType,
  type ReportFormat,
  type ReportSpec,
  type ReportState,
  type ReportWarning,
  reportErrorType,
  reportFormat,
  reportState,
  type StoredInput,
  type WebhookEventType,
} from "@reports/contracts";
import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

type NonEmpty<T> = [T, ...T[]];

export const reportStatusEnum = pgEnum("report_status", reportState.options as NonEmpty<ReportState>);
export const reportErrorTypeEnum = pgEnum("report_error_type", reportErrorType.options as NonEmpty<ReportErrorType>);
export const reportFormatEnum = pgEnum("report_format", reportFormat.options as NonEmpty<ReportFormat>);

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export const reportRequests = pgTable(
  "report_requests",
  {
    requestId: uuid("request_id").primaryKey().defaultRandom(),
    /** Who asked for it: only they can read it. `anonymous` when the API runs without authentication. */
    owner: text("owner").notNull().default("anonymous"),
    status: reportStatusEnum("status").notNull().default("queued"),
    format: reportFormatEnum("format").notNull(),
    title: text("title").notNull(),
    /** Download name with extension. */
    fileName: text("file_name").notNull(),
    rowCount: integer("row_count").notNull(),
    spec: jsonb("spec").$type<ReportSpec>().notNull(),
    /** Where the rows of a streamed report wait in object storage; its `spec` then has none. */
    input: jsonb("input").$type<StoredInput>(),
    /** Where the final status is POSTed, and its signing secret (never shown in a status). */
    webhookUrl: text("webhook_url"),
    webhookSecret: text("webhook_secret"),
    /** The stored file; kept on an `expired` request until storage confirmed its removal. */
    fileKey: text("file_key"),
    /** When the retention job removed the file of this `done` request (status `expired`). */
    expiredAt: timestamptz("expired_at"),
    errorType: reportErrorTypeEnum("error_type"),
    errorMessage: text("error_message"),
    /** What the render of a `done` report warned about (e.g. characters no font has); null when nothing. */
    warnings: jsonb("warnings").$type<ReportWarning[]>(),
    attempts: integer("attempts").notNull().default(0),
    /** The failure of the last attempt, kept while the request waits for its retry. */
    lastErrorType: reportErrorTypeEnum("last_error_type"),
    lastErrorMessage: text("last_error_message"),
    /** How many times the request reached `done`: an audit that must never pass 1. */
    completions: integer("completions").notNull().default(0),
    /**
     * When a message for it was last confirmed by the broker (or taken by a relay about to publish it); null while
     * no message is known to be queued. The relay publishes `queued` rows that stay null (the row is the outbox);
     * the sweeper republishes what waited too long.
     */
    enqueuedAt: timestamptz("enqueued_at"),
    /**
     * When a worker took its message while its owner already had MAX_RUNNING_PER_OWNER reports rendering: no
     * message is out for it now; the owner's next report to leave `processing` publishes it again.
     */
    parkedAt: timestamptz("parked_at"),
    /** Set by a claim; only its holder may complete or fail the request. */
    claimToken: uuid("claim_token"),
    /** When the last claim took it: wait = first claim − created, render = final − last claim. */
    startedAt: timestamptz("started_at"),
    /** When it was first claimed. */
    firstStartedAt: timestamptz("first_started_at"),
    /** Lease, not lock: a dead worker's claim expires and another may take the request. */
    leaseExpiresAt: timestamptz("lease_expires_at"),
    /** Bumped by every transition; the cache keeps the highest version it has seen. */
    version: integer("version").notNull().default(1),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    // the dead letters page (status = 'error', by updated_at then id), the retention's expiry and the counts
    index("report_requests_status_updated_at_idx").on(t.status, t.updatedAt, t.requestId),
    // the requests page, newest first, a page after a (created_at, id) cursor; retention by age
    index("report_requests_created_at_idx").on(t.createdAt, t.requestId),
    // the requests page filtered by status
    index("report_requests_status_created_at_idx").on(t.status, t.createdAt, t.requestId),
    // the overview's failed requests by error type, counted from the index alone
    index("report_requests_error_type_idx").on(t.errorType).where(sql`${t.status} = 'error'`),
    // the requests page's text search (ILIKE '%…%' on owner and title, through trigrams)
    index("report_requests_search_idx").using("gin", sql`(${t.owner} || ' ' || ${t.title}) gin_trgm_ops`),
    // the retention's orphan sweep: is a stored input referenced by a request?
    index("report_requests_input_prefix_idx").on(sql`(${t.input} ->> 'prefix')`).where(sql`${t.input} is not null`),
    // the webhook sweep looks at recent final requests that have a webhook, and only at those
    index("report_requests_webhook_updated_at_idx").on(t.updatedAt).where(sql`${t.webhookUrl} is not null`),
    // the relay: stored rows no broker has confirmed (few, and only for seconds)
    index("report_requests_unpublished_idx")
      .on(t.createdAt)
      .where(sql`${t.enqueuedAt} is null and ${t.status} = 'queued'`),
    // the sweeper: requests still in flight, by when they were last published
    index("report_requests_in_flight_idx").on(t.enqueuedAt).where(sql`${t.status} in ('queued', 'processing')`),
    // the per-owner cap: an owner's reports rendering now (a handful)
    index("report_requests_running_owner_idx").on(t.owner).where(sql`${t.status} = 'processing'`),
    // an owner's parked requests, oldest first: the next one to publish when a render of theirs ends
    index("report_requests_parked_idx")
      .on(t.owner, t.createdAt)
      .where(sql`${t.parkedAt} is not null and ${t.status} = 'queued'`),
  ],
);

export type ReportRequestRow = typeof reportRequests.$inferSelect;

/** API keys, stored as SHA-256 hashes: the key itself is shown once, at creation. */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    owner: text("owner").notNull(),
    name: text("name").notNull().default(""),
    /** The first characters of the key, to tell keys apart in listings. */
    prefix: text("prefix").notNull(),
    /** An operator's key: it may also open the dashboard and call the `admin` procedures. */
    admin: boolean("admin").notNull().default(false),
    keyHash: text("key_hash").notNull(),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    revokedAt: timestamptz("revoked_at"),
  },
  (t) => [uniqueIndex("api_keys_key_hash_idx").on(t.keyHash)],
);
export type ApiKeyRow = typeof apiKeys.$inferSelect;

/** Idempotency keys of `POST /generate`: one request per owner and key until the key expires. */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    owner: text("owner").notNull(),
    key: text("key").notNull(),
    /** SHA-256 of the request body: the same key with another body is refused. */
    bodyHash: text("body_hash").notNull(),
    requestId: uuid("request_id")
      .notNull()
      .references(() => reportRequests.requestId, { onDelete: "cascade" }),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    expiresAt: timestamptz("expires_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.owner, t.key] }), index("idempotency_keys_expires_at_idx").on(t.expiresAt)],
);

export const webhookDeliveryStatus = pgEnum("webhook_delivery_status", ["pending", "delivered", "failed"]);

/**
 * One webhook event of one request (unique per request and event) and how its delivery went: `pending` until
 * a 2xx answer (`delivered`) or the last attempt (`failed`). Dispatchers claim due rows with a lease.
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    requestId: uuid("request_id")
      .notNull()
      .references(() => reportRequests.requestId, { onDelete: "cascade" }),
    event: text("event").$type<WebhookEventType>().notNull(),
    url: text("url").notNull(),
    status: webhookDeliveryStatus("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamptz("next_attempt_at").notNull().defaultNow(),
    leaseExpiresAt: timestamptz("lease_expires_at"),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    deliveredAt: timestamptz("delivered_at"),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_request_event_idx").on(t.requestId, t.event),
    index("webhook_deliveries_due_idx").on(t.status, t.nextAttemptAt),
  ],
);
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;

/**
 * Every status a request went through, written by a trigger on `report_requests` (so no transition can forget
 * it): the dashboard's history of a request.
 */
export const reportEvents = pgTable(
  "report_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    requestId: uuid("request_id")
      .notNull()
      .references(() => reportRequests.requestId, { onDelete: "cascade" }),
    status: reportStatusEnum("status").notNull(),
    attempt: integer("attempt").notNull(),
    errorType: reportErrorTypeEnum("error_type"),
    errorMessage: text("error_message"),
    at: timestamptz("at").notNull().defaultNow(),
  },
  (t) => [index("report_events_request_id_idx").on(t.requestId, t.id)],
);
export type ReportEventRow = typeof reportEvents.$inferSelect;

/** Worker processes and when each last said it was alive (a heartbeat every few seconds; removed on a clean stop). */
export const workerHeartbeats = pgTable("worker_heartbeats", {
  id: text("id").primaryKey(),
  host: text("host").notNull(),
  pid: integer("pid").notNull(),
  concurrency: integer("concurrency").notNull(),
  inFlight: integer("in_flight").notNull().default(0),
  startedAt: timestamptz("started_at").notNull().defaultNow(),
  lastSeenAt: timestamptz("last_seen_at").notNull().defaultNow(),
});
export type WorkerHeartbeatRow = typeof workerHeartbeats.$inferSelect;

/** Leases of jobs that one process at a time may run (the retention job): held until `expiresAt` or released. */
export const jobLeases = pgTable("job_leases", {
  name: text("name").primaryKey(),
  holder: text("holder").notNull(),
  expiresAt: timestamptz("expires_at").notNull(),
});
