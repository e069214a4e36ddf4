const BUCKET_MS = 15 * 60_000;

/**
 * A function from an instant (ms since the epoch) to the same wall-clock time in `timeZone` read as UTC,
 * which is what Excel stores (it has no time zones). UTC is the identity.
 *
 * @example
 * wallClock("Europe/Warsaw")(Date.parse("2026-01-15T10:00:00Z")); // Date.parse("2026-01-15T11:00:00Z")
 */
export function wallClock(timeZone: string): (ms: number) => number {
  if (timeZone === "UTC" || timeZone === "Etc/UTC") return (ms) => ms;
  const offsetAt = zoneOffset(timeZone);
  // Offsets change at most once per quarter hour: one Intl call per bucket, not per value.
  const buckets = new Map<number, number | null>();
  return (ms) => {
    const bucket = Math.floor(ms / BUCKET_MS);
    let offset = buckets.get(bucket);
    if (offset === undefined) {
      const first = offsetAt(bucket * BUCKET_MS);
      offset = first === offsetAt((bucket + 1) * BUCKET_MS - 1) ? first : null;
      if (buckets.size > 100_000) buckets.clear();
      buckets.set(bucket, offset);
    }
    return ms + (offset ?? offsetAt(ms));
  };
}

/** The zone's offset from UTC at an instant, in ms, to the second. */
function zoneOffset(timeZone: string): (ms: number) => number {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
    era: "short",
  });
  return (ms) => {
    const at = Math.floor(ms / 1000) * 1000;
    const part: Record<string, number> = {};
    let bc = false;
    for (const { type, value } of format.formatToParts(at)) {
      if (type === "era") bc = value === "BC" || value === "B";
      else if (type !== "literal") part[type] = Number(value);
    }
    const year = bc ? 1 - (part.year ?? 0) : (part.year ?? 0);
    const local = Date.UTC(year, (part.month ?? 1) - 1, part.day ?? 1, part.hour, part.minute, part.second);
    // Date.UTC maps years 0–99 to 1900–1999.
    const fixed = year >= 0 && year < 100 ? new Date(local).setUTCFullYear(year) : local;
    return fixed - at;
  };
}
