import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../support/browser";
import { xlsxRows } from "../support/files";
import { freePort, ROOT, type RunningProcess, startProcess } from "../support/processes";

const WEB = join(ROOT, "examples/web");
/** Where the test leaves its screenshot of the page after the download. */
const SCREENSHOT = join(WEB, "screenshots/generated.png");

describe("the example web app in Chromium, against the embedded system", () => {
  let system: RunningProcess;
  let preview: ChildProcess;
  let browser: Browser;
  let dataDir: string;
  let pageUrl: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "reports-web-"));
    const [apiPort, webPort] = [await freePort(), await freePort()];
    system = startProcess("apps/standalone/src/main.ts", {
      PORT: String(apiPort),
      DATA_DIR: dataDir,
      RENDER_THREADS: "1",
      LOG_REQUESTS: "false",
    });
    await promisify(execFile)(process.execPath, ["node_modules/vite/bin/vite.js", "build", "--logLevel", "warn"], {
      cwd: WEB,
    });
    preview = spawn(
      process.execPath,
      ["node_modules/vite/bin/vite.js", "preview", "--port", String(webPort), "--strictPort"],
      {
        cwd: WEB,
        env: { ...process.env, REPORTS_API_URL: `http://127.0.0.1:${apiPort}` },
        stdio: "ignore",
      },
    );
    pageUrl = `http://localhost:${webPort}/`;
    browser = await launchChromium();
    await system.waitForLog("listening", 60_000);
    for (
      let tries = 0;
      !(await fetch(pageUrl).then(
        (r) => r.ok,
        () => false,
      ));
      tries++
    ) {
      if (tries > 100) throw new Error(`vite preview did not answer at ${pageUrl}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    preview?.kill();
    await system?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("generates an XLSX from 30,000 rows, shows its progress and downloads the file", async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
    await page.goto(pageUrl);
    await page.getByLabel("Title").fill("Browser test");
    await page.getByRole("button", { name: "Fill with 30,000 sample rows" }).click();
    await page.getByRole("button", { name: "Generate" }).click();

    await expect.poll(() => page.getByTestId("state").textContent(), { timeout: 60_000 }).toBe("done");
    const updates = await page.getByRole("list", { name: "Status updates" }).locator("li").allTextContents();
    expect(updates.at(-1)).toBe("done");
    const percents = updates.flatMap((u) => /^processing (\d+)%$/.exec(u)?.[1] ?? []).map(Number);
    expect(percents.length).toBeGreaterThan(0);
    expect(percents.every((p) => p > 0 && p < 100)).toBe(true);
    expect(await page.getByLabel("Report progress").evaluate((el) => (el as HTMLProgressElement).value)).toBe(100);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download Browser test.xlsx" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("Browser test.xlsx");
    const rows = xlsxRows(await readFile((await download.path()) ?? ""), "Data");
    expect(rows).toHaveLength(30_000);
    expect(rows[0]).toMatchObject({ Order: 1, Region: "South", Amount: 37.5 });

    await mkdir(join(WEB, "screenshots"), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it("shows the API's field errors for a table it refuses", async () => {
    const page = await browser.newPage();
    await page.goto(pageUrl);
    await page.getByLabel(/^Table/).fill("");
    await page.getByLabel("Title").fill("Empty");
    await page.getByRole("button", { name: "Generate" }).click();
    await expect.poll(() => page.getByRole("alert").textContent(), { timeout: 10_000 }).toContain("tables[0].columns");
  });
});
