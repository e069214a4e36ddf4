import { useState } from "react";

/**
 * The pages walked so far, for lists read by key: the first page has no cursor, "Next" goes to the page after the
 * current one's `nextCursor`, "Previous" back one step.
 */
export function useCursorPages() {
  const [cursors, setCursors] = useState<string[]>([]);
  return {
    cursor: cursors.at(-1),
    page: cursors.length + 1,
    next: (cursor: string) => setCursors((walked) => [...walked, cursor]),
    previous: () => setCursors((walked) => walked.slice(0, -1)),
    /** Back to the first page (the search or the filter changed). */
    reset: () => setCursors([]),
  };
}

/** "Previous", "Page n" (and what the list holds, when known), "Next". */
export function Pagination(props: {
  pages: ReturnType<typeof useCursorPages>;
  /** The current page's `nextCursor`: null on the last page. */
  nextCursor: string | null;
  summary?: string;
}) {
  const { pages, nextCursor } = props;
  return (
    <nav className="pagination" aria-label="Pages">
      <button type="button" className="button small" disabled={pages.page <= 1} onClick={pages.previous}>
        Previous
      </button>
      <span className="pagination-text">
        Page {pages.page}
        {props.summary ? ` · ${props.summary}` : ""}
      </span>
      <button
        type="button"
        className="button small"
        disabled={nextCursor === null}
        onClick={() => nextCursor && pages.next(nextCursor)}
      >
        Next
      </button>
    </nav>
  );
}
