import type { ReactNode } from "react";

/** A white panel with an optional heading and, on its right, actions. */
export function Card(props: { title?: string; actions?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <section className={props.className ? `card ${props.className}` : "card"}>
      {props.title || props.actions ? (
        <div className="card-header">
          {props.title ? <h2>{props.title}</h2> : null}
          {props.actions ? <div className="card-actions">{props.actions}</div> : null}
        </div>
      ) : null}
      {props.children}
    </section>
  );
}

/** A page's title, its one-line explanation, and its main actions. */
export function PageHeader(props: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div className="page-title">
        <h1>{props.title}</h1>
        {props.subtitle ? <div className="page-subtitle">{props.subtitle}</div> : null}
      </div>
      {props.actions ? <div className="page-actions">{props.actions}</div> : null}
    </header>
  );
}
