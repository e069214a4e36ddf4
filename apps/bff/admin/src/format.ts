const numbers = new Intl.NumberFormat("en");

/** 1,234. */
export const formatNumber = (n: number): string => numbers.format(n);

/** 850 ms, 1.2 s, 42 s, 3 min 5 s, 2 h 4 min; "—" when unknown. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1_000);
  return minutes < 60 ? `${minutes} min ${seconds} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** "3 s ago", "5 min ago", "2 h ago", or the date when older than a day. */
export function formatAgo(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1_000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3_600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3_600)} h ago`;
  return formatTime(iso);
}

const times = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "medium" });
/** Dec 4, 2026, 1:48:50 PM. */
export const formatTime = (iso: string): string => times.format(new Date(iso));

const clock = new Intl.DateTimeFormat("en", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
/** 13:48. */
export const formatClock = (iso: string): string => clock.format(new Date(iso));

const clockSeconds = new Intl.DateTimeFormat("en", { timeStyle: "medium" });
/** 1:48:50 PM. */
export const formatClockSeconds = (at: Date): string => clockSeconds.format(at);

/** The first 8 characters of a request id, as the tables show it. */
export const shortId = (id: string): string => id.slice(0, 8);

/** "1 request", "3 requests". */
export const plural = (n: number, noun: string): string => `${formatNumber(n)} ${n === 1 ? noun : `${noun}s`}`;
