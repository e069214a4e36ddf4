/**
 * The commands of the Dockerfiles' build stage, in order. The Dockerfile test checks the Dockerfiles run
 * exactly these; the image-steps test runs them in a temp directory on a `turbo prune` output.
 */
export function buildStageCommands(app: "bff" | "worker") {
  return {
    fetch: "pnpm fetch",
    install: "pnpm install --offline --frozen-lockfile",
    build: `pnpm exec turbo run build --filter=@reports/${app}...`,
    production:
      "rm -rf node_modules apps/*/node_modules packages/*/node_modules && pnpm install --offline --frozen-lockfile --prod && rm -rf .turbo",
  };
}
