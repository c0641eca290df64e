# metadata-relay container image.
#
#   docker build -t metadata-relay .
#   docker run -p 4001:4001 -e TMDB_API_KEY=... -e TVDB_API_KEY=... metadata-relay
#
# Credentials are never baked in: pass them at run time (`-e`, `fly secrets set`, a secret store).
# test/ship/dockerfile.test.ts checks this file against src/config.ts and package.json.

# ---------------------------------------------------------------------------------------------
# Stage 1: compile the relay into one self-contained executable.
# ---------------------------------------------------------------------------------------------
# Pinned to the Bun we develop and test with (package.json devDependencies `bun-types`): the
# compiled binary embeds this exact runtime, so an unpinned tag would ship an untested one.
# The plain version tag is the Debian (glibc) variant, which matches the glibc in the final image;
# an Alpine (musl) build would not run there.
FROM oven/bun:1.4.5 AS build
WORKDIR /app

# Manifests first, so the dependency layer is reused until package.json or bun.lock change.
# --frozen-lockfile fails the build instead of silently resolving different versions.
COPY package.json bun.lock ./
RUN bun install --frozen-lockfile

# Then the sources (.dockerignore keeps node_modules, dist, .git, tests and env files out).
COPY . .
RUN bun run build

# ---------------------------------------------------------------------------------------------
# Stage 2: the runtime image: glibc, CA certificates and tzdata, no shell, no package manager.
# ---------------------------------------------------------------------------------------------
# `base-nossl` because the binary links only glibc (Bun carries its own BoringSSL); it cannot use
# `distroless/static`, which has no libc. `:nonroot` presets uid/gid 65532 and HOME.
FROM gcr.io/distroless/base-nossl-debian12:nonroot

# OCI metadata; the test keeps image.version equal to package.json's version.
LABEL org.opencontainers.image.title="metadata-relay" \
      org.opencontainers.image.description="Self-hosted caching relay for the TMDB v3 and TheTVDB v4 metadata APIs" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.base.name="gcr.io/distroless/base-nossl-debian12:nonroot"

WORKDIR /app

# Only the executable: the bundle, Swagger UI assets and source map are all embedded in it, so no
# node_modules and no source reach the image. It stays owned by root: the process cannot rewrite
# its own binary. Never `strip` it: that removes the embedded bundle.
COPY --from=build /app/dist/metadata-relay /app/metadata-relay

# Numeric so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 65532:65532

# Defaults mirror DEFAULTS in src/config.ts; everything else is configured at run time.
ENV PORT=4001 HOST=0.0.0.0
EXPOSE 4001

# Exec form because distroless has no shell and no curl: the binary checks GET /health itself
# (with a 3 s timeout of its own, hence --timeout=5s) and exits 0 or 1.
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 \
  CMD ["/app/metadata-relay", "--healthcheck"]

# SIGTERM makes the relay stop accepting and drain in-flight requests for up to
# SHUTDOWN_TIMEOUT_MS (default 10 s); give `docker stop -t` / the orchestrator more than that.
STOPSIGNAL SIGTERM

# Exec form: the relay is PID 1 and receives the signal directly (no shell to swallow it); it
# installs its own SIGTERM/SIGINT handlers, so PID 1's default signal immunity does not matter.
ENTRYPOINT ["/app/metadata-relay"]
