import type { CachedStatus } from "@reports/contracts";
import type { Logger } from "@reports/logger";
import type { StatusCache, Unsubscribe } from "./cache";
import { ListenerRegistry } from "./listeners";

/**
 * The in-process status cache for the embedded mode (one process, no Redis): the same version
 * rule, bounded to `maxEntries` (least recently used first out), events delivered in-process.
 *
 * @example
 * const cache = createMemoryCache({ maxEntries: 10_000 });
 */
export function createMemoryCache(options: { maxEntries?: number; logger?: Logger } = {}): StatusCache {
  const maxEntries = options.maxEntries ?? 10_000;
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  const entries = new Map<string, CachedStatus>();
  const registry = new ListenerRegistry();

  function touch(status: CachedStatus) {
    entries.delete(status.requestId);
    entries.set(status.requestId, status);
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next();
      if (oldest.done) break;
      entries.delete(oldest.value);
    }
  }

  async function get(requestId: string) {
    const status = entries.get(requestId);
    if (!status) return null;
    touch(status);
    return structuredClone(status);
  }

  async function set(status: CachedStatus) {
    const current = entries.get(status.requestId);
    if (current && current.version >= status.version) return false;
    touch(structuredClone(status));
    return true;
  }

  async function publish(status: CachedStatus) {
    await set(status);
    const event = structuredClone(status);
    // Asynchronous like Redis pub/sub: a listener never runs inside the publisher's call.
    queueMicrotask(() => {
      for (const error of registry.deliver(event)) {
        options.logger?.error({ err: error, requestId: event.requestId }, "status listener threw");
      }
    });
  }

  function subscribe(requestId: string, listener: (status: CachedStatus) => void): Unsubscribe {
    return Object.assign(registry.add(requestId, listener), { ready: Promise.resolve(true) });
  }

  async function forget(requestIds: readonly string[]) {
    for (const id of requestIds) entries.delete(id);
  }

  async function close() {
    registry.clear();
    entries.clear();
  }

  return { get, set, publish, subscribe, forget, close };
}
