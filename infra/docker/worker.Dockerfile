# The worker (apps/worker). Build from the repository root:
#   docker build -f infra/docker/worker.Dockerfile -t reports-worker .
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS base
ARG PNPM_VERSION=10.34.8
# Where the registry is reached through an extra CA: `--secret id=ca,src=FILE --build-arg
# NODE_EXTRA_CA_CERTS=/run/secrets/ca`. The CA is mounted only into the steps that download, never into a layer.
ARG NODE_EXTRA_CA_CERTS=""
ENV CI=true npm_config_store_dir=/pnpm/store TURBO_TELEMETRY_DISABLED=1 NODE_EXTRA_CA_CERTS=${NODE_EXTRA_CA_CERTS}
RUN --mount=type=secret,id=ca npm install --global --no-fund --no-audit "pnpm@${PNPM_VERSION}"

# Only the workspace packages the app depends on, with their part of the lockfile.
FROM base AS prune
ARG TURBO_VERSION=2.11.11
WORKDIR /repo
COPY . .
RUN --mount=type=secret,id=ca pnpm dlx "turbo@${TURBO_VERSION}" prune @reports/worker --docker --out-dir /pruned

FROM base AS build
WORKDIR /app
# The lockfile alone decides what is downloaded, so this layer survives source edits.
COPY --from=prune /pruned/pnpm-lock.yaml /pruned/pnpm-workspace.yaml ./
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store --mount=type=secret,id=ca pnpm fetch
COPY --from=prune /pruned/json/ ./
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm install --offline --frozen-lockfile
COPY --from=prune /pruned/full/ ./
# turbo prune leaves out root files no package.json names; every tsconfig extends this one (esbuild reads it).
COPY tsconfig.base.json ./
# apps/worker/dist: the bundles, their source maps, the files they read and the few libraries they load from
# dist/node_modules (tooling/bundle). It is all the runtime needs: no pnpm install, no tsx, no esbuild.
RUN pnpm exec turbo run build --filter=@reports/worker...

FROM ${NODE_IMAGE} AS runtime
# Probes and /metrics on all interfaces: Kubernetes probes come from outside the container.
ENV NODE_ENV=production WORKER_HEALTH_HOST=0.0.0.0 WORKER_HEALTH_PORT=9464
WORKDIR /app
COPY --from=build /app/apps/worker/dist ./
# The image's `node` user, by number so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 9464
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.WORKER_HEALTH_PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Built JavaScript, stack traces through the source maps. Render threads load render-task.mjs (bundled too); the
# PDF fonts are in node_modules/dejavu-fonts-ttf, so the image needs no system fonts. Dead letters:
#   node replay-cli.mjs
CMD ["node", "--enable-source-maps", "main.mjs"]
