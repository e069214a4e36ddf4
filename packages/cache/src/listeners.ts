import type { CachedStatus } from "@reports/contracts";

interface Entry {
  listener: (status: CachedStatus) => void;
  lastVersion: number;
}

/**
 * Listeners by request id, shared by both drivers: each listener sees strictly increasing versions,
 * so a repeated or late event never moves a subscriber backwards.
 */
export class ListenerRegistry {
  readonly #byRequest = new Map<string, Set<Entry>>();

  add(requestId: string, listener: (status: CachedStatus) => void): () => void {
    const entry: Entry = { listener, lastVersion: 0 };
    let entries = this.#byRequest.get(requestId);
    if (!entries) {
      entries = new Set();
      this.#byRequest.set(requestId, entries);
    }
    entries.add(entry);
    return () => {
      entries.delete(entry);
      if (entries.size === 0 && this.#byRequest.get(requestId) === entries) this.#byRequest.delete(requestId);
    };
  }

  /** Calls each listener of `status.requestId` that has not seen this version yet; returns the errors they threw. */
  deliver(status: CachedStatus): unknown[] {
    const errors: unknown[] = [];
    for (const entry of [...(this.#byRequest.get(status.requestId) ?? [])]) {
      if (status.version <= entry.lastVersion) continue;
      entry.lastVersion = status.version;
      try {
        entry.listener(status);
      } catch (error) {
        errors.push(error);
      }
    }
    return errors;
  }

  get size(): number {
    return this.#byRequest.size;
  }

  clear(): void {
    this.#byRequest.clear();
  }
}
