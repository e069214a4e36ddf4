import { formatNumber } from "../format";

/** "Previous", "Page x of y · N requests", "Next". */
export function Pagination(props: {
  page: number;
  pageSize: number;
  total: number;
  onPage: (page: number) => void;
  noun?: string;
}) {
  const pages = Math.max(1, Math.ceil(props.total / props.pageSize));
  return (
    <nav className="pagination" aria-label="Pages">
      <button
        type="button"
        className="button small"
        disabled={props.page <= 1}
        onClick={() => props.onPage(props.page - 1)}
      >
        Previous
      </button>
      <span className="pagination-text">
        Page {formatNumber(props.page)} of {formatNumber(pages)} · {formatNumber(props.total)}{" "}
        {props.noun ?? "requests"}
      </span>
      <button
        type="button"
        className="button small"
        disabled={props.page >= pages}
        onClick={() => props.onPage(props.page + 1)}
      >
        Next
      </button>
    </nav>
  );
}
