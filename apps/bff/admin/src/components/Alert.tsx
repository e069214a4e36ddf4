import { errorMessage } from "../api";
import { formatClockSeconds } from "../format";

/**
 * The error of a call, shown, never swallowed. With `staleSince`, the page still shows the data of that time: the
 * alert says so with a small "stale" tag.
 */
export function ErrorAlert({ error, staleSince }: { error: unknown; staleSince?: Date | null }) {
  if (!error) return null;
  return (
    <div role="alert" className={staleSince ? "alert alert-stale" : "alert"}>
      {staleSince ? (
        <>
          <span className="stale-tag">stale</span>
          <span>Showing data from {formatClockSeconds(staleSince)}; the last refresh failed: </span>
        </>
      ) : null}
      <span>{errorMessage(error)}</span>
    </div>
  );
}
