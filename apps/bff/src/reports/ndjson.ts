import { createHash, randomUUID } from "node:crypto";
import { once } from "node:events";
import { createGzip, type Gzip } from "node:zlib";
import {
  type DefinitionRef,
  type FieldError,
  fieldErrors,
  type GenerateFromDefinition,
  generateFromDefinition,
  inputKey,
  inputKeys,
  NDJSON_MEDIA_TYPES,
  namesDefinition,
  type ReportSpec,
  type RowRules,
  reportSpec,
  rowProblems,
  rowRules,
  SPEC_LIMITS,
  type StoredInput,
  TABLE_DIRECTIVE,
} from "@reports/contracts";
import type { Storage } from "@reports/storage";
import { ApiError } from "../http/errors";
import { type Limits, overLimits } from "./limits";
import { readLines, type UploadLimits } from "./ndjson-lines";
import type { RowAccount } from "./row-budget";

/** A line longer than this (in characters) is refused: no row needs more, and it bounds what one line can hold. */
export const MAX_LINE_LENGTH = 4 * 1024 * 1024;

/** Problems listed in one answer; reading stops once there are this many. */
const MAX_PROBLEMS = 20;

/** The spec (without rows) of a first line that names a report definition, and the version it used. */
export type ResolveDefinition = (
  request: GenerateFromDefinition,
) => Promise<{ spec: ReportSpec; definition: DefinitionRef }>;

export interface NdjsonSettings {
  limits: Limits;
  upload: Omit<UploadLimits, "maxLineLength">;
  /** The owner's row budget: rows are taken as they arrive, and given back if the upload is refused. */
  rows?: RowAccount;
  /** Resolves a first line naming a report definition (`{"definition": …, "params": …}`); without it, refused. */
  resolveDefinition?: ResolveDefinition;
}

/** A streamed report once every row is checked and stored. */
export interface ReceivedReport {
  /** The spec without rows. */
  spec: ReportSpec;
  input: StoredInput;
  /** SHA-256 of the (decompressed) body, for idempotency keys. */
  bodyHash: string;
  /** The definition version the spec line named, if it named one. */
  definition?: DefinitionRef;
}

/** Whether a request carries a streamed report (JSON Lines) rather than one JSON spec. */
export function isNdjson(contentType: string | undefined): boolean {
  const type = contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
  return (NDJSON_MEDIA_TYPES as readonly string[]).includes(type);
}

/**
 * Reads a streamed report: the first line is the spec without rows, each further line one row of the
 * current table (the first, until a `{"$table": "Name"}` line moves on to a later one). Rows are checked
 * as they arrive and written, gzipped, to object storage one table at a time, so the BFF holds a few
 * chunks at a time whatever the report's size. Rows are taken from the owner's row budget as they arrive
 * (`settings.rows`). On any problem (the client's, a limit's, the budget's, storage's, or the client leaving)
 * the stored objects are removed and the rows given back before this rejects, and an `ApiError` names the line
 * and the field.
 *
 * @example
 * // curl -H 'Content-Type: application/x-ndjson' -H 'Content-Encoding: gzip' --data-binary @report.jsonl.gz …/generate
 * const { spec, input } = await receiveNdjson(c.req.raw, storage, settings);
 */
export async function receiveNdjson(
  request: Request,
  storage: Storage,
  settings: NdjsonSettings,
): Promise<ReceivedReport> {
  const receiver = new Receiver(storage, settings.limits);
  const { resolveDefinition } = settings;
  try {
    const next = async (line: string) => {
      // only the spec line may wait on the database (for the definition it names); rows stay synchronous
      if (resolveDefinition && receiver.wantsSpec) await receiver.specLine(line, resolveDefinition);
      else receiver.line(line);
      // a refused report is answered at once: reading on would only cost time
      if (receiver.problems.length >= MAX_PROBLEMS) throw receiver.refused();
      await settings.rows?.charge(receiver.rowCount);
      await receiver.backpressure();
    };
    await readLines(request, { ...settings.upload, maxLineLength: MAX_LINE_LENGTH }, (line) => {
      // a blank line is counted and hashed, nothing more, and without a promise: a body of nothing but line ends
      // (a gzip bomb) costs a loop, not an await per line
      if (line.trim() !== "") return next(line);
      receiver.line(line);
      return undefined;
    });
    await settings.rows?.charge(receiver.rowCount, true);
    return await receiver.finish();
  } catch (error) {
    await receiver.discard();
    await settings.rows?.refund();
    throw error;
  }
}

/** One table's rows on their way to storage. */
interface TableUpload {
  gzip: Gzip;
  done: Promise<void>;
  /** Lines not yet handed to gzip: one write per line would be one thread-pool round trip per row. */
  pending: string;
}

/** Lines are handed to gzip in runs of about this many characters. */
const WRITE_BATCH = 64 * 1024;

