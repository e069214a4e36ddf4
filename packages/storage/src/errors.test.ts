import { describe, expect, it } from "vitest";
import { fromFsError, fromS3Error } from "./errors";

const answered = (name: string, httpStatusCode: number) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode } });

describe("S3 error classification", () => {
  it.each([
    ["a 500", answered("InternalError", 500), true],
    ["a 503 SlowDown", answered("SlowDown", 503), true],
    ["a 400 RequestTimeout", answered("RequestTimeout", 400), true],
    ["a 429", answered("TooManyRequests", 429), true],
    ["a refused connection", Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), true],
    ["a socket timeout", Object.assign(new Error("timed out"), { name: "TimeoutError" }), true],
    ["a 403", answered("AccessDenied", 403), false],
    ["a 404 bucket", answered("NoSuchBucket", 404), false],
    [
      "missing credentials",
      Object.assign(new Error("Could not load credentials"), { name: "CredentialsProviderError" }),
      false,
    ],
    ["an abort", Object.assign(new Error("aborted"), { name: "AbortError" }), false],
  ])("classifies %s as retryable: %s", (_what, error, retryable) => {
    expect(fromS3Error(error, "put", "k")).toMatchObject({
      name: "StorageError",
      retryable,
      operation: "put",
      cause: error,
    });
  });
});

describe("file-system error classification", () => {
  it("retries a full disk but not a permission error", () => {
    expect(fromFsError(Object.assign(new Error("full"), { code: "ENOSPC" }), "put").retryable).toBe(true);
    expect(fromFsError(Object.assign(new Error("denied"), { code: "EACCES" }), "put").retryable).toBe(false);
  });
});
