import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** Runs this package alone, without the repository's S3 global setup: `pnpm exec vitest run --config packages/renderers/vitest.config.ts`. */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL(".", import.meta.url)),
    include: ["src/**/*.test.ts"],
    testTimeout: 60_000,
  },
});
