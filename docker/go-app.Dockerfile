# One image per Go app: its static binary (CGO_ENABLED=0) on an empty base, nothing else.
# The build context is a folder holding only that binary, named `app`:
#
#   (cd apps/settlement && CGO_ENABLED=0 go build -trimpath -o "$ctx/app" .)
#   docker build -f docker/go-app.Dockerfile --build-arg APP=settlement \
#     --build-arg PORT=7104 --build-arg ADMIN_PORT=9104 -t gavel-settlement:0.1.0 "$ctx"
#
# scripts/docker/build-images.sh does both. The binary is compiled on the host, not in a
# build stage: no Go image can be pulled on machines that reach no registry, and Go
# cross-compiles for the engine's platform by itself (GOOS, GOARCH).
#
# No CA bundle, time zone data, shell or libc: every hop is plain h2c or HTTP inside the
# cluster (NATS, the catalog, the OTLP collector), so there is no TLS to verify.
FROM scratch
ARG APP
# For EXPOSE: the app's default ports (libs/config/src/ports.ts), where it serves
# Connect, gRPC and gRPC-Web, and where /healthz and /readyz answer (ADMIN_PORT).
ARG PORT
ARG ADMIN_PORT
# One fixed path for every Go app: ENTRYPOINT and HEALTHCHECK take no build arguments.
COPY app /app
# Numeric, so Kubernetes' runAsNonRoot can check it (scratch has no /etc/passwd).
USER 1000:1000
EXPOSE ${PORT} ${ADMIN_PORT}
# No shell or curl here: the binary checks its own /readyz on ADMIN_PORT.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["/app", "healthcheck"]
ENTRYPOINT ["/app"]
# Last, so a new commit changes only the image's metadata, not a layer.
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="gavel-${APP}" \
      org.opencontainers.image.description="Gavel's ${APP} service (Go)" \
      org.opencontainers.image.source="https://github.com/gavel-auction/gavel" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
