import { z } from "zod";

const schema = z.object({
  DATABASE_URL: z
    .string({ error: "DATABASE_URL is required: a postgres:// URL, or a directory for the embedded PGlite database" })
    .min(1),
});

/** The migration command's settings; exits with one clear line when one is wrong. */
export function readMigrateEnv(env: NodeJS.ProcessEnv = process.env): z.infer<typeof schema> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    console.error(`reports db: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
    process.exit(1);
  }
  return parsed.data;
}
