import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** An HTTP server on 127.0.0.1 that answers 204 to every POST and keeps the bodies. */
export interface WebhookReceiver {
  url: string;
  bodies: string[];
  /** The first delivery's body, once one has come (rejects after `timeoutMs`). */
  first(timeoutMs?: number): Promise<string>;
  close(): void;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      bodies.push(body);
      res.writeHead(204).end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    bodies,
    async first(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (bodies.length === 0) {
        if (Date.now() > deadline) throw new Error(`no webhook delivery within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return bodies[0] as string;
    },
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}