/** The state of one streamed report as its lines arrive. */
class Receiver {
  readonly problems: FieldError[] = [];
  private readonly prefix = `inputs/${randomUUID()}`;
  private readonly hash = createHash("sha256");
  /** Lines not yet hashed: one update per line would be a native call per row (and per blank line of a bomb). */
  private unhashed = "";
  private spec: ReportSpec | null = null;
  private definition: DefinitionRef | null = null;
  private counts: number[] = [];
  private table = 0;
  private lineNumber = 0;
  private rows = 0;
  private cells = 0;
  private upload: TableUpload | null = null;
  /** Each table's columns as rows are checked against them. */
  private rules: RowRules[] = [];
  private readonly uploads: Promise<void>[] = [];

  constructor(
    private readonly storage: Storage,
    private readonly limits: Limits,
  ) {}

  /** Rows read so far, over every table. */
  get rowCount(): number {
    return this.rows;
  }

  line(text: string): void {
    this.lineNumber++;
    this.hashLine(text);
    if (text.trim() === "") return;
    const value = this.parse(text);
    if (value === undefined) {
      if (!this.spec) throw this.invalid(); // without the spec, no row can be checked
      return;
    }
    if (!this.spec) this.header(value);
    else if (isDirective(value)) this.directive(value[TABLE_DIRECTIVE]);
    else this.row(text, value);
  }

  /** The body's hash is of its lines, each followed by a line end; taken in runs of about {@link WRITE_BATCH}. */
  private hashLine(text: string): void {
    this.unhashed += `${text}\n`;
    if (this.unhashed.length < WRITE_BATCH) return;
    this.hash.update(this.unhashed);
    this.unhashed = "";
  }

  /** Whether the spec line has yet to come. */
  get wantsSpec(): boolean {
    return this.spec === null;
  }

