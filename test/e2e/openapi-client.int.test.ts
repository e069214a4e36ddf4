import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { xlsxRows } from "../support/files";
import { freePort, ROOT, type RunningProcess, startProcess } from "../support/processes";

const run = promisify(execFile);
const bin = (name: string) => join(ROOT, "node_modules/.bin", name);

/** The body of the README's first `curl … /generate -d '…'`, exactly as a reader would copy it. */
async function readmeCurlSpec(): Promise<string> {
  const readme = await readFile(join(ROOT, "README.md"), "utf8");
  const body = /curl[^\n]*\/generate[\s\S]*?-d '(\{[\s\S]*?\})'/.exec(readme)?.[1];
  if (!body) throw new Error("README.md has no `curl … /generate -d '{…}'` example");
  return body;
}

/** A consumer's program on the generated client: create, poll to done, download; prints what it got as JSON. */
const program = (spec: string) => `import createClient from "openapi-fetch";
import type { paths } from "./api.js";

const client = createClient<paths>({ baseUrl: process.argv[2] });

const created = await client.POST("/generate", {
  body: ${spec.replaceAll("\n", "\n  ")},
});
if (!created.data) throw new Error(\`generate: \${JSON.stringify(created.error)}\`);
const { requestId } = created.data;

let status = created.data.status;
for (let polls = 0; status !== "done"; polls++) {
  if (status === "error" || status === "cancelled" || polls > 300) throw new Error(\`report ended \${status}\`);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const polled = await client.GET("/status/{requestId}", { params: { path: { requestId } } });
  if (!polled.data) throw new Error(\`status: \${JSON.stringify(polled.error)}\`);
  status = polled.data.status;
}

const file = await client.GET("/reports/{requestId}/download", {
  params: { path: { requestId } },
  parseAs: "arrayBuffer",
});
if (!file.response.ok) throw new Error(\`download: \${file.response.status}\`);
const bytes = Buffer.from(file.data as ArrayBuffer);
console.log(JSON.stringify({ requestId, status, type: file.response.headers.get("content-type"), file: bytes.toString("base64") }));
`;

describe("a client generated from /openapi.json (openapi-typescript + openapi-fetch)", () => {
  let system: RunningProcess;
  let dataDir: string;
  let work: string;
  let baseUrl: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "reports-openapi-client-"));
    // inside the repository's node_modules so the program resolves openapi-fetch as an installed package
    await mkdir(join(ROOT, "node_modules/.cache"), { recursive: true });
    work = await mkdtemp(join(ROOT, "node_modules/.cache/openapi-client-"));
    const port = await freePort();
    system = startProcess("apps/standalone/src/main.ts", {
      PORT: String(port),
      DATA_DIR: dataDir,
      RENDER_THREADS: "1",
    });
    // PGlite's start and migrations: seconds on an idle machine, minutes on a loaded 2-core one
    await system.waitForLog("listening", 240_000);
    baseUrl = `http://127.0.0.1:${port}`;
  }, 300_000);

  afterAll(async () => {
    await system?.stop();
    await Promise.all([dataDir, work].map((dir) => dir && rm(dir, { recursive: true, force: true })));
  });

  it("is announced by the start line, with the API docs and the dashboard", async () => {
    const started = system.logs.find((l) => String(l.msg).includes("listening"));
    expect(started).toMatchObject({ url: baseUrl, docs: `${baseUrl}/docs`, admin: `${baseUrl}/admin/` });
    expect(String(started?.msg)).toContain(`API docs ${baseUrl}/docs`);
    expect((await fetch(`${baseUrl}/docs`)).status).toBe(200);
  });

  it("type-checks under --strict with the README's curl spec as written, then creates, polls and downloads it", async () => {
    await run(bin("openapi-typescript"), [`${baseUrl}/openapi.json`, "-o", join(work, "api.d.ts")], { cwd: work });
    await writeFile(join(work, "package.json"), JSON.stringify({ type: "module" }));
    await writeFile(join(work, "client.ts"), program(await readmeCurlSpec()));

    const tsc = await run(
      bin("tsc"),
      ["--strict", "--noEmit", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext"].concat([
        "--types",
        "node",
        "--typeRoots",
        join(ROOT, "node_modules/@types"),
        "client.ts",
      ]),
      { cwd: work },
    ).catch((failed: { stdout: string }) => failed);
    expect(tsc.stdout).toBe("");

    const { stdout } = await run(bin("tsx"), ["client.ts", baseUrl], { cwd: work, timeout: 90_000 });
    const result = JSON.parse(stdout.trim().split("\n").at(-1) as string) as {
      status: string;
      type: string;
      file: string;
    };
    expect(result.status).toBe("done");
    expect(result.type).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    const rows = xlsxRows(Buffer.from(result.file, "base64"), "Orders");
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({ Order: 2, Customer: "Привет LLC" });
  }, 240_000);
});
