/**
 * The baselines of the API bench, as a process of their own (like the BFF): the same JSON from memory, and the
 * same row read by primary key through the same driver (postgres.js), behind a bare Hono route each.
 *
 *   DATABASE_URL=… PORT=… node --import tsx bench/api/bare-server.ts
 */
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import postgres from "postgres";
import { z } from "zod";

const env = z
  .object({ DATABASE_URL: z.string(), PORT: z.coerce.number().int(), STATUS_JSON: z.string().default("{}") })
  .parse(process.env);
const sql = postgres(env.DATABASE_URL, { max: 10, onnotice: () => {} });
const body = env.STATUS_JSON;
const app = new Hono();
app.get("/memory/:id", (c) => c.body(body, 200, { "content-type": "application/json" }));
app.get("/select/:id", async (c) => {
  const [row] = await sql`select * from report_requests where request_id = ${c.req.param("id")}`;
  return row ? c.json(row) : c.json({ error: "not found" }, 404);
});
serve({ fetch: app.fetch, port: env.PORT, hostname: "127.0.0.1" }, () =>
  console.log(JSON.stringify({ msg: "bare listening" })),
);