  /** A line that may be the spec line naming a report definition: resolved to its spec; any other, as `line`. */
  async specLine(text: string, resolve: ResolveDefinition): Promise<void> {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return this.line(text);
    }
    if (!namesDefinition(value)) return this.line(text);
    this.lineNumber++;
    this.hashLine(text);
    const at = `line ${this.lineNumber}`;
    const parsed = generateFromDefinition.safeParse(value);
    if (!parsed.success) {
      for (const { path, message } of fieldErrors(parsed.error.issues)) this.problem(path, `${at}: ${message}`);
      throw this.invalid();
    }
    parsed.data.tables.forEach((table, t) => {
      if (table.rows.length > 0) this.problem(`tables[${t}].rows`, `${at}: a streamed report sends its rows as lines`);
    });
    if (this.problems.length > 0) throw this.invalid();
    const resolved = await resolve(parsed.data).catch((error: unknown) => {
      if (!(error instanceof ApiError) || !error.errors) throw error;
      const errors = error.errors.map((e) => ({ ...e, message: `${at}: ${e.message}` }));
      throw new ApiError(error.code, error.detail, errors);
    });
    this.definition = resolved.definition;
    this.accept(resolved.spec);
  }

  /** Waits while storage is slower than the client. */
  async backpressure(): Promise<void> {
    const upload = this.upload;
    if (upload?.gzip.writableNeedDrain) await Promise.race([once(upload.gzip, "drain"), upload.done]);
  }

  /** The answer to a report with problems. */
  refused(): ApiError {
    return new ApiError("VALIDATION_FAILED", "The report is not valid; see errors.", this.problems);
  }

  async finish(): Promise<ReceivedReport> {
    if (!this.spec && this.problems.length === 0) {
      throw new ApiError("VALIDATION_FAILED", "The body is empty: send the spec line, then the rows.");
    }
    if (this.problems.length > 0 || !this.spec) throw this.refused();
    this.endUpload();
    await Promise.all(this.uploads);
    return {
      spec: this.spec,
      input: { prefix: this.prefix, counts: this.counts },
      bodyHash: this.hash.update(this.unhashed).digest("hex"),
      ...(this.definition ? { definition: this.definition } : {}),
    };
  }

  /** Stops the uploads and removes what they stored. */
  async discard(): Promise<void> {
    // the gzip has had its 'error' listener since it was made (tableUpload), whoever reads it and when
    this.upload?.gzip.destroy(new Error("upload discarded: the report was refused"));
    this.upload = null;
    await Promise.allSettled(this.uploads);
    const input = { prefix: this.prefix, counts: this.counts };
    await Promise.allSettled(inputKeys(input).map((key) => this.storage.delete(key)));
  }

  private parse(text: string): unknown {
    try {
      return JSON.parse(text);
    } catch {
      this.problem(`line ${this.lineNumber}`, "not valid JSON");
      return undefined;
    }
  }

  private header(value: unknown): void {
    const parsed = reportSpec.safeParse(withEmptyRows(value));
    if (!parsed.success) {
      for (const { path, message } of fieldErrors(parsed.error.issues)) this.problem(path, `line 1: ${message}`);
      throw this.invalid();
    }
    this.accept(parsed.data);
  }

  /** Takes the spec line's spec: its tables' rows follow as lines. */
  private accept(spec: ReportSpec): void {
    spec.tables.forEach((table, t) => {
      if (table.rows.length > 0) {
        this.problem(`tables[${t}].rows`, "line 1: a streamed report sends its rows as lines, not in the spec");
      }
      if (table.columns.some((c) => c.key === TABLE_DIRECTIVE)) {
        this.problem(`tables[${t}].columns`, `line 1: "${TABLE_DIRECTIVE}" marks a table change; rename the column`);
      }
    });
    const over = overLimits(spec, this.limits);
    if (over.length > 0)
      throw new ApiError("LIMIT_EXCEEDED", "The report is over this server's limits; see errors.", over);
    if (this.problems.length > 0) throw this.invalid();
    this.spec = spec;
    this.counts = spec.tables.map(() => 0);
    const maxString = { length: this.limits.MAX_STRING_LENGTH, name: "MAX_STRING_LENGTH" };
    this.rules = spec.tables.map((table) => rowRules(table.columns, maxString));
  }

  private directive(name: unknown): void {
    const tables = this.spec?.tables ?? [];
    const next = tables.findIndex((t) => t.name === name);
    if (next < 0) {
      this.problem(TABLE_DIRECTIVE, `line ${this.lineNumber}: no table named ${JSON.stringify(name)} in the spec`);
    } else if (next < this.table) {
      this.problem(TABLE_DIRECTIVE, `line ${this.lineNumber}: tables come in the spec's order; "${name}" was done`);
    } else if (next > this.table) {
      this.endUpload();
      this.table = next;
    }
  }

  private row(text: string, value: unknown): void {
    const spec = this.spec as ReportSpec;
    const t = this.table;
    const index = this.counts[t] as number;
    const path = `tables[${t}].rows[${index}]`;
    const at = `line ${this.lineNumber}`;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.problem(path, `${at}: a row is a JSON object of column keys to values`);
      return;
    }
    const table = spec.tables[t] as ReportSpec["tables"][number];
    for (const { key, message } of rowProblems(
      this.rules[t] as RowRules,
      value as Record<string, unknown>,
      MAX_PROBLEMS,
    )) {
      this.problem(`${path}.${key}`, `${at}: ${message}`);
    }
    this.rows++;
    this.cells += table.columns.length;
    this.counts[t] = index + 1;
    this.checkSize();
    if (this.problems.length > 0) return; // a refused report stores nothing more
    const upload = this.tableUpload();
    upload.pending += `${text}\n`;
    if (upload.pending.length >= WRITE_BATCH) flush(upload);
  }

  private checkSize(): void {
    const maxRows = Math.min(this.limits.MAX_ROWS, SPEC_LIMITS.rowsPerReport);
    if (this.rows > maxRows) {
      throw new ApiError("LIMIT_EXCEEDED", "The report is over this server's limits; see errors.", [
        { path: "tables", message: `at most ${maxRows} rows (MAX_ROWS)` },
      ]);
    }
    if (this.cells > this.limits.MAX_CELLS) {
      throw new ApiError("LIMIT_EXCEEDED", "The report is over this server's limits; see errors.", [
        { path: "tables", message: `at most ${this.limits.MAX_CELLS} cells (MAX_CELLS)` },
      ]);
    }
  }

  private endUpload(): void {
    if (!this.upload) return;
    flush(this.upload);
    this.upload.gzip.end();
    this.upload = null;
  }

  private tableUpload(): TableUpload {
    if (this.upload) return this.upload;
    const gzip = createGzip({ level: 1 });
    // storage attaches its own listeners only once it starts reading (after an await); until then a
    // destroyed gzip (a refused report) would emit an unhandled 'error' and end the process. The error
    // itself reaches `done` through storage, which `finish` and `discard` await.
    gzip.on("error", () => {});
    const done = this.storage.put(inputKey({ prefix: this.prefix }, this.table), gzip, {
      contentType: "application/jsonl",
    });
    // the failure is awaited (and reported) in finish or discard; a stalled write must not wait on it forever
    done.catch(() => gzip.destroy());
    this.upload = { gzip, done, pending: "" };
    this.uploads.push(done);
    return this.upload;
  }

  private problem(path: string, message: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ path, message });
  }

  private invalid(): ApiError {
    return new ApiError("VALIDATION_FAILED", "The report spec line is not valid; see errors.", this.problems);
  }
}

/** The spec line may leave out the tables' `rows`. */
function withEmptyRows(value: unknown): unknown {
  const tables = (value as { tables?: unknown } | null)?.tables;
  if (!Array.isArray(tables)) return value;
  return {
    ...(value as object),
    tables: tables.map((t: unknown) =>
      typeof t === "object" && t !== null && !("rows" in t) ? { ...t, rows: [] } : t,
    ),
  };
}

function flush(upload: TableUpload): void {
  if (upload.pending === "") return;
  upload.gzip.write(upload.pending);
  upload.pending = "";
}

function isDirective(value: unknown): value is { [TABLE_DIRECTIVE]: unknown } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === TABLE_DIRECTIVE;
}
