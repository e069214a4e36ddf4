const numbers = new Intl.NumberFormat("en");

export const formatNumber = (n: number) => numbers.format(n);

/** 850 ms, 1.2 s, 3 min 5 s. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1_000);
  return minutes < 60 ? `${minutes} min ${seconds} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** "3 s ago", "5 min ago", or the date. */
export function formatAgo(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1_000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3_600) return `${Math.floor(seconds / 60)} min ago`;
  return formatTime(iso);
}

const times = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "medium" });
export const formatTime = (iso: string) => times.format(new Date(iso));

const clock = new Intl.DateTimeFormat("en", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
export const formatClock = (iso: string) => clock.format(new Date(iso));

export const shortId = (id: string) => id.slice(0, 8);
