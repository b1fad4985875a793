# One image for both processes: `node dist/src/api.js` (receivers) and `node dist/src/worker.js` (Temporal worker).
# The simulators package (simulators/, a devDependency) is built here for the demo's types; `npm prune --omit=dev` drops
# it from node_modules and only the product's dist is copied, so the image holds no simulator.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY simulators/package.json ./simulators/
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY simulators ./simulators
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY scripts ./scripts
RUN npm run build && node dist/scripts/bundleWorkflows.js dist/workflow-bundle.js && npm prune --omit=dev

FROM node:24-bookworm-slim
# The worker loads the prebuilt workflow bundle instead of running webpack at start.
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000 9464
# The api's readiness (PostgreSQL and Temporal reachable); the worker's service overrides it (docker-compose.yml).
HEALTHCHECK --interval=10s --timeout=5s --retries=12 CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/api.js"]
