// A page on another origin than the API (built by test/e2e/cross-origin.int.test.ts): it creates a report through
// @reports/sdk (tRPC, the status over SSE), downloads it, and calls the REST routes and their event stream
// directly; #result says what it got, or the errors it saw.
import { createReportsClient } from "@reports/sdk";

const api = new URLSearchParams(window.location.search).get("api") ?? "";
const spec = {
  format: "xlsx" as const,
  title: "From another origin",
  tables: [
    {
      name: "Orders",
      columns: [
        { key: "id", header: "Order", type: "integer" as const },
        { key: "customer", header: "Customer" },
      ],
      rows: [
        { id: 1, customer: "Łódź Trading" },
        { id: 2, customer: "Привет LLC" },
      ],
    },
  ],
};

const describe = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

async function throughSdk() {
  const reports = createReportsClient({ baseUrl: api, retry: { attempts: 2, baseDelayMs: 100 } });
  const { requestId } = await reports.generate(spec);
  const done = await reports.waitForStatus(requestId, { timeoutMs: 60_000 });
  const file = new Uint8Array(await (await reports.download(requestId)).arrayBuffer());
  return { status: done.status, bytes: file.length, zip: file[0] === 0x50 && file[1] === 0x4b };
}

async function throughRest() {
  // a JSON body and an Idempotency-Key: the browser sends a preflight first
  const created = await fetch(`${api}/generate`, {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": crypto.randomUUID() },
    body: JSON.stringify(spec),
  });
  const { requestId } = (await created.json()) as { requestId: string };
  const location = created.headers.get("location");
  const final = await new Promise<string>((resolve, reject) => {
    const events = new EventSource(`${api}/status/${requestId}/events`);
    events.addEventListener("status", (event) => {
      const { status } = JSON.parse((event as MessageEvent<string>).data) as { status: string };
      if (status === "done" || status === "error") {
        events.close();
        resolve(status);
      }
    });
    events.onerror = () => {
      events.close();
      reject(new Error("the event stream failed"));
    };
  });
  const file = await fetch(`${api}/reports/${requestId}/download`);
  return { status: final, location, download: file.status, bytes: (await file.arrayBuffer()).byteLength };
}

const settled = async (run: () => Promise<object>) =>
  run().then(
    (value) => ({ ok: value }),
    (error) => ({ error: describe(error) }),
  );
const result = { sdk: await settled(throughSdk), rest: await settled(throughRest) };
(document.querySelector("#result") as HTMLElement).textContent = JSON.stringify(result);
