import { toReportStatus, type WebhookEvent } from "@reports/contracts";
import {
  createWebhookRepository,
  type Database,
  type DueDelivery,
  type RequestSummary,
  toCachedStatus,
  webhookEventOf,
} from "@reports/db";
import type { Logger } from "@reports/logger";
import type { Storage } from "@reports/storage";
import type { Counter } from "prom-client";
import { postWebhook, signatureHeader } from "./post";

export interface WebhookSettings {
  /** Signs deliveries of requests that brought no secret of their own; unset: those go unsigned. */
  secret: string | undefined;
  timeoutMs: number;
  maxAttempts: number;
  /** Delay before attempt n+1 is `min(baseDelayMs × 2^(n−1), maxDelayMs)`. */
  baseDelayMs: number;
  maxDelayMs: number;
  pollMs: number;
  /** How far back the sweep looks for final requests whose event was never recorded. */
  sweepWindowMs: number;
  allowedHosts: ReadonlySet<string>;
  /** Lifetime of the download link in a `report.done` event. */
  urlTtlSeconds: number;
}

export interface WebhookDispatcher {
  /** Records the event of a request that just became final (if it has a webhook) and delivers it soon. */
  finished(row: RequestSummary): Promise<void>;
  /** Sweeps, then delivers what is due, until nothing is. */
  runOnce(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

const BATCH = 20;
const SWEEP_EVERY_MS = 30_000;

/**
 * Delivers webhook events: claims due deliveries (a lease, so several worker processes share the work), POSTs
 * them signed, and records each attempt; failures are retried with exponential backoff, then marked failed.
 */
export function createWebhookDispatcher(
  deps: { db: Database; storage: Storage; logger: Logger; deliveries?: Counter<"outcome"> },
  settings: WebhookSettings,
): WebhookDispatcher {
  const repo = createWebhookRepository(deps.db);
  const log = deps.logger.child({ component: "webhooks" });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  let again = false;
  let lastSweep = 0;

  async function deliver({ delivery, request }: DueDelivery): Promise<void> {
    const cached = toCachedStatus(request);
    const url =
      cached.status === "done" && cached.fileKey
        ? await deps.storage.downloadUrl(cached.fileKey, {
            expiresInSeconds: settings.urlTtlSeconds,
            fileName: cached.report.fileName,
          })
        : null;
    const event: WebhookEvent = {
      id: delivery.id,
      type: delivery.event,
      createdAt: delivery.createdAt.toISOString(),
      data: toReportStatus(cached, url),
    };
    const body = JSON.stringify(event);
    const secret = request.webhookSecret ?? settings.secret;
    const headers: Record<string, string> = {
      "user-agent": "reports-webhooks/1",
      "x-reports-event": delivery.event,
      "x-reports-delivery": delivery.id,
      ...(secret ? { "x-reports-signature": signatureHeader(secret, body, Math.floor(Date.now() / 1000)) } : {}),
    };
    const outcome = await postWebhook(delivery.url, body, headers, settings);
    const fields = { requestId: request.requestId, deliveryId: delivery.id, attempt: delivery.attempts };
    if (outcome.error === null) {
      await repo.delivered(delivery.id, outcome.statusCode ?? 0);
      deps.deliveries?.inc({ outcome: "delivered" });
      log.info({ ...fields, statusCode: outcome.statusCode }, "webhook delivered");
      return;
    }
    const last = outcome.final || delivery.attempts >= settings.maxAttempts;
    const retryInMs = last ? null : Math.min(settings.baseDelayMs * 2 ** (delivery.attempts - 1), settings.maxDelayMs);
    await repo.attemptFailed(delivery.id, { statusCode: outcome.statusCode, error: outcome.error }, retryInMs);
    deps.deliveries?.inc({ outcome: last ? "failed" : "retrying" });
    log.warn(
      { ...fields, error: outcome.error, retryInMs },
      last ? "webhook failed for good" : "webhook failed; will retry",
    );
  }

  async function pass(): Promise<void> {
    if (Date.now() - lastSweep >= SWEEP_EVERY_MS) {
      lastSweep = Date.now();
      await repo.sweep(settings.sweepWindowMs);
    }
    for (;;) {
      const due = await repo.claimDue(BATCH, settings.timeoutMs * 3);
      await Promise.all(
        due.map((d) =>
          deliver(d).catch((err) => log.error({ err, deliveryId: d.delivery.id }, "webhook attempt not recorded")),
        ),
      );
      if (due.length < BATCH) return;
    }
  }

  /** One pass at a time; a call during a pass asks for another right after it. */
  function runOnce(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = pass()
      .catch((err) => log.warn({ err }, "webhook pass failed; next one retries"))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          void runOnce();
        }
      });
    return running;
  }

  return {
    async finished(row) {
      if (!row.webhookUrl || !webhookEventOf(row)) return;
      await repo.enqueue(row);
      void runOnce();
    },
    runOnce,
    start() {
      timer ??= setInterval(() => void runOnce(), settings.pollMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      again = false;
      await running;
    },
  };
}
