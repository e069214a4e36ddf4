import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** Runs this package alone, without the root global setup (which starts other packages' services). */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL(".", import.meta.url)),
    include: ["src/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
