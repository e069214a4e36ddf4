import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import * as XLSX from "xlsx";
import {
  AbortError,
  ApiError,
  createReportsClient,
  NetworkError,
  type Row,
  type StreamedReportSpec,
} from "../src/index";
import { startProxy, type TestProxy } from "./proxy";
import { startSystem, type TestSystem } from "./system";

let system: TestSystem;
let proxy: TestProxy;
let api: string;

beforeAll(async () => {
  system = await startSystem(inject("s3"));
  api = system.replicas[0]?.url ?? "";
  proxy = await startProxy(api);
});

afterAll(async () => {
  await proxy?.close();
  await system?.close();
});

const spec: StreamedReportSpec = {
  format: "xlsx",
  title: "Streamed",
  tables: [
    {
      name: "Orders",
      columns: [
        { key: "id", header: "Id", type: "integer" },
        { key: "amount", header: "Amount", type: "currency", currency: "EUR" },
      ],
    },
    { name: "Notes", columns: [{ key: "text", header: "Text" }], rows: [{ text: "inline" }] },
    { name: "Regions", columns: [{ key: "name", header: "Name" }] },
  ],
};

async function* orders(count: number, onRow?: (id: number) => void): AsyncGenerator<Row> {
  for (let id = 1; id <= count; id++) {
    onRow?.(id);
    yield { id, amount: id / 4 };
  }
}

const regions = () =>
  new ReadableStream<Row>({
    start(controller) {
      for (const name of ["North", "South"]) controller.enqueue({ name });
      controller.close();
    },
  });

async function sheets(requestId: string, baseUrl: string): Promise<Record<string, unknown[][]>> {
  const reports = createReportsClient({ baseUrl });
  await reports.waitForStatus(requestId, { timeoutMs: 60_000 });
  const book = XLSX.read(new Uint8Array(await (await reports.download(requestId)).arrayBuffer()));
  return Object.fromEntries(
    book.SheetNames.map((name) => [name, XLSX.utils.sheet_to_json(book.Sheets[name] as XLSX.WorkSheet, { header: 1 })]),
  );
}

