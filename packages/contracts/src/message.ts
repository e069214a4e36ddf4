import { z } from "zod";
import { requestId } from "./status";

/** The queue message: an id and an attempt number; the report itself lives in the database. */
export const reportMessage = z.object({
  requestId,
  attempt: z.number().int().positive(),
});
export type ReportMessage = z.infer<typeof reportMessage>;
