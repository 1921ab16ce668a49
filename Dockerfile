# pcap-sensor container image (docs/operations.md). Multi-arch: nothing here depends on the architecture, so
#   docker buildx build --platform linux/amd64,linux/arm64 -t levoai/pcap-sensor:0.1.0 .
# builds both (the addon is compiled natively in each platform's build stage).
#
# Entrypoint, from the working directory, unchanged from the documented task definition:
#   ["./bin/init", "apidump", "--satellite-url", "...", "--levo-env", "...", "--levoai-org-id", "..."]
ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: compiler, libpcap headers, dev dependencies; nothing of it ships ----
FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ libpcap-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/pcap-sensor
COPY package.json package-lock.json ./
# --ignore-scripts: the only dependency with an install script is the optional `cap` (benchmarks only)
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY binding.gyp tsconfig.json ./
COPY native/ native/
COPY src/ src/
# --nodedir: the headers shipped with the image's node, no download
RUN npm run build:native -- --nodedir=/usr/local \
 && npm run build:ts \
 && npm prune --omit=dev --omit=optional --no-audit --no-fund

# ---- runtime: node, libpcap and the compiled program only ----
FROM ${NODE_IMAGE} AS runtime
# node-capture: a copy of node with the file capability cap_net_raw+ep, used only by bin/init for the
# sensor, so the non-root user can open packet sockets wherever the runtime's bounding set holds NET_RAW
# (Docker's, Fargate's and Kubernetes' default). Only NET_RAW: a file capability outside the bounding set
# makes exec fail (EPERM), and NET_ADMIN is not in Docker's default set. setcap (libcap2-bin) is removed
# again in the same layer.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpcap0.8 libcap2-bin \
 && cp /usr/local/bin/node /usr/local/bin/node-capture \
 && setcap cap_net_raw+ep /usr/local/bin/node-capture \
 && getcap /usr/local/bin/node-capture | grep -q cap_net_raw \
 && apt-get purge -y --auto-remove libcap2-bin \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 pcap-sensor \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin pcap-sensor
WORKDIR /opt/pcap-sensor
# owned by root, read-only for the sensor's user
COPY --from=build /opt/pcap-sensor/package.json ./package.json
COPY --from=build /opt/pcap-sensor/node_modules/ ./node_modules/
COPY --from=build /opt/pcap-sensor/dist/ ./dist/
COPY --from=build /opt/pcap-sensor/build/Release/pcap_addon.node ./build/Release/pcap_addon.node
COPY bin/ ./bin/
ENV NODE_ENV=production \
    PCAP_SENSOR_CAPTURE_NODE=/usr/local/bin/node-capture
USER 10001:10001
# the metrics server when --metrics-port / LEVO_METRICS_PORT is set (documentation only)
EXPOSE 9464
ENTRYPOINT ["./bin/init"]
CMD ["apidump", "--help"]
