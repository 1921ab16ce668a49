# pcap-sensor container image (docs/operations.md). Multi-arch: nothing here depends on the architecture, so
#   docker buildx build --platform linux/amd64,linux/arm64 -t levoai/pcap-sensor:0.1.0 .
# builds both (the addon and the capture launcher are compiled natively in each platform's build stage).
# Behind a TLS-inspecting proxy, pass its CA to the npm steps as a build secret (optional):
#   docker buildx build --secret id=ca,src=corp-ca.pem -t levoai/pcap-sensor:0.1.0 .
# The ECS installer (`ecs`, with the AWS SDK) is a separate target: --target installer.
#
# Entrypoint, from the working directory, unchanged from the documented task definition:
#   ["./bin/init", "apidump", "--satellite-url", "...", "--levo-env", "...", "--levoai-org-id", "..."]
ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: compiler, libpcap headers, dev dependencies; nothing of it ships ----
FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ libpcap-dev libcap2-bin \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/pcap-sensor
COPY package.json package-lock.json ./
# --ignore-scripts: the only dependency with an install script is the optional `cap` (benchmarks only).
# The secret `ca` (a PEM file), when given, is trusted in addition to the default CAs.
RUN --mount=type=secret,id=ca \
    if [ -s /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi \
 && npm ci --ignore-scripts --no-audit --no-fund
COPY binding.gyp tsconfig.json ./
COPY native/ native/
COPY src/ src/
# --nodedir: the headers shipped with the image's node, no download
RUN npm run build:native -- --nodedir=/usr/local \
 && npm run build:ts \
 && cc -Os -Wall -Wextra -o build/node-capture native/node-capture.c \
 && strip build/node-capture \
 && npm prune --omit=dev --omit=optional --offline --no-audit --no-fund

# ---- sidecar-modules: the production dependencies without the AWS SDK (only the ECS installer uses it) ----
FROM build AS sidecar-modules
RUN node -e 'const fs = require("fs"); const p = JSON.parse(fs.readFileSync("package.json", "utf8")); \
      for (const d of Object.keys(p.dependencies)) if (d.startsWith("@aws-sdk/")) delete p.dependencies[d]; \
      fs.writeFileSync("package.json", JSON.stringify(p, null, 2) + "\n");' \
 && npm prune --omit=dev --omit=optional --offline --no-audit --no-fund \
 && find node_modules -mindepth 1 -type d -empty -delete

# ---- rootfs: the runtime's files, cleaned; the runtime copies it whole into one layer ----
FROM ${NODE_IMAGE} AS rootfs
# npm, corepack, yarn, node's headers, docs, man pages and locales do not ship.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpcap0.8 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/* \
 && rm -rf /usr/local/lib/node_modules /usr/local/include /usr/local/share /usr/local/CHANGELOG.md /usr/local/README.md \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-* \
      /usr/share/doc /usr/share/man /usr/share/info /usr/share/locale /usr/share/lintian \
 && groupadd --system --gid 10001 pcap-sensor \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin pcap-sensor
# node-capture: a small launcher (native/node-capture.c) that raises NET_RAW into the ambient set and execs
# node; its file capability is set in the runtime stage
COPY --from=build /opt/pcap-sensor/build/node-capture /usr/local/bin/node-capture
WORKDIR /opt/pcap-sensor
# owned by root, read-only for the sensor's user
COPY --from=sidecar-modules /opt/pcap-sensor/package.json ./package.json
COPY --from=sidecar-modules /opt/pcap-sensor/node_modules/ ./node_modules/
COPY --from=build /opt/pcap-sensor/dist/ ./dist/
COPY --from=build /opt/pcap-sensor/build/Release/pcap_addon.node ./build/Release/pcap_addon.node
COPY bin/ ./bin/

# ---- installer: the sidecar's files plus the AWS SDK, for `ecs add | remove | container-definition` ----
FROM rootfs AS installer
COPY --from=build /opt/pcap-sensor/package.json ./package.json
COPY --from=build /opt/pcap-sensor/node_modules/ ./node_modules/
ENV NODE_ENV=production
USER 10001:10001
ENTRYPOINT ["./bin/init"]
CMD ["ecs", "--help"]

# ---- runtime (the default target): the cleaned root file system as one layer ----
FROM scratch AS runtime
LABEL org.opencontainers.image.title="pcap-sensor" \
      org.opencontainers.image.description="Passive HTTP API traffic sensor (sidecar)" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=rootfs / /
# The file capability cap_net_raw+p lets the non-root user open packet sockets through node-capture wherever
# the runtime's bounding set holds NET_RAW (Docker's, Fargate's and Kubernetes' default). Set here, after the
# copy, because not every builder's COPY keeps file capabilities; setcap is mounted from the build stage and
# does not ship. `setcap -v` fails the build when the capability did not stick.
RUN --mount=type=bind,from=build,source=/usr/sbin/setcap,target=/usr/sbin/setcap \
    setcap cap_net_raw+p /usr/local/bin/node-capture \
 && setcap -v cap_net_raw+p /usr/local/bin/node-capture
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    NODE_ENV=production \
    PCAP_SENSOR_CAPTURE_NODE=/usr/local/bin/node-capture
WORKDIR /opt/pcap-sensor
USER 10001:10001
# the metrics server when --metrics-port / LEVO_METRICS_PORT is set (documentation only)
EXPOSE 9464
ENTRYPOINT ["./bin/init"]
CMD ["apidump", "--help"]
