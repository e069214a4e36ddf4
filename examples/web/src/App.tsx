import { ApiError, createReportsClient, ReportFailedError, type ReportFormat, type ReportStatus } from "@reports/sdk";
import { useRef, useState } from "react";
import { parseTable, sampleTable } from "./table";

// the page's own origin: the dev and preview servers proxy the API (see vite.config.ts)
const reports = createReportsClient({ baseUrl: window.location.origin });

type Phase = "idle" | "working" | "done" | "failed";

/** Shows a status as one line: `processing 33%`. */
const describe = (s: ReportStatus) => `${s.status}${s.status === "processing" && s.progress ? ` ${s.progress}%` : ""}`;

function errorText(error: unknown): string {
  if (error instanceof ReportFailedError) return `The report failed (${error.type}): ${error.message}`;
  if (error instanceof ApiError) {
    const fields = error.errors.map((e) => `${e.path}: ${e.message}`);
    return [error.detail, ...fields].join("\n");
  }
  return error instanceof Error ? error.message : String(error);
}

export function App() {
  const [format, setFormat] = useState<ReportFormat>("xlsx");
  const [title, setTitle] = useState("Sales");
  const [text, setText] = useState("Region,Sales\nNorth,1200\nSouth,950\nEast,1310");
  const [phase, setPhase] = useState<Phase>("idle");
  const [status, setStatus] = useState<ReportStatus | null>(null);
  const [updates, setUpdates] = useState<string[]>([]);
  const [error, setError] = useState("");
  const running = useRef<AbortController | null>(null);

  async function generate() {
    running.current?.abort();
    const controller = new AbortController();
    running.current = controller;
    setPhase("working");
    setStatus(null);
    setUpdates([]);
    setError("");
    try {
      const { requestId } = await reports.generate(
        { format, title, tables: [parseTable(text, "Data")] },
        { signal: controller.signal },
      );
      const done = await reports.waitForStatus(requestId, {
        signal: controller.signal,
        onUpdate: (s) => {
          setStatus(s);
          setUpdates((seen) => [...seen, describe(s)]);
        },
      });
      setStatus(done);
      setPhase("done");
    } catch (e) {
      if (controller.signal.aborted) return;
      setError(errorText(e));
      setPhase("failed");
    }
  }

  async function download() {
    if (!status) return;
    // a fresh link (they expire); the browser streams the file to disk, whatever its size
    const fresh = await reports.getStatus(status.requestId);
    if (fresh.url) window.location.assign(fresh.url);
  }

  const percent = status?.status === "done" ? 100 : (status?.progress ?? 0);
  return (
    <main>
      <h1>Generate a report</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void generate();
        }}
      >
        <label>
          Title <input value={title} onChange={(e) => setTitle(e.target.value)} required />
        </label>
        <fieldset>
          <legend>Format</legend>
          {(["xlsx", "pdf"] as const).map((f) => (
            <label key={f}>
              <input type="radio" name="format" checked={format === f} onChange={() => setFormat(f)} />{" "}
              {f.toUpperCase()}
            </label>
          ))}
        </fieldset>
        <label>
          Table (first line: headers; paste from a spreadsheet, or comma-separated)
          <textarea value={text} onChange={(e) => setText(e.target.value)} rows={8} spellCheck={false} />
        </label>
        <p>
          <button type="button" onClick={() => setText(sampleTable(30_000))}>
            Fill with 30,000 sample rows
          </button>{" "}
          <button type="submit" disabled={phase === "working"}>
            Generate
          </button>
        </p>
      </form>

      {phase !== "idle" && (
        <section aria-label="Progress">
          <progress max={100} value={percent} aria-label="Report progress" />{" "}
          <output data-testid="state">{phase === "failed" ? "failed" : status ? describe(status) : "sending"}</output>
          <ol aria-label="Status updates">
            {updates.map((u) => (
              <li key={u}>{u}</li>
            ))}
          </ol>
        </section>
      )}
      {phase === "done" && status && (
        <p>
          <button type="button" onClick={() => void download()}>
            Download {status.report.fileName}
          </button>
        </p>
      )}
      {error && (
        <pre role="alert" className="error">
          {error}
        </pre>
      )}
    </main>
  );
}
