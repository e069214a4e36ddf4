import { type ServerType, serve } from "@hono/node-server";
import type { App } from "./app";

/** Listens on host:port; resolves with the server and the address it bound. */
export function listen(
  app: Pick<App, "fetch">,
  options: { port: number; host: string; name?: string },
): Promise<{ server: ServerType; url: string }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, (info) => {
      resolve({ server, url: `http://${options.host}:${info.port}` });
    });
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "EADDRINUSE"
          ? new Error(
              `${options.host}:${options.port} is already in use; set ${options.name ?? "PORT"} to another port`,
              { cause: error },
            )
          : error,
      );
    });
  });
}

/**
 * Stops taking connections and waits for those in flight, up to `deadlineMs`; then it closes the rest.
 * End open event streams first (`deps.closeStreams()`), or they hold their connections to the deadline.
 */
export function closeServer(server: ServerType, options: { deadlineMs?: number } = {}): Promise<void> {
  return new Promise((resolve) => {
    const closeIdle = () => {
      if ("closeIdleConnections" in server) server.closeIdleConnections();
    };
    const deadline = setTimeout(() => {
      if ("closeAllConnections" in server) server.closeAllConnections();
    }, options.deadlineMs ?? 10_000);
    deadline.unref();
    // a connection whose response ends after close() (an event stream just ended) would otherwise stay open, idle,
    // for the whole keep-alive timeout (5 s)
    const idle = setInterval(closeIdle, 50);
    idle.unref();
    server.close(() => {
      clearTimeout(deadline);
      clearInterval(idle);
      resolve();
    });
    closeIdle();
  });
}
