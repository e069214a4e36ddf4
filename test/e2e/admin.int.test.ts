import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { sampleSpec } from "@reports/contracts/testing";
import { createAdminRepository, createApiKeyRepository, createReportRepository } from "@reports/db";
import { reportRequests } from "@reports/db/schema";
import { eq } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../support/browser";
import { ROOT } from "../support/processes";
import { type System, startSystem } from "../support/system";

/** Where the test leaves its screenshots of the dashboard. */
const SCREENSHOTS = join(ROOT, "apps/bff/admin/screenshots");

describe("the operator dashboard in Chromium, against a running system (1 BFF, 1 worker)", () => {
  let system: System;
  let browser: Browser;
  let ownerKey: string;
  let adminKey: string;

  beforeAll(async () => {
    // the page the BFF serves, built from the sources under test
    await promisify(execFile)("pnpm", ["--filter", "@reports/bff", "build"], { cwd: ROOT });
    system = await startSystem({ workers: 1, env: { AUTH_MODE: "apikey", API_KEY_CACHE_SECONDS: "0" } });
    const keys = createApiKeyRepository(system.database.db);
    ownerKey = (await keys.create({ owner: "acme" })).key;
    adminKey = (await keys.create({ owner: "ops", admin: true })).key;
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  const submit = async (spec: ReturnType<typeof sampleSpec>) => {
    const res = await fetch(`${system.baseUrl}/generate`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${ownerKey}` },
      body: JSON.stringify(spec),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { requestId: string }).requestId;
  };
  const statusOf = async (id: string) =>
    (await createReportRepository(system.database.db).findById(id))?.status ?? "missing";
  const until = (id: string, status: string, timeout = 60_000) =>
    expect.poll(() => statusOf(id), { timeout, interval: 200 }).toBe(status);
  const numberIn = async (page: Page, testId: string) => Number(await page.getByTestId(testId).textContent());

  it("shows the system, finds the failed reports, and replays one after its cause is fixed", async () => {
    // three reports that work, a poison one (no tables: it can never render), and one that fails while S3 is down
    const good = [await submit(sampleSpec({ rows: 40, title: "Q3 sales" })), await submit(sampleSpec({ rows: 5 }))];
    good.push(await submit(sampleSpec({ rows: 500, format: "pdf", title: "Stock" })));
    for (const id of good) await until(id, "done");
    const repo = createReportRepository(system.database.db);
    const poison = await repo.create(sampleSpec({ title: "Poison" }), { owner: "acme" });
    await system.database.db
      .update(reportRequests)
      .set({ spec: { ...sampleSpec({ title: "Poison" }), tables: [] } })
      .where(eq(reportRequests.requestId, poison.requestId));
    await system.queue.publish({ requestId: poison.requestId, attempt: 1 });
    await until(poison.requestId, "error");
    await system.stopS3();
    const outage = await submit(sampleSpec({ rows: 20, title: "Made during the outage" }));
    await until(outage, "error");

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });
    await page.goto(`${system.baseUrl}/admin/`);

    // an owner's key is refused, an operator's opens the dashboard
    await page.getByLabel("Admin key").fill(ownerKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").first().textContent()).toContain("not an admin");
    await page.getByLabel("Admin key").fill(adminKey);
    await page.getByRole("button", { name: "Sign in" }).click();

    await expect.poll(() => numberIn(page, "count-done"), { timeout: 10_000 }).toBe(3);
    expect(await numberIn(page, "count-error")).toBe(2);
    await expect.poll(() => numberIn(page, "queue-dead-lettered"), { timeout: 10_000 }).toBe(2);
    const chart = page.getByRole("img", { name: "Reports per minute" });
    const doneInChart = async () =>
      (await chart.locator("rect title").allTextContents())
        .map((title) => Number(/(\d+) done/.exec(title)?.[1] ?? 0))
        .reduce((a, b) => a + b, 0);
    await expect.poll(doneInChart, { timeout: 10_000 }).toBe(3);
    await expect.poll(() => page.getByText(/INVALID_SPEC/).count()).toBeGreaterThan(0);
    await expect.poll(() => page.getByRole("table", { name: "Workers" }).locator("tbody tr").count()).toBe(1);
    await mkdir(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, "overview.png"), fullPage: true });

    // the dead-letter view lists both failures with their reasons
    await page.getByRole("link", { name: /^Dead letters/ }).click();
    const outageRow = page.getByRole("row").filter({ hasText: "Made during the outage" });
    await expect.poll(() => outageRow.textContent(), { timeout: 10_000 }).toContain("STORAGE_FAILED");
    await expect
      .poll(() => page.getByRole("row").filter({ hasText: "Poison" }).textContent())
      .toContain("INVALID_SPEC");
    await page.screenshot({ path: join(SCREENSHOTS, "dead-letters.png"), fullPage: true });

    // fix the cause, then replay the outage's report from the dashboard, with a confirmation
    await system.startS3();
    await outageRow.getByRole("button", { name: "Replay" }).click();
    const dialog = page.getByRole("dialog");
    await expect.poll(() => dialog.textContent()).toMatch(/1 request/);
    await dialog.getByRole("button", { name: "Confirm" }).click();
    await until(outage, "done");
    await expect.poll(() => page.getByRole("row").filter({ hasText: "Made during the outage" }).count()).toBe(0);
    expect(await statusOf(poison.requestId)).toBe("error");

    // its detail shows the whole story and the file
    await page.getByRole("link", { name: "Requests", exact: true }).click();
    await page.getByLabel("Search").fill(outage);
    await page.getByRole("link", { name: outage.slice(0, 8) }).click();
    await expect
      .poll(() => page.getByRole("list", { name: "Status history" }).locator("li").allTextContents(), {
        timeout: 10_000,
      })
      .toEqual(expect.arrayContaining([expect.stringMatching(/^error/), expect.stringMatching(/^done/)]));
    const download = page.getByRole("link", { name: "Download Made during the outage.xlsx" });
    const file = await fetch(String(await download.getAttribute("href")));
    expect(file.status).toBe(200);
    await page.screenshot({ path: join(SCREENSHOTS, "request.png"), fullPage: true });
    // the overview has moved on: one more done, one fewer failed
    await page.getByRole("link", { name: "Overview", exact: true }).click();
    await expect.poll(() => numberIn(page, "count-done"), { timeout: 10_000 }).toBe(4);
    expect(await numberIn(page, "count-error")).toBe(1);
    await expect.poll(doneInChart, { timeout: 10_000 }).toBe(4);

    // "replay all" shows its progress; the poison, whose cause nobody fixed, fails again
    await page.getByRole("link", { name: /^Dead letters/ }).click();
    await page.getByRole("button", { name: /^Replay all/ }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Confirm" }).click();
    await expect.poll(() => page.getByRole("status").textContent(), { timeout: 10_000 }).toBe("Replayed 1 (0 skipped)");
    expect(await page.getByLabel("Replay progress").evaluate((el) => (el as HTMLProgressElement).value)).toBe(1);
    const failures = async () =>
      (await createAdminRepository(system.database.db).history(poison.requestId)).filter((h) => h.status === "error")
        .length;
    await expect.poll(failures, { timeout: 30_000 }).toBe(2);

    // a long report cancelled from its detail view: the worker lets it go at its next progress tick
    const long = await submit(sampleSpec({ rows: 60_000, format: "pdf", title: "Too long" }));
    await until(long, "processing", 30_000);
    await page.goto(`${system.baseUrl}/admin/#/requests/${long}`);
    await page.getByRole("button", { name: "Cancel report" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Confirm" }).click();
    await until(long, "cancelled", 10_000);
    await expect
      .poll(() => page.getByRole("list", { name: "Status history" }).locator("li").last().textContent(), {
        timeout: 10_000,
      })
      .toMatch(/^cancelled/);
    expect(system.workers[0]?.logs.some((l) => l.requestId === long && /cancel/i.test(String(l.msg)))).toBe(true);

    // a definition with a published version 1 and a draft version 2: the definitions page lists both, with the
    // request version 1 made, and that request names its version
    const call = async (method: string, path: string, body: unknown) => {
      const res = await fetch(`${system.baseUrl}${path}`, {
        method,
        headers: { "content-type": "application/json", authorization: `Bearer ${ownerKey}` },
        body: JSON.stringify(body),
      });
      expect(res.status, `${method} ${path}`).toBeLessThan(300);
      return (await res.json()) as { requestId?: string };
    };
    const definition = (title: string) => ({
      formats: ["xlsx"],
      title,
      params: { type: "object", required: ["month"], properties: { month: { type: "string" } } },
      tables: [{ name: "Orders", columns: [{ key: "region", header: "Region" }] }],
    });
    await call("POST", "/definitions", { name: "sales-monthly", ...definition("Sales {{params.month}}") });
    await call("POST", "/definitions/sales-monthly/publish", { version: 1 });
    await call("PUT", "/definitions/sales-monthly", definition("Revenue {{params.month}}"));
    const fromDefinition = await call("POST", "/generate", {
      definition: "sales-monthly",
      params: { month: "2026-11" },
      tables: [{ name: "Orders", rows: [{ region: "North" }] }],
    });
    await until(String(fromDefinition.requestId), "done");
    await page.goto(`${system.baseUrl}/admin/#/definitions`);
    const versions = page.getByRole("table", { name: "Definitions" }).locator("tbody tr");
    await expect
      .poll(() => versions.allTextContents())
      .toEqual([
        expect.stringMatching(/^sales-monthlyacmev2Revenue \{\{params\.month\}\}xlsx0/),
        expect.stringMatching(/^v1 publishedSales \{\{params\.month\}\}xlsx1/),
      ]);
    await page.screenshot({ path: join(SCREENSHOTS, "definitions.png"), fullPage: true });
    await page.goto(`${system.baseUrl}/admin/#/requests/${fromDefinition.requestId}`);
    await expect
      .poll(() => page.getByRole("link", { name: /^sales-monthly v/ }).textContent())
      .toBe("sales-monthly v1");

    // nothing the page loads is refused by its Content-Security-Policy
    expect(problems.filter((p) => /Content Security Policy|Refused/.test(p))).toEqual([]);
  });
});
