import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { promisify } from "node:util";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../support/browser";
import { freePort, ROOT, type RunningProcess, startProcess } from "../support/processes";

type Outcome = { ok?: Record<string, unknown>; error?: string };
type PageResult = { sdk: Outcome; rest: Outcome; console: string[] };

const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript" };

/** Serves the built page's directory: its own origin, not the API's. */
function serveDirectory(dir: string, port: number): Promise<Server> {
  const server = createServer(async (req, res) => {
    const path = normalize(new URL(req.url ?? "/", "http://x").pathname).replace(/^\/+/, "") || "index.html";
    try {
      const body = await readFile(join(dir, path));
      res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

describe("a page on another origin, in Chromium", () => {
  let browser: Browser;
  let pageServer: Server;
  let pageOrigin: string;
  const systems: { process: RunningProcess; url: string; dataDir: string }[] = [];

  async function startSystem(env: Record<string, string>) {
    const [port, dataDir] = [await freePort(), await mkdtemp(join(tmpdir(), "reports-cors-"))];
    const process = startProcess("apps/standalone/src/main.ts", {
      PORT: String(port),
      DATA_DIR: dataDir,
      RENDER_THREADS: "1",
      LOG_REQUESTS: "false",
      ...env,
    });
    systems.push({ process, url: `http://127.0.0.1:${port}`, dataDir });
    await process.waitForLog("listening", 240_000);
    return `http://127.0.0.1:${port}`;
  }

  /** Opens the page against `api` and waits for what it reports, with Chromium's console messages. */
  async function runPage(api: string): Promise<PageResult> {
    const page = await browser.newPage();
    const messages: string[] = [];
    page.on("console", (message) => messages.push(message.text()));
    await page.goto(`${pageOrigin}/?api=${encodeURIComponent(api)}`);
    await expect.poll(() => page.getByTestId("result").textContent(), { timeout: 90_000 }).toMatch(/^\{/);
    const result = JSON.parse((await page.getByTestId("result").textContent()) ?? "{}");
    await page.close();
    return { ...result, console: messages };
  }

  let allowed: string;
  let closed: string;

  beforeAll(async () => {
    const pagePort = await freePort();
    pageOrigin = `http://127.0.0.1:${pagePort}`;
    const built = await mkdtemp(join(tmpdir(), "reports-cors-page-"));
    await promisify(execFile)(
      process.execPath,
      [
        "node_modules/vite/bin/vite.js",
        "build",
        "test/e2e/cross-origin-page",
        "--outDir",
        built,
        "--emptyOutDir",
      ].concat(["--base", "./", "--logLevel", "warn"]),
      { cwd: ROOT },
    );
    pageServer = await serveDirectory(built, pagePort);
    [allowed, closed, browser] = await Promise.all([
      startSystem({ CORS_ORIGINS: pageOrigin }),
      startSystem({}),
      launchChromium(),
    ]);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    pageServer?.close();
    await Promise.all(systems.map((s) => s.process.stop()));
    await Promise.all(systems.map((s) => rm(s.dataDir, { recursive: true, force: true })));
  });

  it("creates, follows and downloads a report through the SDK and the REST routes when CORS_ORIGINS lists it", async () => {
    const { sdk, rest } = await runPage(allowed);
    expect(sdk).toEqual({ ok: { status: "done", bytes: expect.any(Number), zip: true } });
    expect(rest.error).toBeUndefined();
    expect(rest.ok).toMatchObject({ status: "done", download: 200 });
    expect(rest.ok?.location).toMatch(/^\/status\//); // an exposed header: the page may read it
    expect(rest.ok?.bytes).toBeGreaterThan(1000);
  }, 120_000);

  it("fails with an error that names CORS when CORS_ORIGINS does not list it", async () => {
    const { sdk, rest, console } = await runPage(closed);
    expect(sdk.ok).toBeUndefined();
    // the SDK's NetworkError says what to do, naming the setting and this page's origin
    expect(sdk.error).toMatch(/^NetworkError: .*CORS/);
    expect(sdk.error).toContain(`CORS_ORIGINS=${pageOrigin}`);
    expect(rest.error).toMatch(/Failed to fetch/);
    // what the page's author sees in the browser's console
    expect(console.join("\n")).toMatch(/blocked by CORS policy/);
  }, 120_000);
});
