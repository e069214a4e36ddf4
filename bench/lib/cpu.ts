import { readdirSync, readFileSync } from "node:fs";

/** Linux's clock ticks per second for /proc/<pid>/stat times (the usual 100). */
const TICKS = 100;

/** Who a process is, from its command line: our apps, the baseline, the services. */
function roleOf(comm: string, cmdline: string): string | null {
  if (cmdline.includes("apps/bff/")) return "BFF";
  if (cmdline.includes("apps/worker/")) return "workers";
  if (cmdline.includes("bullmq-worker")) return "BullMQ workers";
  if (cmdline.includes("bullmq-front")) return "BullMQ front door";
  if (cmdline.includes("bench/api/bare-server")) return "bare server";
  if (cmdline.includes("bench/run.ts")) return "bench client + s3rver";
  if (comm === "beam.smp" || comm.startsWith("erl_child") || comm === "epmd") return "RabbitMQ";
  if (comm === "postgres") return "PostgreSQL";
  if (comm === "redis-server") return "Redis";
  return null;
}

/** CPU seconds used so far (user + system) by each role's processes; processes that exited are not counted. */
export function cpuSecondsByRole(): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const role = roleOf(comm, readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " "));
      if (!role) continue;
      // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command
      totals[role] = (totals[role] ?? 0) + (Number(fields[11]) + Number(fields[12])) / TICKS;
    } catch {
      // the process ended while we looked
    }
  }
  return totals;
}

/** CPU seconds each role used between two readings (roles whose processes started in between count whole). */
export function cpuSpent(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([role, seconds]) => [role, Math.round((seconds - (before[role] ?? 0)) * 10) / 10] as const)
      .filter(([, seconds]) => seconds > 0),
  );
}

/**
 * CPU microseconds per request that `roles` spent while `work` ran (`work` resolves with the requests it made):
 * a figure the machine's other load moves far less than requests per second.
 */
export async function cpuPerRequest<T extends Record<string, unknown>>(
  roles: readonly string[],
  work: () => Promise<T>,
): Promise<T & { cpuUsPerRequest?: number; cpuUsByRole?: string }> {
  const before = cpuSecondsByRole();
  const result = await work();
  const spent = cpuSpent(before, cpuSecondsByRole());
  const requests = Number(result.requests ?? 0);
  if (requests === 0) return result;
  const us = (seconds: number) => Math.round((seconds * 1e6) / requests);
  const seconds = roles.reduce((sum, role) => sum + (spent[role] ?? 0), 0);
  const byRole = roles.length > 1 ? roles.map((role) => `${role} ${us(spent[role] ?? 0)}`).join(", ") : undefined;
  return { ...result, cpuUsPerRequest: us(seconds), ...(byRole ? { cpuUsByRole: byRole } : {}) };
}
