import { REPLAY_BATCH_MAX } from "@reports/contracts/admin";
import { useState } from "react";
import { api } from "../api";
import { ConfirmDialog, ErrorAlert, Pagination } from "../components";
import { formatAgo, formatNumber, shortId } from "../format";
import { usePoll } from "../hooks";

const PAGE_SIZE = 25;

type Pending = { kind: "one"; requestId: string } | { kind: "all"; count: number };
interface Progress {
  done: number;
  total: number;
  replayed: number;
  skipped: number;
  finished: boolean;
}

export function DeadLetters({ onChange }: { onChange: () => void }) {
  const [page, setPage] = useState(1);
  const failed = usePoll(() => api.admin.deadLetters.query({ page, pageSize: PAGE_SIZE }), 3_000, [page]);
  const [pending, setPending] = useState<Pending | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const data = failed.data;
  const busy = progress !== null && !progress.finished;

  async function replay(target: Pending) {
    setPending(null);
    setActionError(null);
    try {
      const ids = target.kind === "one" ? [target.requestId] : await api.admin.failedIds.query();
      const state: Progress = { done: 0, total: ids.length, replayed: 0, skipped: 0, finished: false };
      setProgress({ ...state });
      for (let i = 0; i < ids.length; i += REPLAY_BATCH_MAX) {
        const batch = ids.slice(i, i + REPLAY_BATCH_MAX);
        const summary = await api.admin.replay.mutate({ requestIds: batch });
        state.done += batch.length;
        state.replayed += summary.replayed.length;
        state.skipped += summary.skipped.length;
        setProgress({ ...state });
      }
      setProgress({ ...state, finished: true });
    } catch (err) {
      setActionError(err);
      setProgress((p) => (p ? { ...p, finished: true } : p));
    } finally {
      failed.refresh();
      onChange();
    }
  }

  const count = pending?.kind === "all" ? pending.count : 1;
  return (
    <section className="card wide">
      <div className="toolbar">
        <div>
          <h2>Dead letters</h2>
          <p className="muted">
            Requests that failed for good. Fix the cause, then replay: they go back to the queue with fresh attempts.
            {data?.brokerCount !== null && data?.brokerCount !== undefined
              ? ` The broker's dead-letter queue holds ${formatNumber(data.brokerCount)} messages.`
              : ""}
          </p>
        </div>
        <span className="spacer" />
        <button
          type="button"
          className="button button-primary"
          disabled={busy || !data?.total}
          onClick={() => setPending({ kind: "all", count: data?.total ?? 0 })}
        >
          Replay all{data?.total ? ` (${formatNumber(data.total)})` : ""}
        </button>
      </div>
      {progress ? (
        <div className="progress" role="status">
          <progress aria-label="Replay progress" max={Math.max(1, progress.total)} value={progress.done} />
          <span>
            {progress.finished
              ? `Replayed ${formatNumber(progress.replayed)} (${formatNumber(progress.skipped)} skipped)`
              : `Replayed ${formatNumber(progress.done)} of ${formatNumber(progress.total)}`}
          </span>
        </div>
      ) : null}
      <ErrorAlert error={actionError ?? failed.error} stale={!actionError && Boolean(data)} />
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
              <th>Failed</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {data?.items.map((r) => (
              <tr key={r.requestId}>
                <td>
                  <a className="mono" href={`#/requests/${r.requestId}`} title={r.requestId}>
                    {shortId(r.requestId)}
                  </a>
                </td>
                <td>{r.title}</td>
                <td>{r.owner}</td>
                <td>
                  <span className="tag">{r.error?.type ?? "—"}</span>
                </td>
                <td className="message">{r.error?.message}</td>
                <td className="num">{r.attempts}</td>
                <td className="nowrap">{formatAgo(r.updatedAt)}</td>
                <td>
                  <button
                    type="button"
                    className="button small"
                    disabled={busy}
                    onClick={() => setPending({ kind: "one", requestId: r.requestId })}
                  >
                    Replay
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {data && data.items.length === 0 ? <p className="empty">The dead-letter queue is empty. All good.</p> : null}
      </div>
      {data && data.total > PAGE_SIZE ? (
        <Pagination page={data.page} pageSize={data.pageSize} total={data.total} onPage={setPage} noun="failed" />
      ) : null}
      <ConfirmDialog
        open={pending !== null}
        title={pending?.kind === "all" ? "Replay every failed request?" : "Replay this request?"}
        onConfirm={() => pending && replay(pending)}
        onCancel={() => setPending(null)}
      >
        {`${formatNumber(count)} ${count === 1 ? "request" : "requests"} will be replayed: back to the queue with fresh attempts. Make sure the cause of the failure is fixed first.`}
      </ConfirmDialog>
    </section>
  );
}
