# syntax=docker/dockerfile:1.7
# The worker (apps/worker). Build from the repository root:
#   docker build -f infra/docker/worker.Dockerfile -t reports-worker .
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS base
ARG PNPM_VERSION=10.34.8
ENV CI=true npm_config_store_dir=/pnpm/store TURBO_TELEMETRY_DISABLED=1
RUN npm install --global --no-fund --no-audit "pnpm@${PNPM_VERSION}"

# Only the workspace packages the app depends on, with their part of the lockfile.
FROM base AS prune
ARG TURBO_VERSION=2.11.11
WORKDIR /repo
COPY . .
RUN pnpm dlx "turbo@${TURBO_VERSION}" prune @reports/worker --docker --out-dir /pruned

FROM base AS build
WORKDIR /app
# The lockfile alone decides what is downloaded, so this layer survives source edits.
COPY --from=prune /pruned/pnpm-lock.yaml /pruned/pnpm-workspace.yaml ./
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm fetch
COPY --from=prune /pruned/json/ ./
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm install --offline --frozen-lockfile
COPY --from=prune /pruned/full/ ./
# turbo prune leaves out root files no package.json names; every tsconfig extends this one (tsx reads it).
COPY tsconfig.base.json ./
RUN pnpm exec turbo run build --filter=@reports/worker...
# A fresh production-only install: `pnpm prune --prod` empties the workspace packages' node_modules.
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
  rm -rf node_modules apps/*/node_modules packages/*/node_modules \
  && pnpm install --offline --frozen-lockfile --prod && rm -rf .turbo

FROM ${NODE_IMAGE} AS runtime
# Probes and /metrics on all interfaces: Kubernetes probes come from outside the container.
ENV NODE_ENV=production WORKER_HEALTH_HOST=0.0.0.0 WORKER_HEALTH_PORT=9464
WORKDIR /app
COPY --from=build /app ./
WORKDIR /app/apps/worker
# The image's `node` user, by number so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 9464
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.WORKER_HEALTH_PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# tsx is a runtime dependency of the app: the sources run as TypeScript. Render threads load the
# bundle the build step made (packages/renderers/dist/task.mjs: plain JavaScript, ~50 MB less per
# thread than tsx); the PDF fonts come with the dejavu-fonts-ttf package, so the image needs no system fonts.
CMD ["node", "--import", "tsx", "src/main.ts"]
