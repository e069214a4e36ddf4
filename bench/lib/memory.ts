/** Worker RSS growth above this, per 1,000 reports, once warm (from the first quarter on), is called growth. */
export const FLAT_MB_PER_1000 = 2;
/** Fewer reports between the first and last sample say nothing per 1,000 (a smoke run's 20 would). */
const MIN_SPAN = 1_000;

export interface RssSample {
  /** Reports done when the sample was taken. */
  done: number;
  /** Each worker's RSS then, in MB. */
  rssMb: number[];
}

export interface MemoryVerdict {
  /** The steepest worker's least-squares slope of RSS over reports done, in MB per 1,000 reports. */
  mbPer1000: number;
  thresholdMbPer1000: number;
  flat: boolean;
  text: string;
}

/** Least-squares slope of y over x. */
function slope(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

/**
 * Whether the workers' memory levels off, from their RSS at each quarter of the run: the slope of each worker's
 * RSS over reports done, judged against a threshold. Undefined with fewer than three samples (no line to fit) or
 * fewer than 1,000 reports between the first and the last.
 *
 * @example
 * memoryVerdict([{ done: 500, rssMb: [120] }, { done: 1000, rssMb: [121] }, { done: 1500, rssMb: [121] }]);
 * // { mbPer1000: 1, flat: true, … }
 */
export function memoryVerdict(
  samples: readonly RssSample[],
  thresholdMbPer1000 = FLAT_MB_PER_1000,
): MemoryVerdict | undefined {
  if (samples.length < 3) return undefined;
  if ((samples.at(-1)?.done ?? 0) - (samples[0]?.done ?? 0) < MIN_SPAN) return undefined;
  const workers = Math.min(...samples.map((s) => s.rssMb.length));
  if (workers === 0) return undefined;
  const slopes = Array.from({ length: workers }, (_, w) =>
    slope(samples.map((s) => [s.done / 1000, s.rssMb[w] ?? 0] as const)),
  );
  const mbPer1000 = Math.round(Math.max(...slopes) * 10) / 10;
  const flat = mbPer1000 <= thresholdMbPer1000;
  const sign = mbPer1000 >= 0 ? "+" : "";
  const text = flat
    ? `flat: ${sign}${mbPer1000} MB per 1,000 reports (≤ ${thresholdMbPer1000})`
    : `growing: ${sign}${mbPer1000} MB per 1,000 reports (> ${thresholdMbPer1000}): a leak, or a warm-up longer than the run`;
  return { mbPer1000, thresholdMbPer1000, flat, text };
}
