import type { AdminRequestDetail } from "@reports/contracts/admin";
import { type ReactNode, useState } from "react";
import { api } from "../api";
import { ErrorAlert } from "../components/Alert";
import { PageHeader } from "../components/Card";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { StatusPill } from "../components/StatusPill";
import { usePoll } from "../components/usePoll";
import { formatAgo, formatDuration, formatNumber, formatTime } from "../format";

type Action = "cancel" | "replay";

/** One request: every field, its status history, the file, and the fixes (cancel, replay). */
export function RequestDetail({ requestId }: { requestId: string }) {
  const detail = usePoll(() => api.admin.request.query({ requestId }), 2_000, [requestId]);
  const [confirm, setConfirm] = useState<Action | null>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const r = detail.data;

  async function act(action: Action) {
    setConfirm(null);
    setActionError(null);
    setOutcome(null);
    setBusy(true);
    try {
      if (action === "cancel") {
        const after = await api.admin.cancel.mutate({ requestId });
        setOutcome(`Cancel requested: the report is now ${after.status}.`);
      } else {
        const result = await api.admin.replay.mutate({ requestIds: [requestId] });
        setOutcome(
          result.replayed.length > 0
            ? "Replayed: the report is back in the queue with fresh attempts."
            : "Not replayed: the report is no longer in error.",
        );
      }
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(false);
      detail.refresh();
    }
  }

  if (!r) {
    return (
      <>
        <a className="back" href="#/requests">
          ← Requests
        </a>
        <PageHeader title={<span className="mono">{requestId}</span>} />
        {detail.error ? <ErrorAlert error={detail.error} /> : <p className="muted">Loading…</p>}
      </>
    );
  }
  const canCancel = r.status === "queued" || r.status === "processing";
  return (
    <>
      <a className="back" href="#/requests">
        ← Requests
      </a>
      <PageHeader
        title={
          <>
            {r.title} <StatusPill status={r.status} />
          </>
        }
        subtitle={
          <>
            <span className="mono">{r.requestId}</span> · {r.owner} · created {formatAgo(r.createdAt)}
          </>
        }
        actions={
          <>
            {r.downloadUrl ? (
              <a className="button button-primary" href={r.downloadUrl}>
                Download {r.fileName}
              </a>
            ) : null}
            {canCancel ? (
              <button
                type="button"
                className="button button-danger"
                disabled={busy}
                onClick={() => setConfirm("cancel")}
              >
                Cancel report
              </button>
            ) : null}
            {r.status === "error" ? (
              <button
                type="button"
                className="button button-primary"
                disabled={busy}
                onClick={() => setConfirm("replay")}
              >
                Replay
              </button>
            ) : null}
          </>
        }
      />
      <ErrorAlert error={actionError} />
      <ErrorAlert error={detail.error} staleSince={detail.updatedAt} />
      {outcome ? (
        <p role="status" className="notice">
          {outcome}
        </p>
      ) : null}
      {r.error ? (
        <div className="error-box">
          <span className="mono error-type">{r.error.type}</span>
          <span>{r.error.message}</span>
        </div>
      ) : null}
      {r.warnings.map((w) => (
        <div key={w.code} className="warning-box" role="note">
          <span className="mono error-type">{w.code}</span>
          <span>{w.message}</span>
        </div>
      ))}
      <div className="detail-grid">
        <section className="card">
          <h2>Details</h2>
          <Fields request={r} />
        </section>
        <section className="card">
          <h2>Status history</h2>
          <ol className="timeline" aria-label="Status history">
            {r.history.map((h, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the history only grows at its end
              <li key={i} className={`timeline-${h.status}`}>
                <span className="timeline-status">{h.status}</span>
                {h.attempt > 0 ? <span className="muted"> · attempt {h.attempt}</span> : null}
                <span className="muted">
                  {" · "}
                  <time dateTime={h.at}>{formatTime(h.at)}</time>
                </span>
                {h.error ? (
                  <span className="timeline-error">
                    {" · "}
                    <span className="mono">{h.error.type}</span>: {h.error.message}
                  </span>
                ) : null}
              </li>
            ))}
          </ol>
        </section>
      </div>
      <ConfirmDialog
        open={confirm !== null}
        danger={confirm === "cancel"}
        title={confirm === "cancel" ? "Cancel this report?" : "Replay this report?"}
        onConfirm={() => confirm && void act(confirm)}
        onCancel={() => setConfirm(null)}
      >
        {confirm === "cancel"
          ? `“${r.title}” will not be rendered (or its worker stops at its next progress tick). This cannot be undone.`
          : `1 request will be replayed: “${r.title}” goes back to the queue with fresh attempts.`}
      </ConfirmDialog>
    </>
  );
}

function Fields({ request: r }: { request: AdminRequestDetail }) {
  const fields: Array<[string, ReactNode]> = [
    [
      "Request id",
      <span key="id" className="mono">
        {r.requestId}
      </span>,
    ],
    ["Status", <StatusPill key="status" status={r.status} />],
    ["Title", r.title],
    [
      "Definition",
      r.definition ? (
        <a key="definition" className="mono" href="#/definitions">
          {r.definition.name} v{r.definition.version}
        </a>
      ) : (
        "— (a whole spec)"
      ),
    ],
    ["Owner", r.owner],
    ["Format", r.format.toUpperCase()],
    ["File name", r.fileName],
    ["Rows", formatNumber(r.rowCount)],
    ["Attempts", r.attempts],
    ["Created", formatTime(r.createdAt)],
    ["Updated", formatTime(r.updatedAt)],
    ["Wait (created → claimed)", formatDuration(r.waitMs)],
    ["Render (claim → final)", formatDuration(r.renderMs)],
    ["Error", r.error ? `${r.error.type}: ${r.error.message}` : "—"],
    ["Last attempt's error", r.lastError ? `${r.lastError.type}: ${r.lastError.message}` : "—"],
    ["Warnings", r.warnings.length > 0 ? r.warnings.map((w) => w.code).join(", ") : "—"],
    [
      "Webhook",
      r.webhookUrl ? (
        <span key="webhook" className="mono">
          {r.webhookUrl}
        </span>
      ) : (
        "—"
      ),
    ],
    ["Download", r.downloadUrl ? "available (signed link)" : "—"],
  ];
  return (
    <dl className="fields">
      {fields.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
