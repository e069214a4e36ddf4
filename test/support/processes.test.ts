import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { ROOT } from "./processes";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("startProcess", () => {
  it("kills what it started when the process that started it fails and exits", async () => {
    const parent = spawn(process.execPath, ["--import", "tsx", "test/support/fixtures/start-then-throw.ts"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    parent.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
    });
    const [code] = await once(parent, "exit");
    expect(code).toBe(1);
    const pid = Number(out.trim().split("\n").at(-1));
    expect(pid).toBeGreaterThan(0);
    await expect.poll(() => alive(pid), { timeout: 5_000 }).toBe(false);
  }, 30_000);
});
