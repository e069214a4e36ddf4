import type { ReportState } from "@reports/contracts";

/** Every state a report request can be in, in the order it moves through them. */
export const REPORT_STATES: readonly ReportState[] = ["queued", "processing", "done", "error", "cancelled", "expired"];

export const STATE_LABELS: Record<ReportState, string> = {
  queued: "Queued",
  processing: "Processing",
  done: "Done",
  error: "Error",
  cancelled: "Cancelled",
  expired: "Expired (file removed)",
};

/** Narrows a string (a URL parameter, a select's value) to a state. */
export const asReportState = (value: string | null | undefined): ReportState | undefined =>
  REPORT_STATES.find((state) => state === value);

/** A request's status as a coloured pill. */
export function StatusPill({ status }: { status: ReportState }) {
  return <span className={`pill pill-${status}`}>{status}</span>;
}