describe("generate with streamed rows (gzipped JSON Lines)", () => {
  it("sends an async generator, a ReadableStream and inline rows as one report", async () => {
    const reports = createReportsClient({ baseUrl: api });
    const { requestId, status } = await reports.generate(spec, {
      rows: { Orders: orders(5_000), Regions: regions() },
    });
    expect(status).toBe("queued");
    const book = await sheets(requestId, api);
    expect(book.Orders).toHaveLength(5_001);
    expect(book.Orders?.[1]).toEqual([1, 0.25]);
    expect(book.Orders?.[5_000]).toEqual([5_000, 1_250]);
    expect(book.Notes).toEqual([["Text"], ["inline"]]);
    expect(book.Regions).toEqual([["Name"], ["North"], ["South"]]);
  });

  it("surfaces the API's per-line errors as ApiError VALIDATION_FAILED with the field paths", async () => {
    const reports = createReportsClient({ baseUrl: api });
    async function* rows(): AsyncGenerator<Row> {
      yield { id: 1, amount: 1 };
      yield { id: 2, amount: "a lot" };
      yield { id: 3.5, amount: 3 };
    }
    const error = await reports.generate(spec, { rows: { Orders: rows() } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: "VALIDATION_FAILED", status: 400 });
    const paths = (error as ApiError).errors.map((e) => e.path);
    expect(paths).toEqual(["tables[0].rows[1].amount", "tables[0].rows[2].id"]);
    expect((error as ApiError).errors[0]?.message).toMatch(/^line 3: /);
  });

  it("stops reading the rows, and closes them, when the API refuses the report before the end of the body", async () => {
    const reports = createReportsClient({ baseUrl: api });
    let read = 0;
    let closed = false;
    async function* bad(): AsyncGenerator<Row> {
      try {
        for (let id = 1; id <= 1_000_000; id++) {
          read = id;
          yield { id, amount: "not a number" };
        }
      } finally {
        closed = true;
      }
    }
    // The API answers at its 20th problem and closes the connection. A half-duplex fetch (Node's, browsers')
    // cannot read an answer before it has sent the whole body, so this surfaces as a NetworkError, not retried.
    const error = await reports.generate(spec, { rows: { Orders: bad() } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toMatch(/^(ApiError|NetworkError)$/);
    await expect.poll(() => closed).toBe(true);
    expect(read).toBeLessThan(100_000); // backpressure: only what the socket and the compressor buffered
  });

  it("refuses rows for a table the spec does not have, naming it", async () => {
    const reports = createReportsClient({ baseUrl: api });
    const error = await reports.generate(spec, { rows: { Order: orders(1) } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).errors).toEqual([{ path: "rows.Order", message: "no table of the spec has this name" }]);
  });

  it("rejects with the source's own error when the rows fail, without retrying", async () => {
    const reports = createReportsClient({ baseUrl: api });
    let opened = 0;
    const failing = async function* (): AsyncGenerator<Row> {
      opened++;
      yield { id: 1, amount: 1 };
      throw new Error("the database cursor closed");
    };
    await expect(reports.generate(spec, { rows: { Orders: failing } })).rejects.toThrow("the database cursor closed");
    expect(opened).toBe(1);
  });

  it("retries an upload whose answer was lost when the rows come from a function, making one report", async () => {
    const reports = createReportsClient({ baseUrl: proxy.url, retry: { baseDelayMs: 10 } });
    let opened = 0;
    proxy.dropAnswers(1);
    const idempotencyKey = `stream-retry-${Date.now()}`;
    const first = await reports.generate(spec, {
      idempotencyKey,
      rows: {
        Orders: () => {
          opened++;
          return orders(1_000);
        },
      },
    });
    expect(opened).toBe(2);
    // the lost attempt stored the report; the retry got the same one back (same key, same rows)
    const again = await createReportsClient({ baseUrl: api }).generate(spec, {
      idempotencyKey,
      rows: { Orders: orders(1_000) },
    });
    expect(again.requestId).toBe(first.requestId);
    expect((await sheets(first.requestId, api)).Orders).toHaveLength(1_001);
  });

  it("does not retry a half-sent upload of rows that cannot be read again", async () => {
    const reports = createReportsClient({ baseUrl: proxy.url, retry: { baseDelayMs: 10 } });
    proxy.dropAnswers(1);
    const error = await reports.generate(spec, { rows: { Orders: orders(1_000) } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).possibleCors).toBe(false); // Node: no CORS
  });

  it.each(["stream", "buffer"] as const)(
    "upload %s: aborting rejects with AbortError and closes the rows",
    async (upload) => {
      const reports = createReportsClient({ baseUrl: api });
      const controller = new AbortController();
      let closed = false;
      async function* rows(): AsyncGenerator<Row> {
        try {
          for (let id = 1; id <= 1_000_000; id++) {
            if (id === 20_000) controller.abort(new Error("the user left"));
            yield { id, amount: id };
          }
        } finally {
          closed = true;
        }
      }
      const error = await reports
        .generate(spec, { rows: { Orders: rows() }, upload, signal: controller.signal })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AbortError);
      expect((error as AbortError).cause).toEqual(new Error("the user left"));
      await expect.poll(() => closed).toBe(true);
    },
  );

  it("reads rows only as fast as the upload takes them (backpressure)", async () => {
    // rows of 2 KB that do not compress (more distinct text than gzip's 32 KB window)
    const total = 5_000;
    const noise = Array.from({ length: 1_000 }, () =>
      Array.from({ length: 200 }, () => Math.random().toString(36).slice(2, 12)).join(""),
    );
    let read = 0;
    let readWhileStalled = 0;
    let stalled = true;
    async function* rows(): AsyncGenerator<Row> {
      for (let id = 1; id <= total; id++) {
        read = id;
        if (stalled) readWhileStalled = id;
        yield { id, amount: id, note: noise[id % noise.length] ?? "" };
      }
    }
    // the network, as the SDK sees it: a fetch that takes one chunk, then nothing until the client has read
    // 4,000 rows or 2 s have passed, then the rest (no kernel buffers in between, unlike a real socket)
    const stallingFetch: typeof fetch = async (_url, init) => {
      const body = init?.body;
      if (!(body instanceof ReadableStream)) throw new Error("a streamed upload sends a ReadableStream");
      const reader = (body as ReadableStream<Uint8Array>).getReader();
      await reader.read();
      const started = Date.now();
      while (read < 4_000 && Date.now() - started < 2_000) await new Promise((resolve) => setTimeout(resolve, 20));
      stalled = false;
      while (!(await reader.read()).done);
      return Response.json({ requestId: "r", status: "queued", createdAt: new Date().toISOString() }, { status: 201 });
    };
    const reports = createReportsClient({ baseUrl: api, fetch: stallingFetch });
    await reports.generate(spec, { rows: { Orders: rows() } });
    expect(read).toBe(total);
    // about one compressed chunk ahead of the upload, not the 4,000 rows that would end the stall
    expect(readWhileStalled).toBeGreaterThan(0);
    expect(readWhileStalled).toBeLessThan(500);
  });
});
