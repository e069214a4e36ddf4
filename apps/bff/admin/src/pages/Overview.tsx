import type { ReportState } from "@reports/contracts";
import { api } from "../api";
import { RenderTimeChart, ThroughputChart } from "../charts";
import { Card, ErrorAlert } from "../components";
import { formatAgo, formatNumber } from "../format";
import { usePoll } from "../hooks";

export const STATES: readonly ReportState[] = ["queued", "processing", "done", "error", "cancelled"];

const LABELS: Record<ReportState, string> = {
  queued: "Queued",
  processing: "Processing",
  done: "Done",
  error: "Failed",
  cancelled: "Cancelled",
};

export function Overview() {
  const overview = usePoll(() => api.admin.overview.query(), 2_000);
  const throughput = usePoll(() => api.admin.throughput.query({ minutes: 60 }), 5_000);
  const data = overview.data;
  const minutes = throughput.data ?? [];
  const endedLastHour = minutes.reduce((n, m) => n + m.done + m.error + m.cancelled, 0);

  return (
    <>
      <ErrorAlert error={overview.error ?? throughput.error} stale={Boolean(data)} />
      <div className="stat-grid">
        {STATES.map((state) => (
          <a key={state} className={`stat stat-${state}`} href={`#/requests?status=${state}`}>
            <span className="stat-label">{LABELS[state]}</span>
            <span className="stat-value" data-testid={`count-${state}`}>
              {data ? data.counts[state] : "…"}
            </span>
          </a>
        ))}
      </div>

      <Card title="Last hour" className="wide">
        <p className="muted">
          {formatNumber(endedLastHour)} reports ended in the last hour. Bars: reports per minute by outcome; lines:
          render time (claim → done).
        </p>
        <div className="charts">
          <ThroughputChart minutes={minutes} />
          <RenderTimeChart minutes={minutes} />
        </div>
      </Card>

      <div className="grid-3">
        <Card title="Queues">
          {data && !data.queue ? <p className="muted">The broker did not answer: depths unavailable.</p> : null}
          <dl className="figures">
            {(
              [
                ["Ready", "queue-ready", data?.queue?.ready],
                ["Retrying", "queue-retrying", data?.queue?.retrying],
                ["Dead-lettered", "queue-dead-lettered", data?.queue?.deadLettered],
              ] as const
            ).map(([label, testId, value]) => (
              <div key={label}>
                <dt>{label}</dt>
                <dd data-testid={testId}>{value === undefined ? "unavailable" : formatNumber(value)}</dd>
              </div>
            ))}
          </dl>
        </Card>

        <Card title="Failures by type">
          {data?.errorsByType.length ? (
            <ul className="bars">
              {data.errorsByType.map((e) => (
                <li key={e.type}>
                  <span className="mono">{e.type}</span>
                  <span className="count">{formatNumber(e.count)}</span>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No failed requests.</p>
          )}
        </Card>

        <Card title="Workers alive">
          {data?.workers.length ? (
            <table className="table compact" aria-label="Workers">
              <thead>
                <tr>
                  <th>Host</th>
                  <th className="num">PID</th>
                  <th className="num">Busy</th>
                  <th>Seen</th>
                </tr>
              </thead>
              <tbody>
                {data.workers.map((w) => (
                  <tr key={w.id}>
                    <td>{w.host}</td>
                    <td className="num">{w.pid}</td>
                    <td className="num">
                      {w.inFlight}/{w.concurrency}
                    </td>
                    <td>{formatAgo(w.lastSeenAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">No worker has reported in the last 30 s: nothing is being rendered.</p>
          )}
        </Card>
      </div>
    </>
  );
}
