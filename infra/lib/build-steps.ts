/**
 * The commands of the Dockerfiles' build stage, in order; the runtime stage takes `apps/<app>/dist` alone. The Dockerfile test checks the Dockerfiles run
 * exactly these; the image-steps test runs them in a temp directory on a `turbo prune` output.
 */
export function buildStageCommands(app: "bff" | "worker") {
  return {
    fetch: "pnpm fetch",
    install: "pnpm install --offline --frozen-lockfile",
    build: `pnpm exec turbo run build --filter=@reports/${app}...`,
  };
}
