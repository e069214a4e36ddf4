import { gzipSync } from "node:zlib";
import { ndjsonOf, sampleRow, sampleSpec } from "@reports/contracts/testing";
import fc from "fast-check";
import type { Ending } from "./http";

/** One line of a generated JSON Lines body, as text. */
const NUL = "\u0000";
const LONE_SURROGATE = "\ud800";

const header = () => (ndjsonOf(sampleSpec({ rows: 0 })).split("\n")[0] as string) ?? "";

/** A spec line: usually right, sometimes junk, NUL or a lone surrogate in the title, or not JSON at all. */
const specLine = fc.oneof(
  { weight: 6, arbitrary: fc.constant(header()) },
  { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v) ?? "null") },
  { weight: 1, arbitrary: fc.constantFrom(NUL, LONE_SURROGATE).map((c) => header().replace('"Sales', `"Sa${c}les`)) },
  { weight: 1, arbitrary: fc.string().map((s) => `{"format":${s}`) },
);

/** A row line: a right row, a wrong cell, a non-row, a blank line, a table change, or text that is not JSON. */
const rowLine = fc.oneof(
  { weight: 8, arbitrary: fc.nat(1000).map((i) => JSON.stringify(sampleRow(i))) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.nat(1000), fc.constantFrom("id", "amount", "day", "paid", "customer"), fc.jsonValue())
      .map(([i, key, junk]) => JSON.stringify({ ...sampleRow(i), [key]: junk })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.nat(1000), fc.constantFrom(NUL, LONE_SURROGATE, "x".repeat(2001), "\u202e", "=1+1"))
      .map(([i, text]) => JSON.stringify({ ...sampleRow(i), customer: text })),
  },
  { weight: 1, arbitrary: fc.constantFrom("", "   ", "\r", "[1,2]", "42", "null", '"row"', '{"constructor":1}') },
  { weight: 1, arbitrary: fc.constantFrom('{"$table":"Orders"}', '{"$table":"Nope"}', '{"$table":1}') },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constant("\n".repeat(1_000)) },
);

/** How the body is put on the wire, right or wrong. */
export type Wire =
  | "identity"
  | "gzip"
  | "gzip-truncated"
  | "gzip-corrupt"
  | "gzip-members"
  | "gzip-declared-plain"
  | "brotli-declared"
  | "latin1"
  | "invalid-utf8"
  | "long-line"
  | "over-size";

export interface GeneratedBody {
  lines: string[];
  wire: Wire;
  /** Where a truncation or corruption lands (0..1). */
  at: number;
  cuts: number[];
  ending: Ending;
  sentFraction: number;
}

export const ndjsonBody: fc.Arbitrary<GeneratedBody> = fc.record({
  lines: fc.tuple(specLine, fc.array(rowLine, { maxLength: 40 })).map(([spec, rows]) => [spec, ...rows]),
  wire: fc.constantFrom<Wire>(
    "identity",
    "identity",
    "gzip",
    "gzip",
    "gzip-truncated",
    "gzip-corrupt",
    "gzip-members",
    "gzip-declared-plain",
    "brotli-declared",
    "latin1",
    "invalid-utf8",
    "long-line",
    "over-size",
  ),
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
  ending: fc.constantFrom<Ending>("complete", "complete", "complete", "complete", "complete", "disconnect", "stall"),
  sentFraction: fc.double({ min: 0, max: 0.95, noNaN: true }),
});

