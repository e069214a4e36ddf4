import { afterEach, describe, expect, it } from "vitest";
import { NetworkError, unreachable } from "./errors";

const cause = new TypeError("Failed to fetch");

/** Runs `check` as if in a page at `origin` (a window: `document` and `location`). */
function inPage(origin: string, check: () => void) {
  const scope = globalThis as { document?: unknown; location?: unknown };
  scope.document = {};
  scope.location = new URL(`${origin}/app`);
  check();
}

afterEach(() => {
  const scope = globalThis as { document?: unknown; location?: unknown };
  delete scope.document;
  delete scope.location;
});

describe("unreachable: a fetch that failed without an answer", () => {
  it("keeps the platform's message in Node", () => {
    const error = unreachable("fetch failed", cause, "https://api.example.com");
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.message).toBe("fetch failed");
    expect(error.possibleCors).toBe(false);
    expect(error.cause).toBe(cause);
  });

  it("says the cause may be CORS and names CORS_ORIGINS with the page's origin in a page calling another origin", () => {
    inPage("https://app.example.com", () => {
      const error = unreachable("Failed to fetch", cause, "https://api.example.com/v1");
      expect(error.possibleCors).toBe(true);
      expect(error.message).toMatch(
        /^Failed to fetch: https:\/\/api\.example\.com could not be reached from https:\/\/app\.example\.com\. If the API is up, the cause may be CORS/,
      );
      expect(error.message).toContain("CORS_ORIGINS=https://app.example.com");
    });
  });

  it("does not blame CORS for a call to the page's own origin (a relative base URL included)", () => {
    inPage("https://app.example.com", () => {
      for (const apiUrl of ["https://app.example.com/api", "/api"]) {
        const error = unreachable("Failed to fetch", cause, apiUrl);
        expect(error.possibleCors).toBe(false);
        expect(error.message).toBe("Failed to fetch");
      }
    });
  });
});
