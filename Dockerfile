# syntax=docker/dockerfile:1
# The replistore image: one image for the operator, the replica nodes and the repair job. Its
# entrypoint is the `replistore` CLI (src/cli/main.ts, run by Node 24 directly: type stripping, no
# compile step), so the operator's pods run `replistore operator ...`, the nodes `replistore node ...`
# and the repair CronJob `replistore repair ...`.
#
#   docker build -t replistore:0.1.0 .        # with Docker
#   npm run image:build                       # without: podman, from a base made locally (hack/image/)
#
# Runs as uid/gid 10001 (numeric, so runAsNonRoot can check it) with a read-only root filesystem:
# it writes only to its data directory (/var/lib/replistore, a volume) and /tmp.

# Build stage: the production dependencies, from the lockfile.
FROM docker.io/library/node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `npm ci` refuses a lockfile that lacks other platforms' optional packages when the registry does
# not serve them (as .ci/run explains); then install from the same lockfile with `npm install` and
# insist that it left the lockfile as it was. Install scripts run (lmdb, msgpackr-extract and koffi
# pick their prebuilt binaries); dev dependencies (Node itself among them) are left out.
# Behind a TLS-intercepting proxy, pass its CA bundle as the optional build secret `build-ca`
# (`--secret id=build-ca,src=/etc/ssl/certs/ca-certificates.crt`; hack/image/build.sh does it
# when NODE_EXTRA_CA_CERTS or npm's cafile is set): it is used for this step only, never stored.
RUN --mount=type=secret,id=build-ca,required=false \
  if [ -s /run/secrets/build-ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/build-ca; fi \
  && cp package-lock.json /tmp/lock.before \
  && { npm ci --omit=dev --no-audit --no-fund \
  || { echo "npm ci failed; installing from the lockfile with npm install" \
  && npm install --omit=dev --no-audit --no-fund \
  && cmp -s package-lock.json /tmp/lock.before \
  || { echo "package-lock.json is out of date with package.json" >&2; exit 1; }; }; } \
  && rm -rf /root/.npm /tmp/lock.before
# Types and source maps are for editors and debuggers, not for running (about 35 MB).
RUN find node_modules -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' \) -delete
COPY src ./src

# Runtime stage: Node 24 slim, no npm cache, no build tools, not root.
FROM docker.io/library/node:24-bookworm-slim
# npm is only needed to build; the runtime has no use for it.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/bin/npm /usr/local/bin/npx \
  && groupadd --system --gid 10001 replistore \
  && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/replistore --no-create-home \
  --shell /usr/sbin/nologin replistore \
  && install -d -o 10001 -g 10001 -m 0750 /var/lib/replistore
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/src ./src
RUN ln -s /app/src/cli/main.ts /usr/local/bin/replistore && replistore --version
ENV NODE_ENV=production
LABEL org.opencontainers.image.title="replistore" \
  org.opencontainers.image.description="replistore: the Kubernetes operator, replica node and repair job of replicated key-value stores" \
  org.opencontainers.image.licenses="Apache-2.0"
USER 10001:10001
VOLUME /var/lib/replistore
ENTRYPOINT ["replistore"]
CMD ["--help"]
