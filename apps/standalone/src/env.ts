import { resolve } from "node:path";
import { bffSettings, checkAuthSettings, checkLimitSettings } from "@reports/bff";
import { parseEnvOrExit } from "@reports/contracts";
import { workerSettings } from "@reports/worker";
import { z } from "zod";

export const standaloneEnv = bffSettings
  .extend(workerSettings.shape)
  .extend({
    /** Database, files and the link-signing secret live here. */
    DATA_DIR: z
      .string()
      .default(".data")
      .transform((dir) => resolve(dir)),
    /** Signs download links; generated and kept in DATA_DIR when unset. */
    FILE_SIGNING_SECRET: z.string().min(32, { error: "FILE_SIGNING_SECRET must be at least 32 characters" }).optional(),
    /** JSON logs on stdout, one event per line, at this level and above. */
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  .superRefine(checkAuthSettings)
  .superRefine(checkLimitSettings);
export type StandaloneEnv = z.infer<typeof standaloneEnv>;

/** Parses the embedded mode's environment once; a bad setting stops it with one line naming the variable. */
export function readStandaloneEnv(env: NodeJS.ProcessEnv = process.env): StandaloneEnv {
  return parseEnvOrExit(standaloneEnv, "reports", env);
}
