import type { ReportErrorType } from "./errors";
import type { ReportFormat } from "./spec";
import type { ReportState, ReportWarning } from "./status";

/**
 * What the operator dashboard (`/admin`, tRPC `admin.*`) reads and does. Types and constants only (no zod), so the
 * dashboard's bundle can import `@reports/contracts/admin` for nothing but these.
 */

/** A worker process that reported itself alive (it writes a heartbeat every few seconds). */
export interface WorkerHeartbeat {
  id: string;
  host: string;
  pid: number;
  startedAt: string;
  lastSeenAt: string;
  /** Reports it is rendering now. */
  inFlight: number;
  /** Reports it renders at once at most. */
  concurrency: number;
}

/** Messages waiting in the broker; null when the broker could not be asked. */
export interface QueueDepths {
  /** Waiting in the work queue. */
  ready: number;
  /** Waiting out a retry delay. */
  retrying: number;
  /** Parked in the dead-letter queue. */
  deadLettered: number;
}

export interface AdminOverview {
  counts: Record<ReportState, number>;
  /**
   * True when the final states' counts are PostgreSQL's estimates (the table is past the exact-count threshold);
   * `queued` and `processing` are always exact.
   */
  countsEstimated?: boolean;
  /** Requests in `error`, by type, most first. */
  errorsByType: Array<{ type: ReportErrorType; count: number }>;
  queue: QueueDepths | null;
  /** Workers seen within the last {@link WORKER_ALIVE_SECONDS} seconds. */
  workers: WorkerHeartbeat[];
  generatedAt: string;
}

/** A worker that has not written a heartbeat for this long is no longer shown as alive. */
export const WORKER_ALIVE_SECONDS = 30;

/** One minute of the throughput chart: reports that ended in it, by outcome, and their render time. */
export interface ThroughputMinute {
  /** Start of the minute (ISO). */
  minute: string;
  done: number;
  error: number;
  cancelled: number;
  /** Claim → done, of the reports done in this minute; null when none. */
  renderP50Ms: number | null;
  renderP95Ms: number | null;
}

/** A row of the requests table. */
export interface AdminRequest {
  requestId: string;
  owner: string;
  format: ReportFormat;
  title: string;
  rowCount: number;
  status: ReportState;
  attempts: number;
  createdAt: string;
  updatedAt: string;
  /** Created → first claimed; null until a worker took it. */
  waitMs: number | null;
  /** Last claim → final state; null until final. */
  renderMs: number | null;
  error: { type: ReportErrorType; message: string } | null;
  /** The failure of the last attempt while it waits for a retry. */
  lastError: { type: ReportErrorType; message: string } | null;
}

/** One transition of a request, as recorded by the database. */
export interface AdminHistoryEntry {
  status: ReportState;
  attempt: number;
  at: string;
  error: { type: ReportErrorType; message: string } | null;
}

export interface AdminRequestDetail extends AdminRequest {
  fileName: string;
  history: AdminHistoryEntry[];
  /** A signed link while `done`. */
  downloadUrl: string | null;
  webhookUrl: string | null;
  /** What the render of a `done` report warned about; empty otherwise. */
  warnings: ReportWarning[];
}

/**
 * A page of a list read by key (newest first): cheap at any depth, with no count of the whole list. The next page
 * is the one after `nextCursor`.
 */
export interface AdminPage<T> {
  items: T[];
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

/** The requests table's query. */
export interface AdminRequestsInput {
  /**
   * A request id or its first characters (hex digits, dashes optional), or part of the owner or the title
   * (case-insensitive, at least {@link ADMIN_TEXT_SEARCH_MIN} characters: a shorter word has no indexed form).
   */
  search?: string;
  status?: ReportState;
  /** The previous page's `nextCursor`; none for the first page. */
  cursor?: string;
  pageSize?: number;
}

/** Owner and title search needs this many characters (trigrams); an id prefix needs one hex digit. */
export const ADMIN_TEXT_SEARCH_MIN = 3;

/** The dead letters page counts failed requests exactly up to this many; past it, it says "more than". */
export const ADMIN_FAILED_COUNT_CAP = 10_000;

/** How many requests one `admin.replay` call takes; the dashboard replays "all" in batches of this size. */
export const REPLAY_BATCH_MAX = 100;
