import { defineConfig } from "vitest/config";

/** `pnpm test:faults`: real processes, real services, real harm. Files run one at a time. */
export default defineConfig({
  test: {
    include: ["test/faults/**/*.faults.ts"],
    globalSetup: ["./test/global-setup.ts"],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
