import { describe, expect, it } from "vitest";
import { ApiError, ClientGoneError } from "../http/errors";
import { RenderGate } from "./render-gate";

/** A render the test finishes when it wants. */
function held() {
  let finish = () => {};
  const done = new Promise<string>((resolve) => {
    finish = () => resolve("rendered");
  });
  return { work: () => done, finish };
}

const codeOf = (error: unknown) => (error instanceof ApiError ? [error.code, error.status] : error);
const refusal = (promise: Promise<unknown>) => promise.then(() => "ran", codeOf);

describe("RenderGate", () => {
  it("lets an owner hold at most perOwner renders, running or waiting: the next is a 429", async () => {
    const gate = new RenderGate({ running: 1, queue: 8, perOwner: 2, waitMs: 60_000 });
    const [a, b] = [held(), held()];
    const first = gate.run("acme", undefined, a.work);
    const second = gate.run("acme", undefined, b.work);
    expect(await refusal(gate.run("acme", undefined, async () => "x"))).toEqual(["RATE_LIMITED", 429]);
    expect(gate.load).toEqual({ running: 1, waiting: 1 });
    a.finish();
    b.finish();
    expect(await Promise.all([first, second])).toEqual(["rendered", "rendered"]);
    expect(await gate.run("acme", undefined, async () => "again")).toBe("again");
  });

  it("answers 503 with Retry-After when the queue is full, and another owner still gets in once a thread frees", async () => {
    const gate = new RenderGate({ running: 1, queue: 1, perOwner: 2, waitMs: 3_000 });
    const [a, b] = [held(), held()];
    const running = gate.run("acme", undefined, a.work);
    const waiting = gate.run("globex", undefined, b.work);
    const full = await gate.run("initech", undefined, async () => "x").catch((error: unknown) => error);
    expect(codeOf(full)).toEqual(["UNAVAILABLE", 503]);
    expect((full as ApiError).retryAfterSeconds).toBe(3);
    a.finish();
    b.finish();
    expect(await Promise.all([running, waiting])).toEqual(["rendered", "rendered"]);
    expect(gate.load).toEqual({ running: 0, waiting: 0 });
  });

  it("answers 503 to a render that waited past waitMs, and frees its place", async () => {
    const gate = new RenderGate({ running: 1, queue: 4, perOwner: 4, waitMs: 50 });
    const a = held();
    const running = gate.run("acme", undefined, a.work);
    expect(await refusal(gate.run("globex", undefined, async () => "x"))).toEqual(["UNAVAILABLE", 503]);
    expect(gate.load).toEqual({ running: 1, waiting: 0 });
    a.finish();
    await running;
  });

  it("drops a waiting render whose client left, and never starts it", async () => {
    const gate = new RenderGate({ running: 1, queue: 4, perOwner: 4, waitMs: 60_000 });
    const a = held();
    const running = gate.run("acme", undefined, a.work);
    const gone = new AbortController();
    let started = false;
    const waiting = gate.run("globex", gone.signal, async () => {
      started = true;
      return "x";
    });
    gone.abort();
    await expect(waiting).rejects.toBeInstanceOf(ClientGoneError);
    a.finish();
    await running;
    expect(started).toBe(false);
    expect(gate.load).toEqual({ running: 0, waiting: 0 });
  });

  it("never runs more than `running` renders at once, even when newcomers arrive as one finishes", async () => {
    const gate = new RenderGate({ running: 2, queue: 100, perOwner: 100, waitMs: 60_000 });
    let now = 0;
    let most = 0;
    const work = async () => {
      now += 1;
      most = Math.max(most, now);
      await new Promise((resolve) => setTimeout(resolve, 1));
      now -= 1;
    };
    const runs = Array.from({ length: 40 }, (_, i) => gate.run(`owner-${i % 7}`, undefined, work));
    // newcomers in the same turns as the finishing renders
    for (let i = 0; i < 20; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      runs.push(gate.run(`late-${i}`, undefined, work));
    }
    await Promise.all(runs);
    expect(most).toBe(2);
    expect(gate.load).toEqual({ running: 0, waiting: 0 });
  });
});
