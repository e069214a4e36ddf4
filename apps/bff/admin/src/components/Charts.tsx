import type { ThroughputMinute } from "@reports/contracts/admin";
import { formatClock, formatDuration } from "../format";

/** The charts are drawn in these units and scaled to their column: the wide bar chart and the narrower line chart. */
const BAR_WIDTH = 720;
const LINE_WIDTH = 480;
const HEIGHT = 230;
const PAD = { top: 24, right: 12, bottom: 26, left: 52 };
const PLOT_HEIGHT = HEIGHT - PAD.top - PAD.bottom;
const BOTTOM = PAD.top + PLOT_HEIGHT;
const plotWidth = (width: number) => width - PAD.left - PAD.right;

/** A round step (1, 2, 5 × 10ⁿ, at least `minStep`) and the axis top it gives for values up to `max`. */
function niceScale(max: number, minStep: number): { top: number; ticks: number[] } {
  const raw = Math.max(max / 4, minStep);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const top = Math.max(step, Math.ceil(max / step) * step);
  const ticks: number[] = [];
  for (let v = 0; v <= top + step / 2; v += step) ticks.push(v);
  return { top, ticks };
}

/** The width of one minute's column. */
const columnWidth = (width: number, count: number) => plotWidth(width) / Math.max(1, count);

/** Gridlines with the y ticks, the baseline, a label every 10 minutes, and the unit above the y axis. */
function Axes(props: {
  width: number;
  top: number;
  ticks: number[];
  minutes: ThroughputMinute[];
  /** Written above the y axis; empty when the ticks say it. */
  unit: string;
  tick: (v: number) => string;
}) {
  const step = columnWidth(props.width, props.minutes.length);
  return (
    <g className="axes">
      {props.unit ? (
        <text x={4} y={12} className="axis-unit">
          {props.unit}
        </text>
      ) : null}
      {props.ticks.map((v) => {
        const y = BOTTOM - (v / props.top) * PLOT_HEIGHT;
        return (
          <g key={v}>
            <line x1={PAD.left} x2={props.width - PAD.right} y1={y} y2={y} className={v === 0 ? "baseline" : "grid"} />
            <text x={PAD.left - 8} y={y + 3.5} textAnchor="end">
              {props.tick(v)}
            </text>
          </g>
        );
      })}
      {props.minutes.map((m, i) => {
        if (new Date(m.minute).getMinutes() % 10 !== 0) return null;
        const x = PAD.left + step * (i + 0.5);
        return (
          <g key={m.minute}>
            <line x1={x} x2={x} y1={BOTTOM} y2={BOTTOM + 4} className="baseline" />
            <text x={x} y={HEIGHT - 6} textAnchor="middle">
              {formatClock(m.minute)}
            </text>
          </g>
        );
      })}
    </g>
  );
}

function EmptyNote({ width, children }: { width: number; children: string }) {
  return (
    <text x={PAD.left + plotWidth(width) / 2} y={PAD.top + PLOT_HEIGHT / 2} textAnchor="middle" className="chart-empty">
      {children}
    </text>
  );
}

const OUTCOMES = [
  { key: "done", label: "done" },
  { key: "error", label: "error" },
  { key: "cancelled", label: "cancelled" },
] as const;

