import { parseEnvOrExit, serviceEnv } from "@reports/contracts";
import { z } from "zod";

export const bffSettings = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  /** Lifetime of a download link. */
  DOWNLOAD_URL_TTL_SECONDS: z.coerce.number().int().min(1).max(604_800).default(900),
  /** Bodies over this are refused with 413 before they are parsed. */
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024),
});
export type BffSettings = z.infer<typeof bffSettings>;

export const bffEnv = serviceEnv.extend(bffSettings.shape);
export type BffEnv = z.infer<typeof bffEnv>;

/** Parses the BFF's environment once at start-up; a bad setting stops it with one line naming the variable. */
export function readBffEnv(env: NodeJS.ProcessEnv = process.env): BffEnv {
  return parseEnvOrExit(bffEnv, "reports bff", env);
}
