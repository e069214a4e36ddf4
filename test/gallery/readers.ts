import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import pixelmatch from "pixelmatch";
import { PNG } from "pngjs";

const INSTALL = "apt-get install -y python3-openpyxl poppler-utils libreoffice-calc-nogui";

/** A cell as openpyxl reads it: `type` is its data type (s, n, d, b, f), `format` its number format. */
export interface OpenpyxlCell {
  value: string | number | boolean | null;
  type: string;
  format: string;
  bold: boolean;
}

const DUMP = `
import json, sys, datetime, openpyxl
out = {}
for path in sys.argv[1:]:
    book = openpyxl.load_workbook(path)
    out[path] = {ws.title: [[{"value": c.value.isoformat() if isinstance(c.value, (datetime.datetime, datetime.date)) else c.value,
                              "type": c.data_type, "format": c.number_format, "bold": bool(c.font.b)} for c in row]
                            for row in ws.iter_rows()] for ws in book.worksheets}
print(json.dumps(out))
`;

/** Every sheet of every file as openpyxl reads it (one Python process for all), by path, then sheet name. */
export function readWithOpenpyxl(paths: readonly string[]): Record<string, Record<string, OpenpyxlCell[][]>> {
  // Debian's python3 first: a python of its own (pyenv) earlier on the PATH has no openpyxl
  const python = ["/usr/bin/python3", "python3"].find(
    (p) => spawnSync(p, ["-c", "import openpyxl"], { stdio: "ignore" }).status === 0,
  );
  if (!python) throw new Error(`openpyxl is missing: ${INSTALL}`);
  return JSON.parse(execFileSync(python, ["-c", DUMP, ...paths], { maxBuffer: 256 << 20 }).toString());
}

/**
 * Every sheet of every file as LibreOffice Calc shows it (values as displayed, formulas recalculated), by file
 * name without extension, then sheet name. One LibreOffice run for all files, with a profile of its own so runs
 * in parallel never share one.
 */
export function readWithLibreOffice(
  paths: readonly string[],
  workDir: string,
): Record<string, Record<string, string[][]>> {
  if (spawnSync("libreoffice", ["--version"], { stdio: "ignore" }).status !== 0) {
    throw new Error(`LibreOffice is missing: ${INSTALL}`);
  }
  const out = join(workDir, "csv");
  // CSV filter tokens: comma, double quote, UTF-8, from row 1, -, -, no quoting of all text, keep the cells' shown
  // text, keep formulas' results, ..., -1: every sheet to a file of its own ("<name>-<sheet>.csv")
  const filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1";
  execFileSync(
    "libreoffice",
    [
      `-env:UserInstallation=file://${join(workDir, "profile")}`,
      "--headless",
      "--convert-to",
      filter,
      "--outdir",
      out,
      ...paths,
    ],
    { stdio: "ignore", timeout: 120_000 },
  );
  const books: Record<string, Record<string, string[][]>> = {};
  for (const path of paths) {
    const name = basename(path).replace(/\.xlsx$/, "");
    const sheets: Record<string, string[][]> = {};
    for (const file of readdirSync(out).filter((f) => f.startsWith(`${name}-`))) {
      sheets[file.slice(name.length + 1, -".csv".length)] = parseCsv(readFileSync(join(out, file), "utf8"));
    }
    books[name] = sheets;
  }
  return books;
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes (doubled) and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) rows.push([...row, field]);
  return rows;
}

/** How two PNGs differ: pixels past pixelmatch's colour threshold, and a picture of them (red on grey). */
export function comparePngs(
  actual: Buffer,
  expected: Buffer,
): { differing: number; total: number; diff: Buffer | null } {
  const a = PNG.sync.read(actual);
  const b = PNG.sync.read(expected);
  if (a.width !== b.width || a.height !== b.height)
    return { differing: Number.POSITIVE_INFINITY, total: 0, diff: null };
  const diff = new PNG({ width: a.width, height: a.height });
  const differing = pixelmatch(a.data, b.data, diff.data, a.width, a.height, { threshold: 0.1 });
  return { differing, total: a.width * a.height, diff: PNG.sync.write(diff) };
}
