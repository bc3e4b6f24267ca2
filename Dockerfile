# Spate broker image: Node 24 slim, non-root, data in a volume, configured through SPATE_* variables
# (SPATE_NUM_PARTITIONS=3 sets num.partitions: every Kafka broker property has one; see `spate start --help`).
# Build: docker build -t spate .    Run: docker run -p 9092:9092 -v spate-data:/var/lib/spate spate

FROM node:24-slim AS build
WORKDIR /build
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY src ./src
COPY workers ./workers
# tsc from its own package: npx would put the `node` dev dependency (left uninstalled by --ignore-scripts) first on PATH.
RUN node node_modules/typescript/bin/tsc -p tsconfig.json

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /opt/spate
COPY package.json package-lock.json ./
# Only the runtime dependencies; the native codecs (snappy, lz4) come as prebuilt per-platform packages.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /build/dist/src ./dist/src
COPY --from=build /build/dist/workers ./dist/workers
COPY docker/healthcheck.mjs ./docker/healthcheck.mjs
RUN mkdir -p /var/lib/spate && chown node:node /var/lib/spate

ENV SPATE_HOST=0.0.0.0 \
    SPATE_PORT=9092 \
    SPATE_DATA_DIR=/var/lib/spate \
    SPATE_METRICS_PORT=9644 \
    SPATE_LOG_FORMAT=json
VOLUME /var/lib/spate
EXPOSE 9092 9644
USER node
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 CMD ["node", "/opt/spate/docker/healthcheck.mjs"]
# SIGTERM: the broker stops accepting, finishes in-flight requests, closes its logs and exits 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/opt/spate/dist/src/cli/main.js"]
CMD ["start"]