/** Reports that ended in each minute, stacked by outcome (done green, error red, cancelled grey). */
export function ThroughputChart({ minutes }: { minutes: ThroughputMinute[] }) {
  const totals = minutes.map((m) => m.done + m.error + m.cancelled);
  const { top, ticks } = niceScale(Math.max(0, ...totals), 1);
  const step = columnWidth(BAR_WIDTH, minutes.length);
  const barWidth = Math.max(1, step * 0.78);
  const height = (n: number) => (n / top) * PLOT_HEIGHT;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${BAR_WIDTH} ${HEIGHT}`} role="img" aria-label="Reports per minute">
        <Axes
          width={BAR_WIDTH}
          top={top}
          ticks={ticks}
          minutes={minutes}
          unit="reports / min"
          tick={(v) => String(v)}
        />
        {minutes.length > 0 && totals.every((t) => t === 0) ? (
          <EmptyNote width={BAR_WIDTH}>No report ended in this period</EmptyNote>
        ) : null}
        {minutes.map((m, i) => {
          const x = PAD.left + step * i + (step - barWidth) / 2;
          let y = BOTTOM;
          return (
            <g key={m.minute} className="column">
              {OUTCOMES.map(({ key }) => {
                const h = height(m[key]);
                if (h <= 0) return null;
                y -= h;
                return <rect key={key} x={x} y={y} width={barWidth} height={h} className={`bar bar-${key}`} />;
              })}
              <rect x={PAD.left + step * i} y={PAD.top} width={step} height={PLOT_HEIGHT} className="hover">
                <title>{`${formatClock(m.minute)}: ${m.done} done, ${m.error} error, ${m.cancelled} cancelled`}</title>
              </rect>
            </g>
          );
        })}
      </svg>
      <figcaption className="legend">
        {OUTCOMES.map(({ key, label }) => (
          <span key={key}>
            <i className={`swatch bar-${key}`} /> {label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

const SERIES = [
  { name: "p50", pick: (m: ThroughputMinute) => m.renderP50Ms },
  { name: "p95", pick: (m: ThroughputMinute) => m.renderP95Ms },
] as const;

/** Render time (last claim → done) p50 and p95 per minute, as two lines; minutes with nothing done are gaps. */
export function RenderTimeChart({ minutes }: { minutes: ThroughputMinute[] }) {
  const { top, ticks } = niceScale(Math.max(0, ...minutes.map((m) => m.renderP95Ms ?? m.renderP50Ms ?? 0)), 1);
  const step = columnWidth(LINE_WIDTH, minutes.length);
  const xOf = (i: number) => PAD.left + step * (i + 0.5);
  const yOf = (v: number) => BOTTOM - (v / top) * PLOT_HEIGHT;
  /** Runs of consecutive minutes with a value, as polyline points. */
  const runs = (pick: (m: ThroughputMinute) => number | null): string[] => {
    const lines: string[] = [];
    let current: string[] = [];
    minutes.forEach((m, i) => {
      const v = pick(m);
      if (v === null) {
        if (current.length > 1) lines.push(current.join(" "));
        current = [];
      } else current.push(`${xOf(i).toFixed(1)},${yOf(v).toFixed(1)}`);
    });
    if (current.length > 1) lines.push(current.join(" "));
    return lines;
  };
  const empty = minutes.length > 0 && minutes.every((m) => m.renderP50Ms === null && m.renderP95Ms === null);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${LINE_WIDTH} ${HEIGHT}`} role="img" aria-label="Render time p50 and p95">
        <Axes width={LINE_WIDTH} top={top} ticks={ticks} minutes={minutes} unit="" tick={(v) => formatDuration(v)} />
        {empty ? <EmptyNote width={LINE_WIDTH}>No report rendered in this period</EmptyNote> : null}
        {SERIES.map(({ name, pick }) => (
          <g key={name} className={`line line-${name}`}>
            {runs(pick).map((points) => (
              <polyline key={points} points={points} />
            ))}
            {minutes.map((m, i) => {
              const v = pick(m);
              return v === null ? null : <circle key={m.minute} cx={xOf(i)} cy={yOf(v)} r={2.5} />;
            })}
          </g>
        ))}
        {minutes.map((m, i) =>
          m.renderP50Ms === null && m.renderP95Ms === null ? null : (
            <rect
              key={m.minute}
              x={PAD.left + step * i}
              y={PAD.top}
              width={step}
              height={PLOT_HEIGHT}
              className="hover"
            >
              <title>{`${formatClock(m.minute)}: p50 ${formatDuration(m.renderP50Ms)}, p95 ${formatDuration(m.renderP95Ms)}`}</title>
            </rect>
          ),
        )}
      </svg>
      <figcaption className="legend">
        {SERIES.map(({ name }) => (
          <span key={name}>
            <i className={`swatch line-${name}`} /> {name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
