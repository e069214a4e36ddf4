import { expectTypeOf, test } from "vitest";
import { createReportsClient, type ReportStatus } from "./index";

const reports = createReportsClient({ baseUrl: "http://127.0.0.1:3000" });

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
});

test("waitForStatus() resolves with the API's status type", () => {
  expectTypeOf(reports.waitForStatus("id")).resolves.toEqualTypeOf<ReportStatus>();
  // @ts-expect-error the id is a string
  void reports.getStatus(42);
});