/** The bytes and headers of a generated JSON Lines body. */
export function encodeNdjson(body: GeneratedBody): { bytes: Buffer; headers: Record<string, string> } {
  const text = `${body.lines.join("\n")}\n`;
  const headers: Record<string, string> = { "content-type": "application/x-ndjson" };
  const gzip = { ...headers, "content-encoding": "gzip" };
  const cut = (b: Buffer) => Math.max(1, Math.floor(b.length * body.at));
  switch (body.wire) {
    case "identity":
      return { bytes: Buffer.from(text), headers };
    case "gzip":
      return { bytes: gzipSync(text), headers: gzip };
    case "gzip-truncated": {
      const z = gzipSync(text);
      return { bytes: z.subarray(0, Math.min(cut(z), z.length - 1)), headers: gzip };
    }
    case "gzip-corrupt": {
      const z = Buffer.from(gzipSync(text));
      const i = Math.min(cut(z), z.length - 1);
      z[i] = (z[i] as number) ^ 0xa5;
      return { bytes: z, headers: gzip };
    }
    case "gzip-members": {
      const half = Math.floor(text.length * body.at);
      return { bytes: Buffer.concat([gzipSync(text.slice(0, half)), gzipSync(text.slice(half))]), headers: gzip };
    }
    case "gzip-declared-plain":
      return { bytes: Buffer.from(text), headers: gzip };
    case "brotli-declared":
      return { bytes: Buffer.from(text), headers: { ...headers, "content-encoding": "br" } };
    case "latin1":
      return { bytes: Buffer.from(text.replaceAll("Sales", "Sälès"), "latin1"), headers };
    case "invalid-utf8": {
      const bytes = Buffer.from(text);
      const i = Math.floor(bytes.length * body.at);
      return {
        bytes: Buffer.concat([bytes.subarray(0, i), Buffer.from([0xff, 0xfe, 0xc3]), bytes.subarray(i)]),
        headers,
      };
    }
    case "long-line":
      // 5 MiB of one line, gzipped to a few KB: over the line limit, under every byte limit
      return { bytes: gzipSync(`${text}{"customer":"${"x".repeat(5 * 1024 * 1024)}"}\n`), headers: gzip };
    case "over-size":
      return { bytes: Buffer.from(text + `${JSON.stringify(sampleRow(1))}\n`.repeat(3_000)), headers };
  }
}

/** A JSON body for `POST /generate` or a tRPC mutation: a spec, one thing wrong in it, or not JSON at all. */
export const jsonBody = fc.oneof(
  { weight: 3, arbitrary: fc.constant(JSON.stringify(sampleSpec({ rows: 2 }))) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom("title", "format", "tables", "locale", "fileName"), fc.jsonValue())
      .map(([key, junk]) => JSON.stringify({ ...sampleSpec({ rows: 2 }), [key]: junk })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(NUL, LONE_SURROGATE, "\u202e"), fc.constantFrom("title", "cell", "key"))
      .map(([text, where]) => {
        const spec = sampleSpec({ rows: 1 });
        const table = spec.tables[0] as (typeof spec.tables)[0];
        if (where === "title") return JSON.stringify({ ...spec, title: `a${text}b` });
        if (where === "cell") {
          return JSON.stringify({ ...spec, tables: [{ ...table, rows: [{ ...table.rows[0], customer: text }] }] });
        }
        return JSON.stringify({ ...spec, tables: [{ ...table, rows: [{ ...table.rows[0], [`k${text}`]: 1 }] }] });
      }),
  },
  { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v) ?? "null") },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constant(JSON.stringify(sampleSpec({ rows: 700 }))) },
);

/** A path of the download routes: ids that are and are not UUIDs, and `/files/…` with broken percent-encoding. */
export const downloadPath = fc.oneof(
  fc.uuid().map((id) => `/reports/${id}/download`),
  fc.string({ maxLength: 40 }).map((s) => `/reports/${urlSafe(s)}/download`),
  fc.uuid().map((id) => `/status/${id}`),
  fc
    .tuple(
      fc.array(
        fc.oneof(fc.constantFrom("%", "%E0%A4%A", "%C0", "%2F", "..", "%00", "reports", "inputs"), fc.string()),
        {
          maxLength: 5,
        },
      ),
      fc.string({ maxLength: 20 }),
      fc.oneof(fc.constant("1"), fc.string({ maxLength: 12 })),
    )
    .map(
      ([parts, signature, expires]) =>
        `/files/${parts.map(urlSafe).join("/")}?expires=${urlSafe(expires)}&name=a.pdf&signature=${urlSafe(signature)}`,
    ),
);

/** What a client can put in a request target: percent signs stay raw, anything else outside the URL alphabet is encoded. */
function urlSafe(text: string): string {
  let out = "";
  for (const char of text) {
    if (/^[A-Za-z0-9._~!$'()*+,;=:@%-]$/.test(char)) out += char;
    else out += [...Buffer.from(char)].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("");
  }
  return out;
}
