import type { AdminOverview, QueueDepths } from "@reports/contracts/admin";
import { WORKER_ALIVE_SECONDS } from "@reports/contracts/admin";
import { api } from "../api";
import { ErrorAlert } from "../components/Alert";
import { Card, PageHeader } from "../components/Card";
import { RenderTimeChart, ThroughputChart } from "../components/Charts";
import { REPORT_STATES, STATE_LABELS } from "../components/StatusPill";
import { type Polled, usePoll } from "../components/usePoll";
import { formatAgo, formatClockSeconds, formatNumber, formatTime } from "../format";

const QUEUES: ReadonlyArray<{ label: string; testId: string; key: keyof QueueDepths; hint: string }> = [
  { label: "Ready", testId: "queue-ready", key: "ready", hint: "waiting for a worker" },
  { label: "Retrying", testId: "queue-retrying", key: "retrying", hint: "waiting out a retry delay" },
  { label: "Dead-lettered", testId: "queue-dead-lettered", key: "deadLettered", hint: "parked for good" },
];

/** What the system is doing now: counts, the last hour, queues, failures, workers. */
export function Overview({ overview }: { overview: Polled<AdminOverview> }) {
  const throughput = usePoll(() => api.admin.throughput.query({ minutes: 60 }), 2_000);
  const data = overview.data;
  const minutes = throughput.data ?? [];
  const ended = minutes.reduce((n, m) => n + m.done + m.error + m.cancelled, 0);
  const failedLastHour = minutes.reduce((n, m) => n + m.error, 0);

  return (
    <>
      <PageHeader
        title="Overview"
        subtitle={
          overview.updatedAt ? `Updated ${formatClockSeconds(overview.updatedAt)} · refreshes every 2 s` : "Loading…"
        }
      />
      <ErrorAlert error={overview.error} staleSince={overview.updatedAt} />
      <ErrorAlert error={throughput.error} staleSince={throughput.updatedAt} />

      <div className="stat-grid">
        {REPORT_STATES.map((state) => (
          <a key={state} className={`stat stat-${state}`} href={`#/requests?status=${state}`}>
            <span className="stat-label">
              <i className={`dot dot-${state}`} aria-hidden="true" />
              {STATE_LABELS[state]}
            </span>
            <span className="stat-value" data-testid={`count-${state}`}>
              {/* past a few million requests the final states' counts are PostgreSQL's estimates */}
              {data
                ? `${data.countsEstimated && state !== "queued" && state !== "processing" ? "≈ " : ""}${data.counts[state]}`
                : "…"}
            </span>
          </a>
        ))}
      </div>

      <Card title="Last hour">
        <p className="muted card-lead">
          {throughput.data
            ? `${formatNumber(ended)} reports ended in the last hour, ${formatNumber(failedLastHour)} of them failed.`
            : "Loading…"}
        </p>
        <div className="charts">
          <div>
            <h3>Reports per minute</h3>
            <ThroughputChart minutes={minutes} />
          </div>
          <div>
            <h3>Render time (claim → done)</h3>
            <RenderTimeChart minutes={minutes} />
          </div>
        </div>
      </Card>

      <div className="grid-3">
        <Card title="Queue depths">
          {data && !data.queue ? <p className="muted">The broker did not answer.</p> : null}
          <dl className="figures">
            {QUEUES.map(({ label, testId, key, hint }) => (
              <div key={key} title={hint}>
                <dt>{label}</dt>
                <dd data-testid={testId} className={data?.queue === null ? "unavailable" : undefined}>
                  {data === undefined ? "…" : data.queue === null ? "unavailable" : String(data.queue[key])}
                </dd>
              </div>
            ))}
          </dl>
        </Card>

        <Card title="Errors by type">
          {data?.errorsByType.length ? (
            <ul className="error-types">
              {data.errorsByType.map((e) => {
                const most = data.errorsByType[0]?.count ?? 1;
                return (
                  <li key={e.type}>
                    <span className="mono">{e.type}</span>
                    <svg className="mini-bar" viewBox="0 0 100 6" preserveAspectRatio="none" aria-hidden="true">
                      <rect width={100} height={6} rx={3} className="mini-bar-track" />
                      <rect width={Math.max(3, (e.count / most) * 100)} height={6} rx={3} className="mini-bar-fill" />
                    </svg>
                    <span className="count">{formatNumber(e.count)}</span>
                  </li>
                );
              })}
            </ul>
          ) : (
            <p className="muted">{data ? "No failed requests. All good." : "Loading…"}</p>
          )}
        </Card>

        <Card title="Workers alive">
          {data?.workers.length ? (
            <table className="table compact" aria-label="Workers">
              <thead>
                <tr>
                  <th>Host</th>
                  <th className="num">PID</th>
                  <th className="num">In flight</th>
                  <th>Last seen</th>
                </tr>
              </thead>
              <tbody>
                {data.workers.map((w) => (
                  <tr key={w.id} title={`Started ${formatTime(w.startedAt)}`}>
                    <td>{w.host}</td>
                    <td className="num">{w.pid}</td>
                    <td className="num">
                      {w.inFlight}/{w.concurrency}
                    </td>
                    <td className="nowrap">{formatAgo(w.lastSeenAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">
              {data
                ? `No worker has reported in the last ${WORKER_ALIVE_SECONDS} s: nothing is being rendered.`
                : "Loading…"}
            </p>
          )}
        </Card>
      </div>
    </>
  );
}
