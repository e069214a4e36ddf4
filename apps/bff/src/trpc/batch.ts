/**
 * Most procedure calls one tRPC batch of mutations (a `POST …?batch=1`) may hold. Every call costs a point of
 * the owner's rate limit anyway; this bounds what one request can start before the limiter has a say (a
 * batch of 100 `reports.render` calls once held the BFF for a minute). Query batches are bounded by the URL.
 */
export const MAX_MUTATION_BATCH = 10;

/**
 * The procedure calls in a tRPC request: a batch (`?batch=1`) names each of them in its path, comma-separated
 * (percent-encoded commas included, as tRPC decodes the path before splitting it).
 */
export function trpcCallsOf(url: string, endpoint = "/trpc/"): number {
  const { pathname, searchParams } = new URL(url);
  if (searchParams.get("batch") !== "1" || !pathname.startsWith(endpoint)) return 1;
  let path = pathname.slice(endpoint.length);
  try {
    path = decodeURIComponent(path);
  } catch {
    // tRPC refuses a malformed path itself (400); count what we see
  }
  return Math.max(1, path.split(",").length);
}
