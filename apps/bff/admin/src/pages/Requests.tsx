import type { ReportState } from "@reports/contracts";
import { ADMIN_TEXT_SEARCH_MIN } from "@reports/contracts/admin";
import { useState } from "react";
import { api } from "../api";
import { ErrorAlert } from "../components/Alert";
import { PageHeader } from "../components/Card";
import { Pagination, useCursorPages } from "../components/Pagination";
import { RequestLink } from "../components/RequestLink";
import { asReportState, REPORT_STATES, STATE_LABELS, StatusPill } from "../components/StatusPill";
import { useDebounced } from "../components/useDebounced";
import { usePoll } from "../components/usePoll";
import { formatAgo, formatDuration, formatNumber, formatTime } from "../format";

const PAGE_SIZE = 25;

/** Every request, newest first: search by id prefix, owner or title, filter by status, page by page. */
export function Requests({ initialStatus }: { initialStatus: ReportState | undefined }) {
  const [search, setSearch] = useState("");
  const [status, setStatus] = useState<ReportState | undefined>(initialStatus);
  const pages = useCursorPages();
  // typing settles for 300 ms before the table asks again
  const query = useDebounced(search.trim(), 300);
  const requests = usePoll(
    () =>
      api.admin.requests.query({
        ...(query ? { search: query } : {}),
        ...(status ? { status } : {}),
        ...(pages.cursor ? { cursor: pages.cursor } : {}),
        pageSize: PAGE_SIZE,
      }),
    3_000,
    [query, status, pages.cursor],
  );
  const data = requests.data;

  return (
    <>
      <PageHeader title="Requests" subtitle="Every report request, newest first. Refreshes every 3 s." />
      <section className="card">
        <div className="toolbar">
          <label className="field field-grow">
            Search
            <input
              type="search"
              value={search}
              placeholder={`Request id (its start), owner or title (${ADMIN_TEXT_SEARCH_MIN}+ characters)`}
              onChange={(e) => {
                setSearch(e.target.value);
                pages.reset();
              }}
            />
          </label>
          <label className="field">
            Status
            <select
              value={status ?? ""}
              onChange={(e) => {
                setStatus(asReportState(e.target.value));
                pages.reset();
              }}
            >
              <option value="">All</option>
              {REPORT_STATES.map((s) => (
                <option key={s} value={s}>
                  {STATE_LABELS[s]}
                </option>
              ))}
            </select>
          </label>
        </div>
        <ErrorAlert error={requests.error} staleSince={requests.updatedAt} />
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
              {data?.items.map((r) => {
                const error = r.error ?? r.lastError;
                return (
                  <tr key={r.requestId}>
                    <td className="nowrap">
                      <time dateTime={r.createdAt} title={formatTime(r.createdAt)}>
                        {formatAgo(r.createdAt)}
                      </time>
                    </td>
                    <td>
                      <RequestLink requestId={r.requestId} />
                    </td>
                    <td className="title-cell">{r.title}</td>
                    <td>{r.owner}</td>
                    <td className="upper">{r.format}</td>
                    <td className="num">{formatNumber(r.rowCount)}</td>
                    <td>
                      <StatusPill status={r.status} />
                    </td>
                    <td className="num">{r.attempts}</td>
                    <td className="num nowrap">{formatDuration(r.waitMs)}</td>
                    <td className="num nowrap">{formatDuration(r.renderMs)}</td>
                    <td className={r.error ? "error-cell" : "error-cell retrying"} title={error?.message}>
                      {error ? (
                        <>
                          <span className="mono">{error.type}</span>
                          {r.error ? null : <span className="muted"> (retrying)</span>}
                        </>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {data && data.items.length === 0 ? <p className="empty">No request matches.</p> : null}
          {!data && !requests.error ? <p className="empty">Loading…</p> : null}
        </div>
        {data ? <Pagination pages={pages} nextCursor={data.nextCursor} /> : null}
      </section>
    </>
  );
}
