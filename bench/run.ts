/**
 * `pnpm bench [part…] [--smoke]`: the API beside bare baselines, end to end beside BullMQ, the scaling curve, and
 * the renderers; prints a table and writes bench/results/latest.json (and, unless --smoke, the table and the
 * charts into docs/performance.md and docs/perf/). Parts: status-hit status-limited status-miss status-embedded
 * generate generate-keyed e2e scaling renderers. `--smoke` runs each briefly, to prove it works (CI), never to
 * judge a figure.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runApi } from "./api/run";
import { runEndToEnd } from "./e2e/run";
import { writeCharts } from "./lib/charts";
import { memoryVerdict } from "./lib/memory";
import { type Comparison, type Measure, machine, markdown } from "./lib/report";

const ALL = [
  "status-hit",
  "status-limited",
  "status-miss",
  "status-embedded",
  "generate",
  "generate-keyed",
  "e2e",
  "scaling",
  "renderers",
];
const args = process.argv.slice(2);
const smoke = args.includes("--smoke");
// --report: measure nothing, write the table, docs and charts again from bench/results/latest.json
const reportOnly = args.includes("--report");
const asked = args.filter((a) => !a.startsWith("--"));
const unknown = asked.filter((a) => !ALL.includes(a));
if (unknown.length > 0) {
  console.error(`unknown part(s): ${unknown.join(", ")}; parts: ${ALL.join(" ")}`);
  process.exit(2);
}
const parts = new Set(asked.length > 0 ? asked : ALL);
const root = fileURLToPath(new URL("..", import.meta.url));
const before = machine();
const results: Comparison[] = [];
const extra: Record<string, unknown> = {};

const log = (msg: string) => console.error(`[bench] ${msg}`);

if (reportOnly) {
  const latest = JSON.parse(readFileSync(`${root}bench/results/latest.json`, "utf8")) as Latest;
  writeDocs(latest, tableOf(latest), "`pnpm bench --report` from bench/results/latest.json");
  process.exit(0);
}
if (
  ["status-hit", "status-limited", "status-miss", "status-embedded", "generate", "generate-keyed"].some((p) =>
    parts.has(p),
  )
) {
  log("API …");
  results.push(...(await runApi(parts, { smoke })));
}
if (parts.has("e2e") || parts.has("scaling")) {
  log("end to end …");
  const e2e = await runEndToEnd(parts, { smoke });
  results.push(...e2e.comparisons);
  Object.assign(extra, e2e.details);
}
if (parts.has("renderers")) {
  log("renderers …");
  execFileSync(process.execPath, ["--import", "tsx", "bench/renderers/run.ts", ...(smoke ? ["--quick"] : [])], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    timeout: 1_800_000,
  });
}

const after = machine();
const at = new Date().toISOString();
const run = {
  at,
  /** When, and at which commit, each part was measured (a partial run keeps the others' from earlier runs). */
  partsAt: Object.fromEntries(results.map((r) => [r.part, `${at.slice(0, 16)}Z at ${before.gitSha}`])),
  smoke,
  machine: before,
  loadAverageAfter: after.loadAverage,
  results,
  ...extra,
};
// a run of some parts replaces those parts in the last full results: the docs always show every part
const latest: Latest = !smoke && asked.length > 0 ? mergeWithLast(run, parts) : run;
const table = tableOf(latest);
console.log(`\n${table}\n`);
mkdirSync(`${root}bench/results`, { recursive: true });
writeFileSync(`${root}bench/results/${smoke ? "smoke" : "latest"}.json`, `${JSON.stringify(latest, null, 2)}\n`);
if (!smoke && latest.results.length > 0) {
  const m = before;
  const partial = asked.length > 0 ? ` (this run: ${asked.join(", ")}; ${earlierParts(latest, parts)})` : "";
  writeDocs(
    latest,
    table,
    `\`pnpm bench\`${partial}, ${m.apps}, Node ${m.node}, load average ${m.loadAverage[0]} before, ${after.loadAverage[0]} after`,
  );
}

type Latest = { results: Comparison[]; [key: string]: unknown };

function mergeWithLast(current: Latest, ran: ReadonlySet<string>): Latest {
  let last: Latest;
  try {
    last = JSON.parse(readFileSync(`${root}bench/results/latest.json`, "utf8")) as Latest;
  } catch {
    return current;
  }
  const kept = last.results.filter((r) => !ran.has(r.part));
  const details = Object.fromEntries(Object.entries(last).filter(([key]) => !ran.has(key) && key !== "results"));
  const lastPartsAt =
    (last.partsAt as Record<string, string> | undefined) ??
    Object.fromEntries(last.results.map((r) => [r.part, String(last.at)]));
  return {
    ...details,
    ...current,
    partsAt: { ...lastPartsAt, ...(current.partsAt as Record<string, string>) },
    results: [...kept, ...current.results],
  };
}

