# One image per TypeScript app, from the repository root as the build context:
#
#   docker build -f docker/node-app.Dockerfile --build-arg APP=edge \
#     --build-arg HEALTH_PORT_VAR=PORT --build-arg HEALTH_PORT=8080 -t gavel-edge:0.1.0 .
#
# scripts/docker/build-images.sh builds every app with the right arguments. The first
# stage is the same for every app, so building them one after another installs and
# bundles once (the builder reuses its layers).

# An official Node 24 image by default; CI here passes a local one made from Debian's
# own files (scripts/docker/base-image.sh), as no registry can be reached.
ARG BASE_IMAGE=node:24-bookworm-slim

# 1. Every dependency installed and every app bundled (scripts/build/bundle-app.ts: our
#    code in one dist/main.js per app, third-party packages left to node_modules). Only
#    the build tasks (--only): generated code is committed, and generating it needs the Go
#    plugins, which this image has no Go for; the Go app builds in its own image.
FROM ${BASE_IMAGE} AS build
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund && npx turbo run build --only --filter='!@gavel/settlement'

# 2. One app's production dependencies: exactly the packages of its tree in the
#    lockfile's install of step 1 (npm ls --omit=dev), copied, and the files it reads at
#    run time beside its bundle: the BFF's schema, the edge's web page (apps/web, served
#    when GAVEL_WEB_DIR=/app/web). (`npm ci --workspace` would install every workspace's.)
FROM build AS app
ARG APP
RUN test -n "${APP}" || { echo "--build-arg APP=<app> is required" >&2; exit 1; }
RUN npm ls --omit=dev --workspace "apps/${APP}" --all --parseable \
      | sed -n 's|^/src/node_modules/||p' | grep -v '^@gavel/' | sort -u > /tmp/packages \
 && mkdir -p /out/node_modules \
 && (cd /src/node_modules && xargs -a /tmp/packages cp -a --parents -t /out/node_modules) \
 && cp -r "/src/apps/${APP}/dist" "/src/apps/${APP}/package.json" /out/ \
 && find "/src/apps/${APP}" -maxdepth 1 -name '*.graphql' -exec cp {} /out/ \; \
 && if [ "${APP}" = edge ]; then cp -r /src/apps/web/dist /out/web; fi

# 3. The image: Node, one app's production dependencies and its bundle; non-root.
FROM ${BASE_IMAGE}
ARG APP
# Where /healthz answers: ADMIN_PORT for the Connect services, PORT for the others.
ARG HEALTH_PORT_VAR=PORT
ARG HEALTH_PORT
ENV NODE_ENV=production \
    GAVEL_APP=${APP} \
    GAVEL_HEALTH_PORT_VAR=${HEALTH_PORT_VAR} \
    GAVEL_HEALTH_PORT=${HEALTH_PORT}
WORKDIR /app
COPY --from=app /out/ ./
COPY docker/healthcheck.mjs ./
# The numeric id of the base image's `node` user: Kubernetes' runAsNonRoot can check it.
USER 1000:1000
# Last, so a new commit changes only the image's metadata, not a layer.
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="gavel-${APP}" \
      org.opencontainers.image.description="Gavel's ${APP} service (Node.js)" \
      org.opencontainers.image.source="https://github.com/gavel-auction/gavel" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["node", "healthcheck.mjs"]
CMD ["node", "--enable-source-maps", "dist/main.js"]
