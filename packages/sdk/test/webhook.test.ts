import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifyWebhook, WebhookVerificationError } from "../src/index";

const secret = "whsec_0123456789abcdef";
const event = {
  id: "3b0a6f1e-6c1e-4d47-9a53-0d5f3c1d2e4f",
  type: "report.done",
  createdAt: "2026-11-24T01:00:00.000Z",
  data: { requestId: "r", status: "done", url: "https://files.example.com/r.xlsx" },
};
const body = JSON.stringify(event);
const now = Date.parse("2026-11-24T01:00:10Z");
const t = Math.floor(now / 1000) - 10;
const sign = (payload: string, at = t, key = secret) =>
  `t=${at},v1=${createHmac("sha256", key).update(`${at}.${payload}`).digest("hex")}`;

describe("verifyWebhook", () => {
  it("returns the event of a delivery signed with the secret, from Headers or a plain object", async () => {
    const headers = new Headers({ "X-Reports-Signature": sign(body) });
    expect(await verifyWebhook(body, headers, secret, { now })).toEqual(event);
    expect(await verifyWebhook(body, { "x-reports-signature": sign(body) }, secret, { now })).toEqual(event);
  });

  it("refuses a changed body, another secret, a missing or malformed header", async () => {
    const signature = sign(body);
    const cases: Array<[string, Record<string, string>, string]> = [
      [body.replace("done", "error"), { "x-reports-signature": signature }, secret],
      [body, { "x-reports-signature": signature }, "another-secret-of-16+"],
      [body, {}, secret],
      [body, { "x-reports-signature": "v1=abc" }, secret],
    ];
    for (const [payload, headers, key] of cases) {
      await expect(verifyWebhook(payload, headers, key, { now })).rejects.toBeInstanceOf(WebhookVerificationError);
    }
  });

  it("refuses a replay older than the tolerance, and a body that is not an event", async () => {
    const old = t - 600;
    await expect(verifyWebhook(body, { "x-reports-signature": sign(body, old) }, secret, { now })).rejects.toThrow(
      /timestamp/,
    );
    expect(
      await verifyWebhook(body, { "x-reports-signature": sign(body, old) }, secret, { now, toleranceSeconds: 3600 }),
    ).toEqual(event);
    await expect(verifyWebhook("[]", { "x-reports-signature": sign("[]") }, secret, { now })).rejects.toThrow(
      /not a Reports event/,
    );
  });
});
