import { defineConfig } from "vitest/config";

/**
 * `pnpm test:abuse`: one owner's abuse beside another owner's ordinary use, on loopback, bounded in count and
 * time; each file prints its figures. Files run one at a time (each loads the machine on purpose).
 */
export default defineConfig({
  test: {
    include: ["test/abuse/**/*.abuse.ts"],
    globalSetup: ["./test/global-setup.ts"],
    testTimeout: 600_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
