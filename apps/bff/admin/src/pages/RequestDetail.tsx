import { useState } from "react";
import { api } from "../api";
import { ConfirmDialog, ErrorAlert, StatusPill } from "../components";
import { formatDuration, formatNumber, formatTime } from "../format";
import { usePoll } from "../hooks";

type Action = "cancel" | "replay";

export function RequestDetail({ requestId }: { requestId: string }) {
  const detail = usePoll(() => api.admin.request.query({ requestId }), 2_000, [requestId]);
  const [confirm, setConfirm] = useState<Action | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const r = detail.data;

  async function act(action: Action) {
    setConfirm(null);
    setActionError(null);
    try {
      if (action === "cancel") await api.admin.cancel.mutate({ requestId });
      else await api.admin.replay.mutate({ requestIds: [requestId] });
      detail.refresh();
    } catch (err) {
      setActionError(err);
    }
  }

  if (!r) {
    return (
      <section className="card wide">
        <a href="#/requests">← Requests</a>
        {detail.error ? <ErrorAlert error={detail.error} /> : <p className="muted">Loading…</p>}
      </section>
    );
  }
  return (
    <section className="card wide">
      <a href="#/requests">← Requests</a>
      <header className="detail-header">
        <h2>{r.title}</h2>
        <StatusPill status={r.status} />
        <span className="spacer" />
        {r.downloadUrl ? (
          <a className="button button-primary" href={r.downloadUrl}>
            Download {r.fileName}
          </a>
        ) : null}
        {r.status === "queued" || r.status === "processing" ? (
          <button type="button" className="button button-danger" onClick={() => setConfirm("cancel")}>
            Cancel report
          </button>
        ) : null}
        {r.status === "error" ? (
          <button type="button" className="button button-primary" onClick={() => setConfirm("replay")}>
            Replay
          </button>
        ) : null}
      </header>
      <ErrorAlert error={actionError ?? detail.error} stale={!actionError} />
      {r.error ? (
        <p className="error-box">
          <strong>{r.error.type}</strong> {r.error.message}
        </p>
      ) : null}
      <div className="detail-grid">
        <dl className="fields">
          {(
            [
              [
                "Request",
                <span key="id" className="mono">
                  {r.requestId}
                </span>,
              ],
              ["Owner", r.owner],
              ["Format", r.format.toUpperCase()],
              ["File", r.fileName],
              ["Rows", formatNumber(r.rowCount)],
              ["Attempts", r.attempts],
              ["Created", formatTime(r.createdAt)],
              ["Updated", formatTime(r.updatedAt)],
              ["Waited", formatDuration(r.waitMs)],
              ["Rendered in", formatDuration(r.renderMs)],
              ["Webhook", r.webhookUrl ?? "—"],
              ["Last attempt's error", r.lastError ? `${r.lastError.type}: ${r.lastError.message}` : "—"],
            ] as const
          ).map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
        <div>
          <h3>History</h3>
          <ol className="timeline" aria-label="Status history">
            {r.history.map((h, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the history only grows at its end
              <li key={i} className={`timeline-${h.status}`}>
                {h.status}
                {h.attempt > 0 ? ` · attempt ${h.attempt}` : ""} · {formatTime(h.at)}
                {h.error ? ` · ${h.error.type}: ${h.error.message}` : ""}
              </li>
            ))}
          </ol>
        </div>
      </div>
      <ConfirmDialog
        open={confirm !== null}
        title={confirm === "cancel" ? "Cancel this report?" : "Replay this report?"}
        onConfirm={() => confirm && act(confirm)}
        onCancel={() => setConfirm(null)}
      >
        {confirm === "cancel"
          ? "It will not be rendered, or its worker stops at its next progress tick. This cannot be undone."
          : "It goes back to the queue with fresh attempts: 1 request will be replayed."}
      </ConfirmDialog>
    </section>
  );
}
