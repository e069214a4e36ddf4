import type { ReportState } from "@reports/contracts";
import { useState } from "react";
import { api } from "../api";
import { ErrorAlert, Pagination, StatusPill } from "../components";
import { formatDuration, formatNumber, formatTime, shortId } from "../format";
import { useDebounced, usePoll } from "../hooks";
import { STATES } from "./Overview";

const PAGE_SIZE = 25;

export function Requests({ initialStatus }: { initialStatus: ReportState | undefined }) {
  const [search, setSearch] = useState("");
  const [status, setStatus] = useState<ReportState | "">(initialStatus ?? "");
  const [page, setPage] = useState(1);
  const query = useDebounced(search.trim(), 300);
  const requests = usePoll(
    () =>
      api.admin.requests.query({
        ...(query ? { search: query } : {}),
        ...(status ? { status } : {}),
        page,
        pageSize: PAGE_SIZE,
      }),
    3_000,
    [query, status, page],
  );
  const data = requests.data;

  return (
    <section className="card wide">
      <div className="toolbar">
        <label>
          Search
          <input
            type="search"
            value={search}
            placeholder="Request id, owner or title"
            onChange={(e) => {
              setSearch(e.target.value);
              setPage(1);
            }}
          />
        </label>
        <label>
          Status
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as ReportState | "");
              setPage(1);
            }}
          >
            <option value="">All</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorAlert error={requests.error} stale={Boolean(data)} />
      <div className="table-wrap">
        <table className="table" aria-label="Requests">
          <thead>
            <tr>
              <th>Created</th>
              <th>Request</th>
              <th>Title</th>
              <th>Owner</th>
              <th>Format</th>
              <th className="num">Rows</th>
              <th>Status</th>
              <th className="num">Attempts</th>
              <th className="num">Wait</th>
              <th className="num">Render</th>
              <th>Error</th>
            </tr>
          </thead>
          <tbody>
            {data?.items.map((r) => (
              <tr key={r.requestId}>
                <td className="nowrap">{formatTime(r.createdAt)}</td>
                <td>
                  <a className="mono" href={`#/requests/${r.requestId}`} title={r.requestId}>
                    {shortId(r.requestId)}
                  </a>
                </td>
                <td>{r.title}</td>
                <td>{r.owner}</td>
                <td className="upper">{r.format}</td>
                <td className="num">{formatNumber(r.rowCount)}</td>
                <td>
                  <StatusPill status={r.status} />
                </td>
                <td className="num">{r.attempts}</td>
                <td className="num">{formatDuration(r.waitMs)}</td>
                <td className="num">{formatDuration(r.renderMs)}</td>
                <td className="error-cell" title={(r.error ?? r.lastError)?.message}>
                  {(r.error ?? r.lastError)?.type ?? ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {data && data.items.length === 0 ? <p className="empty">No request matches.</p> : null}
      </div>
      {data ? (
        <Pagination page={data.page} pageSize={data.pageSize} total={data.total} onPage={setPage} noun="requests" />
      ) : null}
    </section>
  );
}
