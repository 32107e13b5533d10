# syntax=docker/dockerfile:1
# One image for the controller and the agents: `task-router controller` or `task-router agent`.
# Build: docker build -t task-router:0.1.0 .
ARG NODE_IMAGE=node:20-bookworm-slim

# Compiles TypeScript with the full (dev) dependency set; nothing of this stage ships.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Scripts are skipped: `prepare` would compile before the sources are here, and zeromq ships
# its native addon prebuilt for linux x64 and arm64.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

# Production dependencies only: no compiler, test runner or linter reaches the final image.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
# tini runs as PID 1: it reaps orphaned grandchildren of tasks (a shell's background jobs) that
# the kernel re-parents to PID 1, and forwards SIGTERM to node so the agent can drain.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOME=/tmp
WORKDIR /app
COPY --from=prod-deps /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY crds ./crds
# Nothing under /app is written at run time, so the root filesystem can be mounted read-only;
# the only writable place a pod needs is /tmp (an emptyDir in the manifests).
# 65532 is the conventional unprivileged "nonroot" id; numeric so runAsNonRoot can verify it.
USER 65532:65532
EXPOSE 5700 5701 8080
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/task-router.js"]
CMD ["--help"]
