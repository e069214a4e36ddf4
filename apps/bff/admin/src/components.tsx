import type { ReportState } from "@reports/contracts";
import { type ReactNode, useEffect, useRef } from "react";
import { errorMessage } from "./api";

export function StatusPill({ status }: { status: ReportState }) {
  return <span className={`pill pill-${status}`}>{status}</span>;
}

/** An error of a call, shown, never swallowed. */
export function ErrorAlert({ error, stale }: { error: unknown; stale?: boolean }) {
  if (!error) return null;
  return (
    <div role="alert" className={stale ? "alert alert-stale" : "alert"}>
      {stale ? "Showing the last data: " : ""}
      {errorMessage(error)}
    </div>
  );
}

export function Card({ title, children, className }: { title?: string; children: ReactNode; className?: string }) {
  return (
    <section className={`card ${className ?? ""}`}>
      {title ? <h2>{title}</h2> : null}
      {children}
    </section>
  );
}

/** A modal confirmation: `open` shows it, Confirm or Cancel closes it. */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel?: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="confirm-title" onCancel={props.onCancel}>
      <h2 id="confirm-title">{props.title}</h2>
      <div className="dialog-body">{props.children}</div>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="button" className="button button-primary" onClick={props.onConfirm}>
          {props.confirmLabel ?? "Confirm"}
        </button>
      </div>
    </dialog>
  );
}

export function Pagination(props: {
  page: number;
  pageSize: number;
  total: number;
  onPage: (page: number) => void;
  noun: string;
}) {
  const pages = Math.max(1, Math.ceil(props.total / props.pageSize));
  return (
    <nav className="pagination" aria-label="Pages">
      <button type="button" className="button" disabled={props.page <= 1} onClick={() => props.onPage(props.page - 1)}>
        Previous
      </button>
      <span>
        Page {props.page} of {pages} · {props.total} {props.noun}
      </span>
      <button
        type="button"
        className="button"
        disabled={props.page >= pages}
        onClick={() => props.onPage(props.page + 1)}
      >
        Next
      </button>
    </nav>
  );
}
