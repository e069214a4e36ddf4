import type { StatusCache } from "./cache";

/**
 * No cache: every read goes to the database. For distributed processes without Redis, where a
 * per-process cache would keep serving a status that another process (a worker) has moved on.
 * Subscriptions report `ready: false`, so clients fall back to polling.
 */
export function createNoCache(): StatusCache {
  return {
    get: async () => null,
    set: async () => false,
    publish: async () => {},
    subscribe: () => Object.assign(() => {}, { ready: Promise.resolve(false) }),
    forget: async () => {},
    close: async () => {},
  };
}
