import { expectTypeOf, test } from "vitest";
import {
  type ApiError,
  createReportsClient,
  type ReportFailedError,
  type ReportStatus,
  type ReportsApiError,
  type Row,
} from "./index";

const reports = createReportsClient({ baseUrl: "http://127.0.0.1:3000", apiKey: "rpt_key" });

test("generate() takes a typed spec", () => {
  expectTypeOf(reports.generate).parameter(0).toHaveProperty("format");
  // @ts-expect-error "docx" is not a format
  void reports.generate({ format: "docx", title: "t", tables: [] });
  void reports.generate({
    format: "xlsx",
    title: "t",
    // @ts-expect-error "money" is not a column type
    tables: [{ name: "a", columns: [{ key: "k", header: "K", type: "money" }], rows: [] }],
  });
  // @ts-expect-error the title is required
  void reports.generate({ format: "pdf", tables: [] });
  // @ts-expect-error a cell is a string, number, boolean or null
  void reports.generate({ format: "pdf", title: "t", tables: [{ name: "a", columns: [], rows: [{ k: {} }] }] });
  void reports.generate(
    { format: "pdf", title: "t", tables: [] },
    { idempotencyKey: "q3-2026", signal: AbortSignal.timeout(1) },
  );
  void reports.generate({ format: "pdf", title: "t", tables: [] }, { idempotencyKey: false });
});

test("generate() with rows streams: tables may leave their rows out, sources are typed rows", () => {
  const table = { name: "Orders", columns: [{ key: "id", header: "Id", type: "integer" as const }] };
  async function* orders(): AsyncGenerator<Row> {
    yield { id: 1 };
  }
  void reports.generate({ format: "xlsx", title: "t", tables: [table] }, { rows: { Orders: orders } });
  void reports.generate({ format: "xlsx", title: "t", tables: [table] }, { rows: { Orders: orders() } });
  void reports.generate({ format: "xlsx", title: "t", tables: [table] }, { rows: { Orders: [{ id: 1 }] } });
  const stream = new ReadableStream<Row>();
  void reports.generate(
    { format: "xlsx", title: "t", tables: [table] },
    { rows: { Orders: stream }, upload: "buffer" },
  );
  // @ts-expect-error without `rows`, every table needs its rows
  void reports.generate({ format: "xlsx", title: "t", tables: [table] });
  // @ts-expect-error a row's cell is a string, number, boolean or null
  void reports.generate({ format: "xlsx", title: "t", tables: [table] }, { rows: { Orders: [{ id: {} }] } });
  // @ts-expect-error upload is "stream" or "buffer"
  void reports.generate({ format: "xlsx", title: "t", tables: [table] }, { rows: {}, upload: "chunked" });
});

test("generate() from a definition checks the params against the type the caller gives", () => {
  type Params = { month: string };
  void reports.generate<Params>({
    definition: "sales-monthly",
    params: { month: "2026-11" },
    tables: [{ name: "Orders", rows: [{ amount: 1 }] }],
  });
  // @ts-expect-error month is a string
  void reports.generate<Params>({ definition: "sales-monthly", params: { month: 11 } });
  // @ts-expect-error with a params type, the params are required
  void reports.generate<Params>({ definition: "sales-monthly" });
  void reports.generate({ definition: "sales-monthly", version: 2, format: "pdf" });
  expectTypeOf(reports.definitions.publish("sales-monthly", 1)).resolves.toHaveProperty("publishedVersion");
  expectTypeOf(reports.definitions.get("sales-monthly")).resolves.toHaveProperty("versions");
  void reports.definitions.create("x", {
    formats: ["pdf"],
    title: "t",
    // @ts-expect-error a definition has no rows
    tables: [{ name: "a", columns: [], rows: [] }],
  });
});

test("waitForStatus() resolves with the API's status type, progress included", () => {
  expectTypeOf(reports.waitForStatus("id")).resolves.toEqualTypeOf<ReportStatus>();
  expectTypeOf<ReportStatus["progress"]>().toEqualTypeOf<number | null | undefined>();
  // @ts-expect-error the id is a string
  void reports.getStatus(42);
  // @ts-expect-error until takes a state
  void reports.waitForStatus("id", { until: "finished" });
});

test("errors carry the problem+json fields and the report's error type", () => {
  expectTypeOf<ApiError["code"]>().toEqualTypeOf<import("./index").ApiErrorCode>();
  expectTypeOf<ReportsApiError>().toEqualTypeOf<ApiError>();
  expectTypeOf<ReportFailedError["type"]>().toEqualTypeOf<import("./index").ReportErrorType>();
  expectTypeOf(reports.download("id")).resolves.toEqualTypeOf<Response>();
  expectTypeOf<import("./index").NetworkError["possibleCors"]>().toEqualTypeOf<boolean>();
});
