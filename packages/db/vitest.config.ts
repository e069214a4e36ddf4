import { defineConfig } from "vitest/config";

/** Runs this package alone (`cd packages/db && pnpm exec vitest run`), without the S3 global setup. */
export default defineConfig({ test: { include: ["src/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 60_000 } });
