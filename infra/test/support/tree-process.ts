import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";

export interface TreeProcess {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/**
 * `node --import tsx <entry>` in `cwd`, as the image's CMD runs it, with only `env` and PATH: nothing from
 * the test process (NODE_OPTIONS, the repository's node_modules) leaks in.
 */
export function startInTree(cwd: string, entry: string, env: Record<string, string>): TreeProcess {
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    cwd,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", NODE_ENV: "production", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Polls `url` until it answers 200, or fails with the process's output. */
export async function waitForOk(url: string, process: TreeProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (process.child.exitCode !== null) throw new Error(`exited ${process.child.exitCode}:\n${process.output()}`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} not OK within ${timeoutMs} ms:\n${process.output()}`);
}
