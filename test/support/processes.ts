import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export interface RunningProcess {
  child: ChildProcess;
  /** Every JSON log line it wrote so far. */
  logs: Array<Record<string, unknown>>;
  /** Resolves with the first log line whose `msg` includes `text`. */
  waitForLog(text: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Whether it still runs, how it ended, its stderr's tail and last log lines: what a failed test should print. */
  describe(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * The processes started here and still running. They are killed when this process exits, however it ends: a run
 * that failed half-way (a BFF that never said it listens, an error thrown before `stop()`) leaves none behind to
 * hold ports and memory and to take CPU from the next bench.
 */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * Runs one of our entry points as its own process: TypeScript through tsx, as `pnpm start` would, or a built `.mjs`
 * with plain node, as the images do. It is killed if this process exits first.
 */
export function startProcess(entry: string, env: Record<string, string>, nodeArgs: string[] = []): RunningProcess {
  const loader = entry.endsWith(".mjs") ? ["--enable-source-maps"] : ["--import", "tsx"];
  const child = spawn(process.execPath, [...nodeArgs, ...loader, entry], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  let buffer = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line));
      } catch {
        logs.push({ msg: line });
      }
    }
    for (const wake of waiters) wake();
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  running.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      running.delete(child);
      resolve(code);
    }),
  );

  return {
    child,
    logs,
    waitForLog(text, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = logs.find((l) => typeof l.msg === "string" && l.msg.includes(text));
          if (hit) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(hit);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `${entry}: no "${text}" log within ${timeoutMs} ms\nstderr: ${stderr}\nlogs: ${JSON.stringify(logs.slice(-5))}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        exited.then((code) => {
          if (waiters.has(check)) reject(new Error(`${entry} exited with ${code} before "${text}"\nstderr: ${stderr}`));
        });
        check();
      });
    },
    describe() {
      const state =
        child.exitCode === null && child.signalCode === null
          ? "running"
          : `exited (code ${child.exitCode}, signal ${child.signalCode})`;
      return `${entry}: ${state}\nstderr: ${stderr.slice(-4_000)}\nlast logs: ${JSON.stringify(logs.slice(-10))}`;
    },
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
