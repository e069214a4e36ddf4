import { useCallback, useEffect, useRef, useState } from "react";

export interface Polled<T> {
  data: T | undefined;
  /** The last call's error; the last good data stays. */
  error: unknown;
  /** Calls again now (after a change the operator made). */
  refresh: () => void;
}

/** Calls `load` now and every `intervalMs` while mounted, and again whenever `deps` change. */
export function usePoll<T>(load: () => Promise<T>, intervalMs: number, deps: readonly unknown[] = []): Polled<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>(null);
  const loadRef = useRef(load);
  loadRef.current = load;
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((t) => t + 1), []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: deps and tick are the triggers; load is read through a ref
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        const value = await loadRef.current();
        if (!live) return;
        setData(value);
        setError(null);
      } catch (err) {
        if (live) setError(err);
      }
      if (live) timer = setTimeout(run, intervalMs);
    };
    void run();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [intervalMs, tick, ...deps]);

  return { data, error, refresh };
}

export interface Route {
  /** `#/requests/abc?status=error` → `["requests", "abc"]`. */
  path: string[];
  params: URLSearchParams;
}

function readRoute(): Route {
  const [path = "", query = ""] = window.location.hash.replace(/^#\/?/, "").split("?");
  return {
    path: path
      .split("/")
      .filter(Boolean)
      .map((part) => decodeURIComponent(part)),
    params: new URLSearchParams(query),
  };
}

/** The route in the location's hash. */
export function useHashRoute(): Route {
  const [route, setRoute] = useState(readRoute);
  useEffect(() => {
    const onChange = () => setRoute(readRoute());
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}

/** `value`, once it has not changed for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}
