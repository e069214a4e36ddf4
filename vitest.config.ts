import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{packages,apps}/*/{src,test}/**/*.test.{ts,tsx}", "test/**/*.test.ts", "infra/test/**/*.test.ts"],
    globalSetup: ["./test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // 2-core machines: files run in parallel forks, each with its own database, vhost and bucket.
    pool: "forks",
    maxWorkers: 2,
    typecheck: {
      enabled: true,
      include: ["**/*.test-d.ts"],
      tsconfig: "./tsconfig.json",
    },
  },
});
