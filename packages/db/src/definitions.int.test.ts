import { type ReportDefinitionInput, reportDefinition } from "@reports/contracts";
import { sampleSpec } from "@reports/contracts/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toAdminRequest } from "./admin";
import { toCachedStatus } from "./cached-status";
import type { DbHandle } from "./client";
import { createDefinitionRepository, DefinitionExistsError } from "./definitions";
import { createReportRepository } from "./repository";
import { TEST_DRIVERS } from "./testing";

const definition = (title: string, overrides: Partial<ReportDefinitionInput> = {}) =>
  reportDefinition.parse({
    formats: ["xlsx"],
    title,
    tables: [{ name: "Orders", columns: [{ key: "id", header: "Id", type: "integer" }] }],
    ...overrides,
  });

describe.each(TEST_DRIVERS)("report definitions on %s", (_name, open) => {
  let handle: DbHandle & { drop?: () => Promise<void> };
  let definitions: ReturnType<typeof createDefinitionRepository>;
  let reports: ReturnType<typeof createReportRepository>;

  beforeAll(async () => {
    handle = await open();
    definitions = createDefinitionRepository(handle.db);
    reports = createReportRepository(handle.db);
  });
  afterAll(async () => {
    await (handle.drop ? handle.drop() : handle.close());
  });

  it("saves version 1 unpublished, and refuses the same name for the same owner only", async () => {
    const created = await definitions.create("acme", "sales", definition("v1"));
    expect(created).toMatchObject({ name: "sales", latestVersion: 1, publishedVersion: null });
    await expect(definitions.create("acme", "sales", definition("again"))).rejects.toBeInstanceOf(
      DefinitionExistsError,
    );
    await expect(definitions.create("globex", "sales", definition("theirs"))).resolves.toMatchObject({
      latestVersion: 1,
    });
    expect(await definitions.version("acme", "sales")).toEqual({ missing: "unpublished" });
    expect(await definitions.version("acme", "sales", 1)).toMatchObject({
      found: { name: "sales", version: 1, definition: { title: "v1" } },
    });
  });

  it("numbers concurrent updates consecutively and keeps every version as saved", async () => {
    await definitions.create("acme", "busy", definition("v1"));
    const updates = await Promise.all(
      Array.from({ length: 6 }, (_, i) => definitions.addVersion("acme", "busy", definition(`v${i + 2}`))),
    );
    expect(updates.map((u) => u?.latestVersion).sort((a = 0, b = 0) => a - b)).toEqual([2, 3, 4, 5, 6, 7]);
    const detail = await definitions.get("acme", "busy");
    expect(detail?.versions.map((v) => v.version)).toEqual([7, 6, 5, 4, 3, 2, 1]);
    expect(detail?.versions.at(-1)?.definition.title).toBe("v1");
    expect(await definitions.addVersion("acme", "nothing", definition("x"))).toBeNull();
  });

  it("publishes an existing version only, and requests without a version then use it", async () => {
    await definitions.create("acme", "pub", definition("v1"));
    await definitions.addVersion("acme", "pub", definition("v2"));
    expect(await definitions.publish("acme", "pub", 3)).toEqual({ missing: "version" });
    expect(await definitions.publish("acme", "nope", 1)).toEqual({ missing: "definition" });
    expect(await definitions.publish("acme", "pub", 1)).toMatchObject({ published: { publishedVersion: 1 } });
    expect(await definitions.version("acme", "pub")).toMatchObject({ found: { version: 1 } });
    await definitions.publish("acme", "pub", 2);
    expect(await definitions.version("acme", "pub")).toMatchObject({
      found: { version: 2, definition: { title: "v2" } },
    });
    expect(await definitions.version("acme", "pub", 9)).toEqual({ missing: "version" });
  });

  it("never shows another owner's definition", async () => {
    await definitions.create("initech", "secret", definition("theirs"));
    await definitions.publish("initech", "secret", 1);
    expect(await definitions.get("acme", "secret")).toBeNull();
    expect(await definitions.version("acme", "secret")).toEqual({ missing: "definition" });
    expect(await definitions.publish("acme", "secret", 1)).toEqual({ missing: "definition" });
    expect(await definitions.addVersion("acme", "secret", definition("mine"))).toBeNull();
    expect((await definitions.list("acme")).map((s) => s.name)).not.toContain("secret");
    expect((await definitions.list("initech")).map((s) => s.name)).toEqual(["secret"]);
  });

  it("records on a request the definition version it was made from, and shows it in its status", async () => {
    const made = await reports.create(sampleSpec(), { owner: "acme", definition: { name: "sales", version: 1 } });
    expect(made).toMatchObject({ definitionName: "sales", definitionVersion: 1 });
    expect(toCachedStatus(made).report.definition).toEqual({ name: "sales", version: 1 });
    expect(toAdminRequest(made).definition).toEqual({ name: "sales", version: 1 });
    const plain = await reports.create(sampleSpec(), { owner: "acme" });
    expect(plain).toMatchObject({ definitionName: null, definitionVersion: null });
    expect(toCachedStatus(plain).report).not.toHaveProperty("definition");
    const keyed = await reports.createIdempotent(sampleSpec(), {
      owner: "acme",
      key: "k-1",
      bodyHash: "h",
      ttlMs: 60_000,
      definition: { name: "sales", version: 2 },
    });
    expect(keyed.row).toMatchObject({ definitionName: "sales", definitionVersion: 2 });
  });

  it("pages every owner's definitions for the dashboard, with each version's title and request count", async () => {
    await definitions.create("umbrella", "dash-one", definition("Dash {{params.m}}", { formats: ["pdf", "xlsx"] }));
    await definitions.addVersion("umbrella", "dash-one", definition("Dash v2"));
    await reports.create(sampleSpec(), { owner: "umbrella", definition: { name: "dash-one", version: 1 } });
    await reports.create(sampleSpec(), { owner: "umbrella", definition: { name: "dash-one", version: 1 } });
    // another owner's request naming the same definition does not count
    await reports.create(sampleSpec(), { owner: "acme", definition: { name: "dash-one", version: 1 } });
    const page = await definitions.adminPage({ search: "dash", page: 1, pageSize: 10 });
    expect(page.total).toBe(1);
    expect(page.items[0]).toMatchObject({ owner: "umbrella", name: "dash-one", latestVersion: 2 });
    expect(page.items[0]?.versions.map(({ createdAt: _at, ...v }) => v)).toEqual([
      { version: 2, title: "Dash v2", formats: ["xlsx"], requests: 0 },
      { version: 1, title: "Dash {{params.m}}", formats: ["pdf", "xlsx"], requests: 2 },
    ]);
    expect((await definitions.adminPage({ search: "100%_", page: 1, pageSize: 10 })).total).toBe(0);
  });
});
