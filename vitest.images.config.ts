import { defineConfig } from "vitest/config";

/**
 * `pnpm test:images`: both images built from infra/docker/*.Dockerfile and run as Kubernetes runs them, on the
 * machine's services. Needs root (it starts dockerd and makes the base image once: infra/docker/test/engine.sh).
 */
export default defineConfig({
  test: {
    include: ["infra/test/**/*.images.ts"],
    globalSetup: ["./test/global-setup.ts", "./infra/test/support/docker-engine.ts"],
    testTimeout: 300_000,
    hookTimeout: 1_200_000,
    fileParallelism: false,
  },
});
