import { useState } from "react";
import { api } from "../api";
import { ErrorAlert } from "../components/Alert";
import { PageHeader } from "../components/Card";
import { useDebounced } from "../components/useDebounced";
import { usePoll } from "../components/usePoll";
import { formatAgo, formatNumber, formatTime } from "../format";

const PAGE_SIZE = 25;

/** Every owner's report definitions by name, each with its versions (newest first) and the requests each made. */
export function Definitions() {
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(1);
  const query = useDebounced(search.trim(), 300);
  const definitions = usePoll(
    () => api.admin.definitions.query({ ...(query ? { search: query } : {}), page, pageSize: PAGE_SIZE }),
    10_000,
    [query, page],
  );
  const data = definitions.data;
  return (
    <>
      <PageHeader
        title="Definitions"
        subtitle="Saved report layouts, per owner, with their versions; requests without a version use the published one."
      />
      <section className="card">
        <div className="toolbar">
          <label className="field field-grow">
            Search
            <input
              type="search"
              value={search}
              placeholder="Name or owner"
              onChange={(e) => {
                setSearch(e.target.value);
                setPage(1);
              }}
            />
          </label>
        </div>
        <ErrorAlert error={definitions.error} staleSince={definitions.updatedAt} />
        <div className="table-wrap">
          <table className="table" aria-label="Definitions">
            <thead>
              <tr>
                <th>Name</th>
                <th>Owner</th>
                <th>Version</th>
                <th>Title</th>
                <th>Formats</th>
                <th className="num">Requests</th>
                <th>Saved</th>
              </tr>
            </thead>
            {data?.items.map((d) => (
              <tbody key={`${d.owner}/${d.name}`} className="definition">
                {d.versions.map((v, i) => (
                  <tr key={v.version}>
                    {i === 0 ? (
                      <>
                        <td rowSpan={d.versions.length} className="mono">
                          {d.name}
                        </td>
                        <td rowSpan={d.versions.length}>{d.owner}</td>
                      </>
                    ) : null}
                    <td className="nowrap">
                      v{v.version}
                      {v.version === d.publishedVersion ? (
                        <>
                          {" "}
                          <span className="pill pill-done">published</span>
                        </>
                      ) : null}
                    </td>
                    <td className="title-cell mono">{v.title}</td>
                    <td className="upper">{v.formats.join(", ")}</td>
                    <td className="num">{formatNumber(v.requests)}</td>
                    <td className="nowrap">
                      <time dateTime={v.createdAt} title={formatTime(v.createdAt)}>
                        {formatAgo(v.createdAt)}
                      </time>
                    </td>
                  </tr>
                ))}
              </tbody>
            ))}
          </table>
          {data && data.items.length === 0 ? <p className="empty">No definition matches.</p> : null}
          {!data && !definitions.error ? <p className="empty">Loading…</p> : null}
        </div>
        {data ? (
          <nav className="pagination" aria-label="Pages">
            <button type="button" className="button small" disabled={page <= 1} onClick={() => setPage(page - 1)}>
              Previous
            </button>
            <span className="muted">
              Page {data.page} of {Math.max(1, Math.ceil(data.total / data.pageSize))} · {formatNumber(data.total)}{" "}
              definitions
            </span>
            <button
              type="button"
              className="button small"
              disabled={data.page * data.pageSize >= data.total}
              onClick={() => setPage(page + 1)}
            >
              Next
            </button>
          </nav>
        ) : null}
      </section>
    </>
  );
}
