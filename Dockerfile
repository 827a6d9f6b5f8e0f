# syntax=docker/dockerfile:1
# Production image on the current Node LTS: the built JavaScript and the runtime dependencies only,
# owned by root and run as the unprivileged `node` user, who can read the app but change none of it.

# Build: every dependency (esbuild is a devDependency), then dist/ from src/.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY src ./src
RUN npm run build

# The runtime dependencies alone.
FROM node:24-bookworm-slim AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000
WORKDIR /app
# Copied as root, COPY's default owner, and left so (no --chown): a compromised process cannot rewrite the app.
# The gateway writes nothing to disk (logs go to stdout); package.json is read at start for the version.
COPY --from=dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/readiness').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Node receives SIGTERM directly (no npm in between), so the graceful shutdown runs; the flags are npm start's.
CMD ["node", "--enable-source-maps", "--max-semi-space-size=64", "--no-allocation-site-pretenuring", "dist/main.js"]
