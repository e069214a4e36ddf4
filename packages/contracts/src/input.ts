import { z } from "zod";

/**
 * Media types of a streamed report: the first line is the spec without rows, every other line one row
 * (JSON Lines / NDJSON). Gzip it with `Content-Encoding: gzip`.
 */
export const NDJSON_MEDIA_TYPES = ["application/x-ndjson", "application/jsonl", "application/ndjson"] as const;

/** A line whose only key is this moves the following rows to the named table (tables come in order). */
export const TABLE_DIRECTIVE = "$table";

/**
 * Where a streamed report's rows wait for the worker (a claim check): one gzipped JSON Lines object per
 * table under `prefix`, so neither the database nor a queue message holds them.
 */
export const storedInput = z.object({
  prefix: z.string().min(1),
  /** Rows of each table, in table order; a table with none has no object. */
  counts: z.array(z.number().int().nonnegative()),
});
export type StoredInput = z.infer<typeof storedInput>;

/** The object holding the rows of table `table` of a stored input. */
export const inputKey = (input: Pick<StoredInput, "prefix">, table: number): string =>
  `${input.prefix}/${table}.jsonl.gz`;

/** The keys of every object of a stored input. */
export const inputKeys = (input: StoredInput): string[] =>
  input.counts.flatMap((count, table) => (count > 0 ? [inputKey(input, table)] : []));
