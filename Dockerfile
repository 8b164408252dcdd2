# syntax=docker/dockerfile:1
#
# mysql-exporter container image.
#   docker build --build-arg REVISION="$(git rev-parse HEAD)" -t mysql-exporter .
#   docker run -p 9104:9104 -v "$PWD/my.cnf:/etc/mysql-exporter/my.cnf:ro" mysql-exporter
# Flags appended to `docker run ... mysql-exporter` replace the default CMD below (the ENTRYPOINT stays).
# It runs with a read-only root file system (`--read-only`): it writes nothing.
#
# Base: the official Node 24 LTS image on Debian 12 "bookworm", slim variant (glibc, Debian's security
# updates, no compilers or man pages). CI builds this file as it is, FROM a local stand-in with the same
# layout (scripts/base-image.sh), and runs the image against a test MariaDB (test/integration/image.test.ts).

ARG NODE_IMAGE=node:24-bookworm-slim

# 1. Build: full dependency tree, TypeScript compiled to dist/src without source maps.
FROM ${NODE_IMAGE} AS build
WORKDIR /build
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts/stamp-build.mjs ./scripts/
# No .git in the build context: pass the revision (docker build --build-arg REVISION=$(git rev-parse HEAD)).
ARG REVISION=unknown
# The image carries no source maps.
RUN MYSQL_EXPORTER_REVISION="$REVISION" npm run build && find dist -name '*.map' -delete

# 2. Production dependencies only (no TypeScript, tsx, biome, type packages), without the source maps
#    and test folders some packages ship.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
 && find node_modules -name '*.map' -type f -delete \
 && find node_modules -mindepth 2 -maxdepth 3 -type d \( -name test -o -name tests -o -name __tests__ -o -name spec -o -name specs \) -prune -exec rm -rf {} +

# 3. Runtime: compiled code, production node_modules, the built-in query files; runs as `node` (uid 1000,
#    numeric so that Kubernetes' runAsNonRoot can verify it).
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    MYSQL_EXPORTER_HEALTHCHECK_URL=http://127.0.0.1:9104/-/healthy
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /build/dist/src ./dist/src
COPY package.json ./
COPY queries ./queries
USER 1000:1000
EXPOSE 9104
# No curl or wget in a slim image: Node's own fetch. Set MYSQL_EXPORTER_HEALTHCHECK_URL when the
# exporter listens elsewhere than :9104.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.MYSQL_EXPORTER_HEALTHCHECK_URL,{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# No node flags here: the command picks its V8 heap sizing from its arguments (launchFlags in
# src/runtime/v8-tuning.ts) and relaunches itself with them in place.
ENTRYPOINT ["node", "dist/src/cli.js"]
CMD ["--config.my-cnf=/etc/mysql-exporter/my.cnf"]
