import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ReportStatus } from "@reports/contracts";
import { sampleSpec } from "@reports/contracts/testing";
import { createReportsClient, ReportsApiError } from "@reports/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { download, pdfText, xlsxRows } from "../support/files";
import { freePort, type RunningProcess, startProcess } from "../support/processes";
import { startWebhookReceiver } from "../support/webhook-receiver";

describe("embedded mode (pnpm start): one process, PGlite, in-process queue and cache, local files", () => {
  let system: RunningProcess;
  let dataDir: string;
  let baseUrl: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "reports-embedded-"));
    const port = await freePort();
    system = startProcess("apps/standalone/src/main.ts", {
      PORT: String(port),
      DATA_DIR: dataDir,
      RENDER_THREADS: "1",
      WEBHOOK_ALLOWED_HOSTS: "127.0.0.1",
    });
    await system.waitForLog("listening", 60_000);
    baseUrl = `http://127.0.0.1:${port}`;
  }, 90_000);

  afterAll(async () => {
    await system?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("says on start-up that it runs without authentication", () => {
    expect(system.logs.find((l) => String(l.msg).includes("listening"))).toMatchObject({ auth: "none" });
  });

  it("goes from the SDK's generate() to a done XLSX through waitForStatus()", async () => {
    const reports = createReportsClient({ baseUrl });
    const { requestId, status } = await reports.generate(sampleSpec({ format: "xlsx", rows: 1_000 }));
    expect(status).toBe("queued");
    const seen: string[] = [];
    const done = await reports.waitForStatus(requestId, { timeoutMs: 60_000, onUpdate: (s) => seen.push(s.status) });
    expect(done.status).toBe("done");
    expect(seen.at(-1)).toBe("done");
    expect(done.url).toMatch(new RegExp(`^${baseUrl}/files/reports/${requestId}\\.xlsx\\?`));
    const rows = xlsxRows((await download(done.url as string)).bytes, "Orders");
    expect(rows).toHaveLength(1_000);
    expect(rows[0]).toMatchObject({ Order: 1, Customer: "Zażółć gęślą jaźń" });
  });

  it("renders a PDF and serves it through a signed link that refuses tampering", async () => {
    const res = await fetch(`${baseUrl}/generate`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(sampleSpec({ format: "pdf", rows: 200 })),
    });
    expect(res.status).toBe(201);
    const { requestId } = (await res.json()) as { requestId: string };
    const done = await createReportsClient({ baseUrl }).waitForStatus(requestId, { timeoutMs: 60_000 });
    const url = done.url as string;
    const { bytes, response } = await download(url);
    expect(response.headers.get("content-type")).toBe("application/pdf");
    expect((await pdfText(bytes)).text).toContain("Привет");

    const tampered = url.replace(/signature=([0-9a-f])/, (_m, c: string) => `signature=${c === "0" ? "1" : "0"}`);
    expect((await fetch(tampered)).status).toBe(403);
    const otherFile = url.replace(`${requestId}.pdf`, `${crypto.randomUUID()}.pdf`);
    expect((await fetch(otherFile)).status).toBe(403);
  });

  it("finishes a PDF with a character no font has as done, with MISSING_GLYPHS on REST, tRPC, the SDK and the webhook", async () => {
    const receiver = await startWebhookReceiver();
    try {
      const reports = createReportsClient({ baseUrl });
      const { requestId } = await reports.generate({
        format: "pdf",
        title: "Glyphs",
        tables: [
          {
            name: "Cells",
            columns: [{ key: "text", header: "Text" }],
            // U+E000 is private use: no font of the chain draws it
            rows: [{ text: "private \uE000 use" }, { text: "plain" }],
          },
        ],
        webhook: { url: receiver.url },
      });
      const sdk = await reports.waitForStatus(requestId, { timeoutMs: 60_000 });
      expect(sdk).toMatchObject({
        status: "done",
        warnings: [{ code: "MISSING_GLYPHS", codePoints: ["U+E000"], cells: 1 }],
      });
      expect(sdk.url).toMatch(/^http/);
      const rest = (await (await fetch(`${baseUrl}/status/${requestId}`)).json()) as ReportStatus;
      expect(rest.warnings).toEqual(sdk.warnings);
      const input = encodeURIComponent(JSON.stringify({ requestId }));
      const trpc = (await (await fetch(`${baseUrl}/trpc/reports.status?input=${input}`)).json()) as {
        result: { data: ReportStatus };
      };
      expect(trpc.result.data.warnings).toEqual(sdk.warnings);
      const event = JSON.parse(await receiver.first()) as { type: string; data: ReportStatus };
      expect(event).toMatchObject({ type: "report.done", data: { requestId, warnings: sdk.warnings } });
    } finally {
      receiver.close();
    }
  });

  it("rejects a bad spec through the SDK with the field named", async () => {
    const reports = createReportsClient({ baseUrl });
    const spec = sampleSpec();
    const error = await reports
      .generate({
        ...spec,
        tables: [{ ...spec.tables[0], name: "", columns: spec.tables[0]?.columns ?? [], rows: [] }],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReportsApiError);
    expect(error).toMatchObject({ code: "VALIDATION_FAILED", httpStatus: 400 });
    expect((error as ReportsApiError).errors.map((e) => e.path)).toEqual(["tables[0].name"]);
  });

  it("answers 404 through the SDK for an unknown id", async () => {
    const error = await createReportsClient({ baseUrl })
      .getStatus(crypto.randomUUID())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "NOT_FOUND", httpStatus: 404 });
  });
});
