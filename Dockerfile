# syntax=docker/dockerfile:1
#
# Market Maker Pro as one executable on a minimal image.
#
#   docker build -t mmpro .
#   docker run --rm --env-file .env -v mmpro-data:/app/data -v mmpro-logs:/app/logs mmpro          # runs BOT_MODE
#   docker run --rm --env-file .env mmpro mm --help
#
# Stage 1 installs the locked toolchain with npm (Bun comes from the npm registry, like on a
# fresh dev machine) and compiles src/main.ts plus every src/cli/*.ts subcommand into one
# self-contained executable (`bun build --compile`: the Bun runtime and our bundled code).
# Stage 2 is distroless: glibc, CA certificates, tzdata and a non-root user; no shell, no
# package manager, no Node, no node_modules. Configuration comes only from the environment
# (docs/config.md); mount the signing key as a 0600 file owned by uid 65532 and set
# PRIVATE_KEY_FILE rather than passing PRIVATE_KEY.

ARG BUILD_IMAGE=node:22-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/base-debian12:nonroot

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json bunfig.toml ./
COPY src ./src
# Subcommands are lazy-loaded by name, so each is an extra entry point; main.ts finds them
# embedded as cli/<name>.js, which needs `--root src` (without it the bundle root is the
# common parent of src/ and node_modules/ and every subcommand reads "not built").
# The journal's checkpointer runs in a Worker: its file is an entry point too.
# --sourcemap is embedded in the executable (stack traces stay readable); the .map files it
# also writes are removed so /out/app holds the executable and the two state directories.
# The smoke test loads a subcommand, so a broken layout fails the build.
RUN mkdir -p /out/app/data /out/app/logs \
 && npx bun build --compile --minify --sourcemap --root src src/main.ts src/cli/*.ts src/store/journal-checkpointer.ts --outfile /out/app/mmpro \
 && rm -f /out/app/*.map \
 && /out/app/mmpro --help > /dev/null \
 && /out/app/mmpro sim --help > /dev/null

FROM ${RUNTIME_IMAGE}
COPY --from=build --chown=65532:65532 /out/app /app
WORKDIR /app
USER 65532:65532
ENV LOG_DIR=/app/logs \
    METRICS_HOST=127.0.0.1 \
    METRICS_PORT=9464
VOLUME ["/app/data", "/app/logs"]
# /metrics and /healthz. To scrape from outside the container set METRICS_HOST=0.0.0.0 and
# publish the port on a private network only.
EXPOSE 9464
# `mmpro healthcheck` GETs http://127.0.0.1:$METRICS_PORT/healthz and exits 0 (healthy) or 1.
# There is no shell or curl in this image, so the check is the executable itself.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 CMD ["/app/mmpro", "healthcheck"]
ENTRYPOINT ["/app/mmpro"]
