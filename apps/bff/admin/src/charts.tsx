import type { ThroughputMinute } from "@reports/contracts/admin";
import { formatClock, formatDuration } from "./format";

const WIDTH = 720;
const HEIGHT = 200;
const PAD = { top: 12, right: 12, bottom: 24, left: 44 };
const plotWidth = WIDTH - PAD.left - PAD.right;
const plotHeight = HEIGHT - PAD.top - PAD.bottom;

/** A round axis maximum at or above `max` (1, 2, 5 × 10ⁿ). */
function niceMax(max: number): number {
  if (max <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  return ([1, 2, 5, 10].find((step) => step * magnitude >= max) ?? 10) * magnitude;
}

function Axes(props: { max: number; minutes: ThroughputMinute[]; label: (v: number) => string }) {
  const step = plotWidth / Math.max(1, props.minutes.length);
  return (
    <g className="axes">
      {[0, 0.5, 1].map((f) => {
        const y = PAD.top + plotHeight * (1 - f);
        return (
          <g key={f}>
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y} y2={y} className="grid" />
            <text x={PAD.left - 6} y={y + 4} textAnchor="end">
              {props.label(props.max * f)}
            </text>
          </g>
        );
      })}
      {props.minutes.map((m, i) =>
        i % 10 === 0 || i === props.minutes.length - 1 ? (
          <text key={m.minute} x={PAD.left + step * (i + 0.5)} y={HEIGHT - 6} textAnchor="middle">
            {formatClock(m.minute)}
          </text>
        ) : null,
      )}
    </g>
  );
}

const OUTCOMES = [
  { key: "done", label: "done" },
  { key: "error", label: "failed" },
  { key: "cancelled", label: "cancelled" },
] as const;

/** Reports that ended in each minute, stacked by outcome. */
export function ThroughputChart({ minutes }: { minutes: ThroughputMinute[] }) {
  const max = niceMax(Math.max(0, ...minutes.map((m) => m.done + m.error + m.cancelled)));
  const step = plotWidth / Math.max(1, minutes.length);
  const barWidth = Math.max(1, step - 2);
  const scale = (n: number) => (n / max) * plotHeight;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label="Reports per minute">
        <Axes max={max} minutes={minutes} label={(v) => (Number.isInteger(v) ? String(v) : v.toFixed(1))} />
        {minutes.map((m, i) => {
          const x = PAD.left + step * i + 1;
          let y = PAD.top + plotHeight;
          const summary = `${formatClock(m.minute)}: ${m.done} done, ${m.error} failed, ${m.cancelled} cancelled`;
          return (
            <g key={m.minute}>
              {OUTCOMES.map(({ key }) => {
                const h = scale(m[key]);
                if (h <= 0) return null;
                y -= h;
                return <rect key={key} x={x} y={y} width={barWidth} height={h} className={`bar bar-${key}`} />;
              })}
              <rect x={x} y={PAD.top} width={barWidth} height={plotHeight} className="hover">
                <title>{summary}</title>
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

/** Render time (last claim → done) p50 and p95 per minute, as two lines; minutes with nothing done are gaps. */
export function RenderTimeChart({ minutes }: { minutes: ThroughputMinute[] }) {
  const max = niceMax(Math.max(0, ...minutes.map((m) => m.renderP95Ms ?? 0)));
  const step = plotWidth / Math.max(1, minutes.length);
  const point = (i: number, v: number) =>
    `${(PAD.left + step * (i + 0.5)).toFixed(1)},${(PAD.top + plotHeight * (1 - v / max)).toFixed(1)}`;
  const segments = (pick: (m: ThroughputMinute) => number | null) => {
    const lines: string[][] = [];
    let current: string[] = [];
    minutes.forEach((m, i) => {
      const v = pick(m);
      if (v === null) {
        if (current.length) lines.push(current);
        current = [];
      } else current.push(point(i, v));
    });
    if (current.length) lines.push(current);
    return lines;
  };
  const series = [
    { name: "p50", pick: (m: ThroughputMinute) => m.renderP50Ms },
    { name: "p95", pick: (m: ThroughputMinute) => m.renderP95Ms },
  ];
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label="Render time p50 and p95">
        <Axes max={max} minutes={minutes} label={(v) => formatDuration(v)} />
        {series.map(({ name, pick }) => (
          <g key={name} className={`line line-${name}`}>
            {segments(pick)
              .filter((points) => points.length > 1)
              .map((points) => (
                <polyline key={points[0]} points={points.join(" ")} />
              ))}
            {minutes.map((m, i) => {
              const v = pick(m);
              if (v === null) return null;
              const [cx, cy] = point(i, v).split(",");
              return (
                <circle key={m.minute} cx={cx} cy={cy} r={2.5}>
                  <title>{`${formatClock(m.minute)}: ${name} ${formatDuration(v)}`}</title>
                </circle>
              );
            })}
          </g>
        ))}
      </svg>
      <figcaption className="legend">
        <span>
          <i className="swatch line-p50" /> p50
        </span>
        <span>
          <i className="swatch line-p95" /> p95
        </span>
      </figcaption>
    </figure>
  );
}
