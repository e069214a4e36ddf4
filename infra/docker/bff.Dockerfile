# The BFF (apps/bff). Build from the repository root:
#   docker build -f infra/docker/bff.Dockerfile -t reports-bff .
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
RUN --mount=type=secret,id=ca pnpm dlx "turbo@${TURBO_VERSION}" prune @reports/bff --docker --out-dir /pruned

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
# apps/bff/dist: the bundles, their source maps, the files they read and the few libraries they load from
# dist/node_modules (tooling/bundle). It is all the runtime needs: no pnpm install, no tsx, no esbuild.
RUN pnpm exec turbo run build --filter=@reports/bff...

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY --from=build /app/apps/bff/dist ./
# The image's `node` user, by number so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Built JavaScript, stack traces through the source maps. One-shot commands from this image:
#   node migrate-cli.mjs · node storage-init.mjs · node keys-cli.mjs create --owner NAME
CMD ["node", "--enable-source-maps", "main.mjs"]
