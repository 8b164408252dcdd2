# syntax=docker/dockerfile:1
#
# mysql-exporter container image.
#   docker build -t mysql-exporter .
#   docker run -p 9104:9104 -v "$PWD/my.cnf:/etc/mysql-exporter/my.cnf:ro" mysql-exporter
# Any flag can be appended to `docker run ... mysql-exporter`; they replace the default CMD below.

ARG NODE_IMAGE=node:20-bookworm-slim

# 1. Build: full dependency tree, TypeScript compiled to dist/src.
FROM ${NODE_IMAGE} AS build
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts/stamp-build.mjs ./scripts/
# No .git in the build context: pass the revision (docker build --build-arg REVISION=$(git rev-parse HEAD)).
ARG REVISION=unknown
RUN MYSQL_EXPORTER_REVISION="$REVISION" npm run build

# 2. Production dependencies only (no TypeScript, tsx, biome, type packages).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 3. Runtime: compiled code, production node_modules, the built-in query files; runs as `node` (uid 1000).
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    MYSQL_EXPORTER_HEALTHCHECK_URL=http://127.0.0.1:9104/-/healthy
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /build/dist/src ./dist/src
COPY package.json ./
COPY queries ./queries
USER node
EXPOSE 9104
# No curl or wget in a slim image: Node's own fetch. Set MYSQL_EXPORTER_HEALTHCHECK_URL when the
# exporter listens elsewhere than :9104.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.MYSQL_EXPORTER_HEALTHCHECK_URL,{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node flags: LAUNCH_FLAGS in src/runtime/v8-tuning.ts (V8 heap sizing for a small sidecar).
ENTRYPOINT ["node", "--max-semi-space-size=4", "dist/src/cli.js"]
CMD ["--config.my-cnf=/etc/mysql-exporter/my.cnf"]
