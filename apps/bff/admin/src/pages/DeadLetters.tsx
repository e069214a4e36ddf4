import { REPLAY_BATCH_MAX } from "@reports/contracts/admin";
import { useState } from "react";
import { api } from "../api";
import { ErrorAlert } from "../components/Alert";
import { PageHeader } from "../components/Card";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { Pagination, useCursorPages } from "../components/Pagination";
import { RequestLink } from "../components/RequestLink";
import { usePoll } from "../components/usePoll";
import { formatAgo, formatNumber, formatTime, plural } from "../format";

const PAGE_SIZE = 25;

/** What the operator is asked to confirm: one request, or every failed one (ids read when "Replay all" was pressed). */
type Pending = { kind: "one"; requestId: string; title: string } | { kind: "all"; requestIds: string[] };

interface Progress {
  /** Ids sent so far. */
  done: number;
  total: number;
  replayed: number;
  skipped: number;
  finished: boolean;
}

/** Requests that failed for good, and their replay (one, or all in batches of {@link REPLAY_BATCH_MAX}). */
export function DeadLetters({ onChange }: { onChange: () => void }) {
  const pages = useCursorPages();
  const failed = usePoll(
    () => api.admin.deadLetters.query({ ...(pages.cursor ? { cursor: pages.cursor } : {}), pageSize: PAGE_SIZE }),
    3_000,
    [pages.cursor],
  );
  const [pending, setPending] = useState<Pending | null>(null);
  const [loadingIds, setLoadingIds] = useState(false);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const data = failed.data;
  // counted exactly up to a cap: past it, "10,000+"
  const failedCount = data ? `${formatNumber(data.failedCount)}${data.failedCountCapped ? "+" : ""}` : "";
  const busy = loadingIds || (progress !== null && !progress.finished);

  async function askReplayAll() {
    setActionError(null);
    setLoadingIds(true);
    try {
      const requestIds = await api.admin.failedIds.query();
      setPending({ kind: "all", requestIds });
    } catch (err) {
      setActionError(err);
    } finally {
      setLoadingIds(false);
    }
  }

  async function replay(ids: string[]) {
    setPending(null);
    setActionError(null);
    const state: Progress = { done: 0, total: ids.length, replayed: 0, skipped: 0, finished: false };
    setProgress({ ...state });
    try {
      for (let i = 0; i < ids.length; i += REPLAY_BATCH_MAX) {
        const batch = ids.slice(i, i + REPLAY_BATCH_MAX);
        // dead letters go in one pass after the last batch, not one pass over the whole queue per batch
        const result = await api.admin.replay.mutate({ requestIds: batch, keepDeadLetters: ids.length > batch.length });
        state.done += batch.length;
        state.replayed += result.replayed.length;
        state.skipped += result.skipped.length;
        setProgress({ ...state });
      }
      if (ids.length > REPLAY_BATCH_MAX) await api.admin.pruneDeadLetters.mutate();
    } catch (err) {
      setActionError(err);
    } finally {
      setProgress({ ...state, finished: true });
      failed.refresh();
      onChange();
    }
  }

  const count = pending === null ? 0 : pending.kind === "one" ? 1 : pending.requestIds.length;
  return (
    <>
      <PageHeader
        title="Dead letters"
        subtitle={
          <>
            <p className="lead">
              Requests that failed for good. Fix the cause, then replay: they go back to the queue with fresh attempts.
            </p>
            <p className="muted broker-count">
              {data === undefined
                ? "Broker: …"
                : data.brokerCount === null
                  ? "Broker dead-letter queue: unavailable (the broker did not answer)."
                  : `Broker dead-letter queue: ${plural(data.brokerCount, "message")} · database: ${failedCount} failed ${data.failedCount === 1 && !data.failedCountCapped ? "request" : "requests"}.`}
            </p>
          </>
        }
        actions={
          <button
            type="button"
            className="button button-primary"
            disabled={busy || !data?.failedCount}
            onClick={() => void askReplayAll()}
          >
            Replay all{data?.failedCount ? ` (${failedCount})` : ""}
          </button>
        }
      />
      {progress ? (
        <div className={progress.finished ? "progress progress-done" : "progress"}>
          <progress aria-label="Replay progress" max={Math.max(1, progress.total)} value={progress.done} />
          <span role="status">
            {progress.finished
              ? `Replayed ${formatNumber(progress.replayed)} (${formatNumber(progress.skipped)} skipped)`
              : `Replayed ${formatNumber(progress.done)} of ${formatNumber(progress.total)}`}
          </span>
          {progress.finished ? (
            <button type="button" className="button small button-ghost-light" onClick={() => setProgress(null)}>
              Dismiss
            </button>
          ) : null}
        </div>
      ) : null}
      <ErrorAlert error={actionError} />
      <ErrorAlert error={failed.error} staleSince={failed.updatedAt} />
      <section className="card card-flush">
        <div className="table-wrap">
          <table className="table" aria-label="Dead letters">
            <thead>
              <tr>
                <th>Request</th>
                <th>Title</th>
                <th>Owner</th>
                <th>Error type</th>
                <th>Message</th>
                <th className="num">Attempts</th>
                <th>Failed at</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data?.items.map((r) => (
                <tr key={r.requestId}>
                  <td>
                    <RequestLink requestId={r.requestId} />
                  </td>
                  <td className="title-cell">{r.title}</td>
                  <td>{r.owner}</td>
                  <td>
                    <span className="tag">{r.error?.type ?? "—"}</span>
                  </td>
                  <td className="message">{r.error?.message ?? "—"}</td>
                  <td className="num">{r.attempts}</td>
                  <td className="nowrap">
                    <time dateTime={r.updatedAt} title={formatAgo(r.updatedAt)}>
                      {formatTime(r.updatedAt)}
                    </time>
                  </td>
                  <td className="actions-cell">
                    <button
                      type="button"
                      className="button small"
                      disabled={busy}
                      onClick={() => setPending({ kind: "one", requestId: r.requestId, title: r.title })}
                    >
                      Replay
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {data && data.items.length === 0 ? (
            <p className="empty">The dead-letter queue is empty. Nothing failed for good.</p>
          ) : null}
          {!data && !failed.error ? <p className="empty">Loading…</p> : null}
        </div>
      </section>
      {data && data.failedCount > 0 ? (
        <Pagination
          pages={pages}
          nextCursor={data.nextCursor}
          summary={`${failedCount} ${data.failedCount === 1 && !data.failedCountCapped ? "request" : "requests"}`}
        />
      ) : null}
      <ConfirmDialog
        open={pending !== null}
        title={pending?.kind === "all" ? "Replay every failed request?" : "Replay this request?"}
        onConfirm={() => {
          if (pending) void replay(pending.kind === "one" ? [pending.requestId] : pending.requestIds);
        }}
        onCancel={() => setPending(null)}
      >
        <p>
          {`${plural(count, "request")} will be replayed`}
          {pending?.kind === "one" ? ` (“${pending.title}”)` : ""}
          {pending?.kind === "all" && count > REPLAY_BATCH_MAX
            ? `, in ${Math.ceil(count / REPLAY_BATCH_MAX)} batches of up to ${REPLAY_BATCH_MAX}`
            : ""}
          : {count === 1 ? "it goes" : "they go"} back to the queue with fresh attempts.
        </p>
        <p>Make sure the cause of the failure is fixed first, or {count === 1 ? "it" : "they"} will fail again.</p>
      </ConfirmDialog>
    </>
  );
}
