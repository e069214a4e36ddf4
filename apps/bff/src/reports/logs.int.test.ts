import { ndjsonOf, sampleSpec } from "@reports/contracts/testing";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { capturingLogger, type FuzzTarget, startDistributedTarget } from "../../test/fuzz/targets";

const SECRET = "whsec-never-in-a-log-0123456789";
const CELL = "Cell value that must stay out of the logs";

/** A report whose webhook secret and first cell must never be logged. */
const secretSpec = () => {
  const spec = sampleSpec({ rows: 2 });
  const table = spec.tables[0] as (typeof spec.tables)[0];
  return {
    ...spec,
    webhook: { url: "https://hooks.example.com/reports", secret: SECRET },
    tables: [{ ...table, rows: table.rows.map((row) => ({ ...row, customer: CELL })) }],
  };
};

let target: FuzzTarget;
const logs: Array<Record<string, unknown>> = [];
let sql: postgres.Sql;

beforeAll(async () => {
  target = await startDistributedTarget(inject("s3"), logs, capturingLogger);
  sql = postgres(target.databaseUrl as string, { max: 1, onnotice: () => {} });
});

afterAll(async () => {
  await sql?.end();
  await target?.close();
});

const post = (path: string, body: string, type: string) =>
  fetch(`${target.baseUrl}${path}`, { method: "POST", headers: { "content-type": type }, body });

describe("trace ids", () => {
  it("name the exchange in the header, the problem body and the tRPC error, and join it to the report in the logs", async () => {
    const created = await post("/generate", JSON.stringify(sampleSpec({ rows: 1 })), "application/json");
    expect(created.status).toBe(201);
    const traceId = created.headers.get("x-request-id");
    const { requestId } = (await created.json()) as { requestId: string };
    const queued = logs.find((line) => line.msg === "report queued");
    expect(queued).toMatchObject({ traceId, requestId });
    expect(logs.find((line) => line.msg === "request" && line.traceId === traceId)).toBeUndefined(); // LOG_REQUESTS=false

    const refused = await post("/generate", "{}", "application/json");
    const problem = (await refused.json()) as { traceId: string; instance: string };
    expect(problem.traceId).toBe(refused.headers.get("x-request-id"));
    expect(problem.instance).toBe(`urn:reports:trace:${problem.traceId}`);

    const trpc = await post("/trpc/reports.generate", "{}", "application/json");
    const { error } = (await trpc.json()) as { error: { data: { traceId: string } } };
    expect(error.data.traceId).toBe(trpc.headers.get("x-request-id"));
  });
});

describe("logs of a failed database write", () => {
  it("hold the driver's code and message but neither the webhook secret nor a cell, on REST, JSON Lines and tRPC", async () => {
    // every insert now fails inside PostgreSQL, whose error quotes the failing row in its `detail`
    await sql.unsafe("ALTER TABLE report_requests ADD CONSTRAINT refuse_all CHECK (false) NOT VALID");
    const spec = secretSpec();
    const answers = await Promise.all([
      post("/generate", JSON.stringify(spec), "application/json"),
      post("/generate", ndjsonOf(spec), "application/x-ndjson"),
      post("/trpc/reports.generate", JSON.stringify(spec), "application/json"),
    ]);
    expect(answers.map((a) => a.status)).toEqual([500, 500, 500]);
    const text = logs.map((line) => JSON.stringify(line)).join("\n");
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(CELL);
    expect(text).not.toMatch(/insert into/i);
    const errors = logs.filter((line) => line.level === 50);
    expect(errors.length).toBeGreaterThanOrEqual(3);
    for (const line of errors) {
      expect(line.traceId).toEqual(expect.any(String));
      expect(JSON.stringify(line.err)).toContain('"code":"23514"');
      expect(JSON.stringify(line.err)).toContain("violates check constraint");
    }
    // a refused upload's rows went with it
    expect(await target.storedInputs()).toEqual([]);
  });
});