/** "status-hit, generate from 2026-12-04T14:09Z at 5ddfdbf": the parts this run did not measure, by when they were. */
function earlierParts(latest: Latest, ran: ReadonlySet<string>): string {
  const byWhen = new Map<string, string[]>();
  for (const [part, when] of Object.entries((latest.partsAt as Record<string, string> | undefined) ?? {})) {
    if (!ran.has(part)) byWhen.set(when, [...(byWhen.get(when) ?? []), part]);
  }
  const earlier = [...byWhen].map(([when, parts]) => `${parts.join(", ")} from ${when}`);
  return earlier.length > 0 ? earlier.join("; ") : "no other parts";
}

/** The comparisons, then what the end-to-end run adds: CPU by process, the SDK's latency, worker memory. */
function tableOf(latest: Latest): string {
  let table = markdown(latest.results);
  const perRequest = latest.results
    .filter((r) => r.ours.cpuUsPerRequest !== undefined)
    .map((r) => {
      const roles = (m?: Measure) => (m?.cpuUsByRole ? ` (${m.cpuUsByRole})` : "");
      return `${r.part} ${r.ours.cpuUsPerRequest} µs${roles(r.ours)} against ${r.baseline?.cpuUsPerRequest ?? "?"} µs${roles(r.baseline)}`;
    });
  if (perRequest.length > 0) {
    table += `\n\nCPU per request (the server's, or for generate the whole system's but the load generator's, from /proc; steadier than requests/s on a shared machine): ${perRequest.join("; ")}.`;
  }
  const e2e = latest.e2e as
    | {
        cpuSeconds?: {
          reports: Record<string, number>;
          bullmq: Record<string, number>;
          bullmqDirect?: Record<string, number>;
        };
        sdkPush?: object;
        sdkPolling?: object;
        watchedRun?: { watched: number; jobsPerSecond: number; cpuSeconds: Record<string, number> };
        workerRss?: object;
        rssByJobsDone?: Array<{ done: number; rssMb: number[] }>;
      }
    | undefined;
  if (e2e?.cpuSeconds) {
    const { reports, bullmq, bullmqDirect = {} } = e2e.cpuSeconds;
    const roles = [...new Set([...Object.keys(reports), ...Object.keys(bullmq), ...Object.keys(bullmqDirect)])];
    const sum = (r: Record<string, number>) => Math.round(Object.values(r).reduce((n, v) => n + v, 0) * 10) / 10;
    const rows = roles
      .map((role) => `| ${role} | ${reports[role] ?? ""} | ${bullmq[role] ?? ""} | ${bullmqDirect[role] ?? ""} |`)
      .join("\n");
    table += `\n\nCPU seconds spent during the end-to-end run, by process:\n\n| process | Reports | minimal BullMQ, HTTP front door | minimal BullMQ, straight to Redis |\n|---|---:|---:|---:|\n${rows}\n| **total** | **${sum(reports)}** | **${sum(bullmq)}** | **${sum(bullmqDirect)}** |`;
  }
  if (e2e?.sdkPush) {
    const watched = e2e.watchedRun
      ? ` (a second run of ours, ${e2e.watchedRun.watched} of its reports watched: ${e2e.watchedRun.jobsPerSecond} jobs/s, CPU-s ${JSON.stringify(e2e.watchedRun.cpuSeconds)})`
      : "";
    table += `\n\nLatency seen by the SDK (submit → \`done\` in \`waitForStatus\`)${watched}: push ${JSON.stringify(e2e.sdkPush)}, polling ${JSON.stringify(e2e.sdkPolling)}. Worker RSS before → after the first run: ${JSON.stringify(e2e.workerRss)}.`;
  }
  if (e2e?.rssByJobsDone?.length) {
    const steps = e2e.rssByJobsDone.map((s) => `${s.done} done: ${s.rssMb.join(" / ")} MB`).join("; ");
    const verdict = memoryVerdict(e2e.rssByJobsDone);
    table += ` Worker RSS as the run went on: ${steps}; ${verdict?.text ?? "too short a run for a memory verdict"}.`;
  }
  return table;
}

/** The table into docs/performance.md (between its bench markers) and the charts into docs/perf/. */
function writeDocs(latest: Latest, table: string, how: string): void {
  writeCharts(`${root}docs/perf`, latest);
  const docs = `${root}docs/performance.md`;
  const start = "<!-- bench:start -->";
  const end = "<!-- bench:end -->";
  const text = readFileSync(docs, "utf8");
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  const m = latest.machine as { cpus: number; cpu: string; memoryGb: number; gitSha: string } | undefined;
  const where = m ? `${m.cpus} × ${m.cpu}, ${m.memoryGb} GB, git ${m.gitSha}` : "";
  const section = `${start}\n_${String(latest.at).slice(0, 10)}, ${where}, ${how}:_\n\n${table}\n${end}`;
  if (from >= 0 && to > from) writeFileSync(docs, text.slice(0, from) + section + text.slice(to + end.length));
}
