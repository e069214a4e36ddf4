import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, scrub, serializeError } from "./index";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  return { lines, log: createLogger({ name: "test", destination }) };
}

/** What Drizzle throws: its message spells out the query and every bound value; the driver's error is the cause. */
function drizzleError(secret: string) {
  const driver = Object.assign(new Error("value too long for type character varying(255)"), {
    code: "22001",
    severity: "ERROR",
    detail: `Failing row contains (${secret}).`,
    where: `parameter $3 = '${secret}'`,
  });
  const error = new Error(`Failed query: insert into "report_requests" values ($1, $2, $3)\nparams: a,b,${secret}`, {
    cause: driver,
  });
  error.name = "DrizzleQueryError";
  return Object.assign(error, { query: 'insert into "report_requests" …', params: ["a", "b", secret] });
}

describe("the logger", () => {
  it("keeps a query error's driver code and message, and drops its query text, parameters and details", () => {
    const { lines, log } = capture();
    log.error({ err: drizzleError("whsec-0123456789abcdef") }, "unhandled error");
    expect(lines).toHaveLength(1);
    const line = lines[0] as string;
    expect(line).not.toContain("whsec-0123456789abcdef");
    expect(line).not.toContain("insert into");
    const { err } = JSON.parse(line);
    expect(err).toMatchObject({
      type: "DrizzleQueryError",
      cause: { code: "22001", message: "value too long for type character varying(255)", severity: "ERROR" },
    });
    expect(err.stack).toMatch(/^\s+at /);
  });

  it("redacts webhook secrets, API keys, bearer tokens and link signatures wherever they are logged", () => {
    const { lines, log } = capture();
    log.info(
      {
        webhook: { url: "https://hooks.example.com/x", secret: "whsec-aaaaaaaaaaaaaaaa" },
        headers: { authorization: "Bearer rpt_abcdefghijklmnop" },
        apiKey: "rpt_abcdefghijklmnop",
        url: "http://127.0.0.1:9000/b/reports/1.pdf?X-Amz-Credential=AKIA%2F&X-Amz-Signature=deadbeef&x-id=GetObject",
        status: { url: "http://127.0.0.1:3000/files/reports/1.pdf?expires=1&name=a.pdf&signature=cafe" },
      },
      "sent Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln with rpt_abcdefghijklmnop",
    );
    const line = lines[0] as string;
    for (const secret of ["whsec-aaaa", "rpt_abcdefghijklmnop", "deadbeef", "cafe", "AKIA", "eyJhbGci"]) {
      expect(line).not.toContain(secret);
    }
    const parsed = JSON.parse(line);
    expect(parsed.url).toBe(
      "http://127.0.0.1:9000/b/reports/1.pdf?X-Amz-Credential=[redacted]&X-Amz-Signature=[redacted]&x-id=GetObject",
    );
    expect(parsed.webhook.url).toBe("https://hooks.example.com/x");
  });

  it("scrubs secrets out of error messages and follows causes and aggregate errors", () => {
    const error = new AggregateError([new Error("GET http://s3/k?X-Amz-Signature=abc failed")], "all failed", {
      cause: new Error("Authorization: Bearer sometoken123"),
    });
    const serialized = JSON.stringify(serializeError(error));
    expect(serialized).not.toMatch(/abc failed|sometoken123/);
    expect(scrub("token rpt_0123456789abcdef")).toBe("token rpt_[redacted]");
  });
});
