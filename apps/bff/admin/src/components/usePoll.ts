import { useCallback, useEffect, useRef, useState } from "react";

export interface Polled<T> {
  /** The last good answer; it stays when a later call fails. */
  data: T | undefined;
  /** The last call's error, or null when it succeeded. */
  error: unknown;
  /** When `data` was fetched. */
  updatedAt: Date | null;
  /** Calls again now (after a change the operator made). */
  refresh: () => void;
}

/**
 * Calls `load` now, then every `intervalMs` while mounted and the tab is visible, and again whenever `deps` change
 * (answers to older deps are dropped).
 */
export function usePoll<T>(load: () => Promise<T>, intervalMs: number, deps: readonly unknown[] = []): Polled<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>(null);
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const refresh = useCallback(() => setTick((t) => t + 1), []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: deps and tick are the triggers; load is read through a ref
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      clearTimeout(timer);
      if (document.visibilityState === "hidden") return; // resumed by the visibilitychange listener
      try {
        const value = await loadRef.current();
        if (!live) return;
        setData(value);
        setError(null);
        setUpdatedAt(new Date());
      } catch (err) {
        if (live) setError(err);
      }
      if (live) timer = setTimeout(run, intervalMs);
    };
    const onVisibility = () => {
      if (document.visibilityState === "visible") void run();
    };
    document.addEventListener("visibilitychange", onVisibility);
    void run();
    return () => {
      live = false;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [intervalMs, tick, ...deps]);

  return { data, error, updatedAt, refresh };
}
