import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** What the proxy does to the status stream (`/trpc/reports.onStatus`, `/status/:id/events`). */
export type StreamMode = "pass" | "buffer" | "refuse";

export interface TestProxy {
  url: string;
  /** Requests seen, as `METHOD path` (query string left out). */
  seen: string[];
  streams: StreamMode;
  /** The next `n` POSTs reach the API, but the client's connection is cut before the answer comes back. */
  dropAnswers(n: number): void;
  close(): Promise<void>;
}

const isStream = (path: string) => path.startsWith("/trpc/reports.onStatus") || path.endsWith("/events");

/**
 * A real HTTP proxy in front of a BFF, standing for what sits between clients and the API: one that
 * buffers whole responses (so an event stream never arrives), one that refuses streams, or a network
 * that loses answers.
 *
 * @example
 * const proxy = await startProxy(bffUrl, "buffer");
 * createReportsClient({ baseUrl: proxy.url });
 */
export async function startProxy(target: string, streams: StreamMode = "pass"): Promise<TestProxy> {
  const upstream = new URL(target);
  let drops = 0;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    proxy.seen.push(`${req.method} ${path}`);
    if (isStream(path) && proxy.streams === "refuse") {
      res.writeHead(502, { "content-type": "text/html" }).end("<h1>502 Bad Gateway</h1>");
      return;
    }
    const drop = req.method === "POST" && drops > 0;
    if (drop) drops--;
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        if (drop) {
          answer.resume();
          answer.on("end", () => req.socket.destroy());
          return;
        }
        if (isStream(path) && proxy.streams === "buffer") {
          const chunks: Buffer[] = [];
          answer.on("data", (chunk: Buffer) => chunks.push(chunk));
          answer.on("end", () => res.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(chunks)));
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    res.on("close", () => forward.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const proxy: TestProxy = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen: [],
    streams,
    dropAnswers(n) {
      drops = n;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return proxy;
}
