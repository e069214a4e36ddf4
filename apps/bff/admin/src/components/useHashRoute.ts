import { useEffect, useState } from "react";

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

/** The route in the location's hash (`#/`, `#/requests`, `#/requests/<id>`, `#/dead-letters`). */
export function useHashRoute(): Route {
  const [route, setRoute] = useState(readRoute);
  useEffect(() => {
    const onChange = () => {
      setRoute(readRoute());
      window.scrollTo(0, 0);
    };
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
