import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildStageCommands } from "../lib/build-steps";
import { execForm, parseDockerfile } from "./support/dockerfile";
import { INFRA, ROOT } from "./support/paths";

// hadolint is in neither Debian nor npm: these are the structural rules the images must keep.
const apps = [
  { app: "bff", port: "PORT" },
  { app: "worker", port: "WORKER_HEALTH_PORT" },
] as const;

describe.each(apps)("infra/docker/$app.Dockerfile", ({ app, port }) => {
  const { args, stages } = parseDockerfile(join(INFRA, "docker", `${app}.Dockerfile`));
  const stage = (name: string) => {
    const found = stages.find((s) => s.name === name);
    if (!found) throw new Error(`no stage ${name}`);
    return found;
  };
  const runs = (name: string) =>
    stage(name)
      .instructions.filter((i) => i.keyword === "RUN")
      .map((i) => i.args);
  /** The RUN commands without their mounts. */
  const commands = (name: string) => runs(name).map((r) => r.replace(/^(--mount=\S+ )+/, ""));
  const runtime = stages.at(-1);

  it("is multi-stage on a pinned Node LTS image", () => {
    expect(stages.map((s) => s.name)).toEqual(["base", "prune", "build", "runtime"]);
    expect(args).toContainEqual({ keyword: "ARG", args: "NODE_IMAGE=node:22-bookworm-slim" });
    expect(runtime?.from).toBe(`\${NODE_IMAGE}`);
  });

  it("prunes the workspace to the app with turbo", () => {
    expect(commands("prune")).toContain(
      `pnpm dlx "turbo@\${TURBO_VERSION}" prune @reports/${app} --docker --out-dir /pruned`,
    );
    const turbo = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).devDependencies.turbo;
    expect(stage("prune").instructions).toContainEqual({ keyword: "ARG", args: `TURBO_VERSION=${turbo}` });
  });

  it("fetches by the lockfile, installs offline, then builds the app's self-contained output", () => {
    const build = commands("build");
    expect(build).toEqual(Object.values(buildStageCommands(app)));
    const copies = stage("build")
      .instructions.filter((i) => i.keyword === "COPY")
      .map((i) => i.args);
    expect(copies[0]).toBe("--from=prune /pruned/pnpm-lock.yaml /pruned/pnpm-workspace.yaml ./");
    expect(copies).toContain("tsconfig.base.json ./");
  });

  it("pins pnpm to the repository's packageManager", () => {
    const pnpm = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).packageManager.split("@")[1];
    expect(stage("base").instructions).toContainEqual({ keyword: "ARG", args: `PNPM_VERSION=${pnpm}` });
  });

  it("builds with no image but the Node one: no syntax line (it pulls a frontend), the CA only as a secret", () => {
    const text = readFileSync(join(INFRA, "docker", `${app}.Dockerfile`), "utf8");
    expect(text).not.toMatch(/^# syntax=/m);
    const downloads = [...runs("base"), ...runs("prune"), ...runs("build").filter((r) => r.includes("pnpm fetch"))];
    for (const step of downloads) expect(step).toContain("--mount=type=secret,id=ca");
    expect(text).not.toMatch(/^COPY .*ca/m);
  });

  it("runs the built output with plain node as a non-root user, with a health check", () => {
    const final = runtime?.instructions ?? [];
    const last = (keyword: string) => final.filter((i) => i.keyword === keyword).at(-1)?.args;
    expect(final.filter((i) => i.keyword === "RUN")).toEqual([]);
    expect(final.filter((i) => i.keyword === "COPY")).toEqual([
      { keyword: "COPY", args: `--from=build /app/apps/${app}/dist ./` },
    ]);
    expect(last("USER")).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    expect(last("WORKDIR")).toBe("/app");
    expect(execForm(last("CMD") ?? "")).toEqual(["node", "--enable-source-maps", "main.mjs"]);
    const healthcheck = last("HEALTHCHECK") ?? "";
    expect(healthcheck).toMatch(/--interval=\S+ --timeout=\S+ --start-period=\S+ --retries=\d+ CMD \[/);
    expect(execForm(healthcheck).join(" ")).toContain(`process.env.${port}}/healthz`);
    expect(last("EXPOSE")).toBe(app === "bff" ? "3000" : "9464");
  });
});

describe(".dockerignore", () => {
  it("keeps local installs, data and build output out of the build context", () => {
    const ignored = readFileSync(join(ROOT, ".dockerignore"), "utf8").split("\n");
    expect(ignored).toEqual(expect.arrayContaining(["**/node_modules", ".data", ".git", "**/.turbo"]));
  });
});
