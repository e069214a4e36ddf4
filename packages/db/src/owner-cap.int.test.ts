import { sampleSpec } from "@reports/contracts/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "./client";
import { ANONYMOUS_OWNER, createOwnerCap } from "./owner-cap";
import { createReportRepository } from "./repository";
import { TEST_DRIVERS } from "./testing";

describe.each(TEST_DRIVERS)("per-owner cap on %s", (_name, open) => {
  let handle: DbHandle & { drop?: () => Promise<void> };
  let repo: ReturnType<typeof createReportRepository>;
  let cap: ReturnType<typeof createOwnerCap>;
  const options = { leaseMs: 60_000, maxRunningPerOwner: 2 };
  let n = 0;
  const owner = () => `owner-${++n}`;
  const create = (who: string) => repo.create(sampleSpec({ rows: 1 }), { owner: who });

  beforeAll(async () => {
    handle = await open();
    repo = createReportRepository(handle.db);
    cap = createOwnerCap(handle.db);
  });
  afterAll(async () => {
    await (handle.drop ? handle.drop() : handle.close());
  });

  it("claims up to the cap, then parks the owner's next request while others still claim", async () => {
    const heavy = owner();
    const [a, b, c] = [await create(heavy), await create(heavy), await create(heavy)];
    expect(await cap.claimOrPark(a.requestId, options)).toMatchObject({ row: { status: "processing" } });
    expect(await cap.claimOrPark(b.requestId, options)).toMatchObject({ row: { status: "processing" } });
    expect(await cap.claimOrPark(c.requestId, options)).toBe("parked");
    expect(await repo.findStatus(c.requestId)).toMatchObject({ status: "queued", attempts: 0 });
    const light = await create(owner());
    expect(await cap.claimOrPark(light.requestId, options)).toMatchObject({ row: { status: "processing" } });
  });

  it("lets concurrent claims of one owner's requests take exactly the cap", async () => {
    const who = owner();
    const rows = await Promise.all(Array.from({ length: 6 }, () => create(who)));
    const results = await Promise.all(rows.map((row) => cap.claimOrPark(row.requestId, options)));
    expect(results.filter((result) => typeof result === "object" && result !== null)).toHaveLength(2);
    expect(results.filter((result) => result === "parked")).toHaveLength(4);
  });

  it("holds the cap under churn: 8 workers claiming, ending and giving back 60 requests strand none", async () => {
    const who = owner();
    const rows = await Promise.all(Array.from({ length: 60 }, () => create(who)));
    const queue = rows.map((row) => row.requestId);
    let running = 0;
    let peak = 0;
    let done = 0;
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const worker = async () => {
      while (done < rows.length) {
        const id = queue.shift();
        if (!id) {
          await sleep(5);
          continue;
        }
        const claim = await cap.claimOrPark(id, options);
        // parked: the owner's next render to end gives it back; null would strand a queued request
        if (claim === "parked") continue;
        if (!claim) throw new Error(`${id} was neither claimed nor parked`);
        peak = Math.max(peak, ++running);
        await sleep(Math.random() * 10);
        running--;
        await repo.complete(claim, "reports/churn.xlsx");
        done++;
        for (const taken of await cap.unparkNext(who, options)) queue.push(taken.requestId);
      }
    };
    const stuck = sleep(30_000).then(() => {
      throw new Error(`stuck after ${done} of ${rows.length}`);
    });
    await Promise.race([Promise.all(Array.from({ length: 8 }, worker)), stuck]);
    expect(done).toBe(rows.length);
    expect(peak).toBe(options.maxRunningPerOwner);
  }, 40_000);

  it("gives a parked request back, oldest first, only when a render of its owner ends", async () => {
    const who = owner();
    const [a, b, c, d] = [await create(who), await create(who), await create(who), await create(who)];
    const first = await cap.claimOrPark(a.requestId, options);
    await cap.claimOrPark(b.requestId, options);
    expect(await cap.claimOrPark(d.requestId, options)).toBe("parked");
    expect(await cap.claimOrPark(c.requestId, options)).toBe("parked");
    expect(await cap.unparkNext(who, options)).toEqual([]);
    if (typeof first !== "object" || first === null) throw new Error("not claimed");
    await repo.complete(first, "reports/a.xlsx");
    const next = await cap.unparkNext(who, options);
    expect(next.map((t) => t.requestId)).toEqual([c.requestId]);
    expect((await repo.findById(c.requestId))?.parkedAt).toBeNull();
    expect(await cap.claimOrPark(c.requestId, options)).toMatchObject({ row: { status: "processing" } });
    expect(await cap.unparkNext(who, options)).toEqual([]);
  });

  it("does not cap the anonymous owner (no authentication: one tenant)", async () => {
    const rows = await Promise.all(Array.from({ length: 3 }, () => repo.create(sampleSpec({ rows: 1 }))));
    expect(rows[0]?.owner).toBe(ANONYMOUS_OWNER);
    for (const row of rows) {
      expect(await cap.claimOrPark(row.requestId, options)).toMatchObject({ row: { status: "processing" } });
    }
  });

  it("leaves a parked request to the sweeper only when its owner has nothing rendering", async () => {
    const who = owner();
    const [a, b, c] = [await create(who), await create(who), await create(who)];
    const one = { ...options, maxRunningPerOwner: 1 };
    const claim = await cap.claimOrPark(a.requestId, one);
    expect(await cap.claimOrPark(b.requestId, one)).toBe("parked");
    expect(await cap.claimOrPark(c.requestId, one)).toBe("parked");
    await repo.markEnqueued(b.requestId);
    await repo.markEnqueued(c.requestId);
    const swept = async () => (await repo.takeStranded({ staleAfterMs: 0, limit: 1_000 })).map((t) => t.requestId);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await swept()).not.toContain(b.requestId);
    if (typeof claim !== "object" || claim === null) throw new Error("not claimed");
    await repo.fail(claim, "RENDER_FAILED", "boom");
    expect(await swept()).toEqual(expect.arrayContaining([b.requestId, c.requestId]));
    expect((await repo.findById(b.requestId))?.parkedAt).toBeNull();
  });
});
