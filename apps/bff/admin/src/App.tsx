import type { ReportState } from "@reports/contracts";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { adminKey, api, errorCode, errorMessage } from "./api";
import { formatNumber } from "./format";
import { useHashRoute, usePoll } from "./hooks";
import { DeadLetters } from "./pages/DeadLetters";
import { Overview, STATES } from "./pages/Overview";
import { RequestDetail } from "./pages/RequestDetail";
import { Requests } from "./pages/Requests";

type Session =
  | { state: "checking" }
  | { state: "signed-in"; owner: string; authMode: string }
  | { state: "signed-out"; problem: string | null };

/** Asks the API who we are: signed in, or why not. */
async function whoami(): Promise<Session> {
  try {
    const me = await api.admin.whoami.query();
    return { state: "signed-in", owner: me.owner, authMode: me.authMode };
  } catch (err) {
    const code = errorCode(err);
    if (code === "UNAUTHORIZED") {
      return { state: "signed-out", problem: adminKey.get() ? "This key is not valid (unknown or revoked)." : null };
    }
    if (code === "FORBIDDEN") return { state: "signed-out", problem: "This key is not an admin's key." };
    return { state: "signed-out", problem: `The API did not answer: ${errorMessage(err)}` };
  }
}

export function App() {
  const [session, setSession] = useState<Session>({ state: "checking" });
  const check = useCallback(async () => setSession(await whoami()), []);
  useEffect(() => {
    void check();
  }, [check]);

  if (session.state === "checking") return <p className="loading">Loading…</p>;
  if (session.state === "signed-out") {
    return (
      <SignIn
        problem={session.problem}
        onKey={async (key) => {
          adminKey.set(key);
          await check();
        }}
      />
    );
  }
  return (
    <Dashboard
      owner={session.owner}
      withKey={session.authMode !== "none"}
      onSignOut={() => {
        adminKey.clear();
        void check();
      }}
    />
  );
}

function SignIn({ problem, onKey }: { problem: string | null; onKey: (key: string) => Promise<void> }) {
  const [key, setKey] = useState("");
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (key.trim()) await onKey(key.trim());
  };
  return (
    <main className="sign-in">
      <form className="card" onSubmit={submit}>
        <h1>Reports · Operations</h1>
        <p className="muted">Sign in with an operator's API key (made with `keys create --admin`) or token.</p>
        {problem ? (
          <div role="alert" className="alert">
            {problem}
          </div>
        ) : null}
        <label>
          Admin key
          <input type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} />
        </label>
        <button type="submit" className="button button-primary">
          Sign in
        </button>
      </form>
    </main>
  );
}

function Dashboard(props: { owner: string; withKey: boolean; onSignOut: () => void }) {
  const route = useHashRoute();
  const [section = "", id] = route.path;
  // the nav's dead-letter badge
  const counts = usePoll(() => api.admin.overview.query(), 5_000);
  const failed = counts.data?.counts.error ?? 0;
  const status = route.params.get("status");
  const initialStatus = STATES.find((s): s is ReportState => s === status);

  const nav = [
    { href: "#/", label: "Overview", active: section === "" },
    { href: "#/requests", label: "Requests", active: section === "requests" },
    { href: "#/dead-letters", label: "Dead letters", active: section === "dead-letters" },
  ];
  return (
    <div className="layout">
      <header className="topbar">
        <span className="brand">
          Reports <span className="muted">· Operations</span>
        </span>
        <nav aria-label="Sections">
          {nav.map((item) => (
            <a
              key={item.href}
              href={item.href}
              className={item.active ? "active" : ""}
              aria-current={item.active ? "page" : undefined}
            >
              {item.label}
              {item.label === "Dead letters" && failed > 0 ? (
                <span className="badge">{formatNumber(failed)}</span>
              ) : null}
            </a>
          ))}
        </nav>
        <span className="spacer" />
        {props.withKey ? (
          <>
            <span className="muted">Signed in as {props.owner}</span>
            <button type="button" className="button small" onClick={props.onSignOut}>
              Sign out
            </button>
          </>
        ) : (
          <span className="muted">No authentication (AUTH_MODE=none)</span>
        )}
      </header>
      <main className="content">
        {section === "requests" && id ? <RequestDetail requestId={id} /> : null}
        {section === "requests" && !id ? <Requests key={status ?? ""} initialStatus={initialStatus} /> : null}
        {section === "dead-letters" ? <DeadLetters onChange={counts.refresh} /> : null}
        {section !== "requests" && section !== "dead-letters" ? <Overview /> : null}
      </main>
    </div>
  );
}
