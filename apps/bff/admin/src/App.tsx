import type { AdminOverview } from "@reports/contracts/admin";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { adminKey, api, errorCode, errorMessage, isAuthError } from "./api";
import { asReportState } from "./components/StatusPill";
import { useHashRoute } from "./components/useHashRoute";
import { type Polled, usePoll } from "./components/usePoll";
import { formatNumber } from "./format";
import { DeadLetters } from "./pages/DeadLetters";
import { Definitions } from "./pages/Definitions";
import { Overview } from "./pages/Overview";
import { RequestDetail } from "./pages/RequestDetail";
import { Requests } from "./pages/Requests";

type Session =
  | { state: "checking" }
  | { state: "signed-in"; owner: string; authMode: "none" | "apikey" | "jwt" }
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

/** The auth gate: the sign-in form until `admin.whoami` answers, then the dashboard. */
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
      withKey={adminKey.get() !== null || session.authMode !== "none"}
      onAuthLost={() => void check()}
      onSignOut={() => {
        adminKey.clear();
        void check();
      }}
    />
  );
}

function SignIn({ problem, onKey }: { problem: string | null; onKey: (key: string) => Promise<void> }) {
  const [key, setKey] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!key.trim()) return;
    setBusy(true);
    try {
      await onKey(key.trim());
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="sign-in">
      <form className="card sign-in-card" onSubmit={submit}>
        <div>
          <div className="brand brand-dark">
            Reports <span className="muted">· Operations</span>
          </div>
          <p className="muted">Sign in with an operator's API key (one made with the admin flag) or an admin token.</p>
        </div>
        {problem ? (
          <div role="alert" className="alert">
            {problem}
          </div>
        ) : null}
        <label className="field">
          Admin key
          <input
            type="password"
            autoComplete="off"
            spellCheck={false}
            required
            value={key}
            onChange={(e) => setKey(e.target.value)}
          />
        </label>
        <button type="submit" className="button button-primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}

function Dashboard(props: { owner: string; withKey: boolean; onAuthLost: () => void; onSignOut: () => void }) {
  const route = useHashRoute();
  const [section = "", id] = route.path;
  // read here for the nav's dead-letter badge, and handed to the overview page
  const overview: Polled<AdminOverview> = usePoll(() => api.admin.overview.query(), 2_000);
  const failed = overview.data?.counts.error ?? 0;
  const { onAuthLost } = props;
  useEffect(() => {
    // the key was revoked or demoted while the dashboard was open: back to the sign-in form
    if (isAuthError(overview.error)) onAuthLost();
  }, [overview.error, onAuthLost]);
  const status = asReportState(route.params.get("status"));
  const page =
    section === "requests"
      ? id
        ? "request"
        : "requests"
      : section === "dead-letters" || section === "definitions"
        ? section
        : "overview";

  const nav = [
    { href: "#/", label: "Overview", active: page === "overview" },
    { href: "#/requests", label: "Requests", active: page === "requests" || page === "request" },
    { href: "#/dead-letters", label: "Dead letters", active: page === "dead-letters" },
    { href: "#/definitions", label: "Definitions", active: page === "definitions" },
  ];
  return (
    <div className="layout">
      <header className="topbar">
        <a className="brand" href="#/">
          Reports <span className="muted">· Operations</span>
        </a>
        <nav aria-label="Sections" className="sections">
          {nav.map((item) => (
            <a
              key={item.href}
              href={item.href}
              className={item.active ? "active" : undefined}
              aria-current={item.active ? "page" : undefined}
            >
              {item.label}
              {item.label === "Dead letters" && failed > 0 ? (
                <span className="badge" title={`${formatNumber(failed)} failed requests`}>
                  {formatNumber(failed)}
                </span>
              ) : null}
            </a>
          ))}
        </nav>
        <span className="spacer" />
        {props.withKey ? (
          <div className="who">
            <span className="muted">
              Signed in as <strong>{props.owner}</strong>
            </span>
            <button type="button" className="button small button-ghost" onClick={props.onSignOut}>
              Sign out
            </button>
          </div>
        ) : (
          <span className="muted who">No authentication (AUTH_MODE=none)</span>
        )}
      </header>
      <main className="content">
        {page === "overview" ? (
          <Overview overview={overview} />
        ) : overview.error ? (
          <div role="alert" className="alert alert-quiet">
            The dead-letter count could not be refreshed: {errorMessage(overview.error)}
          </div>
        ) : null}
        {page === "request" && id ? <RequestDetail key={id} requestId={id} /> : null}
        {page === "requests" ? <Requests key={status ?? ""} initialStatus={status} /> : null}
        {page === "dead-letters" ? <DeadLetters onChange={overview.refresh} /> : null}
        {page === "definitions" ? <Definitions /> : null}
      </main>
    </div>
  );
}
