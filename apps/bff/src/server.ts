import { type ServerType, serve } from "@hono/node-server";
import type { App } from "./app";

/** Listens on host:port; resolves with the server and the address it bound. */
export function listen(
  app: App,
  options: { port: number; host: string },
): Promise<{ server: ServerType; url: string }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, (info) => {
      resolve({ server, url: `http://${options.host}:${info.port}` });
    });
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "EADDRINUSE"
          ? new Error(`${options.host}:${options.port} is already in use; set PORT to another port`, { cause: error })
          : error,
      );
    });
  });
}

/** Stops taking connections and waits for those in flight. */
export function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    if ("closeIdleConnections" in server) server.closeIdleConnections();
  });
}
