import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startSystem, type TestSystem } from "./system";

const run = promisify(execFile);
const sdkDir = fileURLToPath(new URL("..", import.meta.url));
const tsc = fileURLToPath(import.meta.resolve("typescript/bin/tsc"));

// What a user writes: the same code as ESM (main.ts) and CommonJS (main.cts), type-checked with --strict.
const program = (importLine: string) => `${importLine}
declare const process: { argv: string[] };

async function main() {
  const reports = createReportsClient({ baseUrl: process.argv[2] ?? "" });
  // @ts-expect-error "docx" is not a format: the published types hold the spec's types
  void (() => reports.generate({ format: "docx", title: "t", tables: [] }));
  const { requestId } = await reports.generate({
    format: "xlsx",
    title: "Packed",
    tables: [{ name: "A", columns: [{ key: "n", header: "N", type: "integer" }], rows: [{ n: 1 }, { n: 2 }] }],
  });
  const seen: string[] = [];
  const done = await reports.waitForStatus(requestId, { timeoutMs: 60_000, onUpdate: (s) => seen.push(s.status) });
  const file = await reports.download(requestId);
  const bytes = new Uint8Array(await file.arrayBuffer());
  const failed: boolean = new ReportFailedError(done) instanceof Error;
  console.log(JSON.stringify({ status: done.status, last: seen.at(-1), zip: bytes[0] === 0x50 && bytes[1] === 0x4b, failed }));
}
void main();
`;

describe("the packed tarball in fresh projects (no workspace links)", () => {
  let work: string;
  let tarball: string;
  let system: TestSystem;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "reports-sdk-consumers-"));
    await run("pnpm", ["exec", "tsup"], { cwd: sdkDir });
    await run("pnpm", ["pack", "--pack-destination", work], { cwd: sdkDir });
    tarball = join(work, (await readdir(work)).find((f) => f.endsWith(".tgz")) ?? "");
    system = await startSystem(inject("s3"));
  }, 120_000);

  afterAll(async () => {
    await system?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it.each([
    // in a .cts file tsc emits require(): the package's `require` condition, types and code
    ["ESM", "module", "main.ts", "main.js"],
    ["CommonJS", "commonjs", "main.cts", "main.cjs"],
  ])(
    "%s: installs, type-checks with tsc --strict, and runs generate → waitForStatus → download",
    async (_name, type, source, output) => {
      const dir = join(work, type);
      await mkdir(dir);
      await writeFile(join(dir, "package.json"), JSON.stringify({ name: `consumer-${type}`, private: true, type }));
      await run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--silent", tarball], { cwd: dir });
      await writeFile(
        join(dir, source),
        program('import { createReportsClient, ReportFailedError } from "@reports/sdk";'),
      );
      const compilerOptions = {
        strict: true,
        module: "nodenext",
        target: "es2022",
        lib: ["es2022", "dom"],
        types: [],
        outDir: "out",
      };
      await writeFile(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: [source] }));
      await run(process.execPath, [tsc, "-p", "."], { cwd: dir }).catch((error: { stdout?: string }) => {
        throw new Error(`tsc failed:\n${error.stdout}`);
      });
      const { stdout } = await run(process.execPath, [join("out", output), system.replicas[0]?.url ?? ""], {
        cwd: dir,
      });
      expect(JSON.parse(stdout)).toEqual({ status: "done", last: "done", zip: true, failed: true });
    },
  );
});
