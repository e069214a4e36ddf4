import { randomUUID } from "node:crypto";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";

/** What a client's `X-Request-Id` must look like to be kept: short, and safe in a log line or a header. */
export const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Names the exchange: our own trace id, always generated here (`X-Request-Id` on the answer, set by `answerHeaders`;
 * `traceId` in problems and logs), so a client can neither pick nor collide with another exchange's. A well-formed
 * `X-Request-Id` from the client is kept beside it as `clientRequestId` on the exchange's log lines; any other is
 * ignored.
 */
export const traceIds = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const ours = randomUUID();
    c.set("requestId", ours);
    const theirs = c.req.header("x-request-id");
    if (theirs !== undefined && CLIENT_REQUEST_ID.test(theirs)) c.set("clientRequestId", theirs);
    await next();
  });
