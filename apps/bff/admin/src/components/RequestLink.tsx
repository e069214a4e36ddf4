import { shortId } from "../format";

/** A request's short id, linking to its detail view (the whole id on hover). */
export function RequestLink({ requestId }: { requestId: string }) {
  return (
    <a className="mono" href={`#/requests/${encodeURIComponent(requestId)}`} title={requestId}>
      {shortId(requestId)}
    </a>
  );
}
