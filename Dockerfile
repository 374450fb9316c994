# One image for every app: docker compose picks the app with the command.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.build.json ./
COPY apps apps
COPY libs libs
COPY scripts scripts
RUN npm run build && npm prune --omit=dev

FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY --from=build /app/scripts/run-app.js scripts/run-app.js
COPY --from=build /app/apps/web-client/public apps/web-client/public
# Read by the production profile at start-up: every value in them is published, so refused as a secret.
COPY config/development.env config/development.env
COPY deploy/*.env.example deploy/
COPY package.json tsconfig.base.json ./
USER node
# e.g. command: ["apps/bank-service/src/main.js"]
ENTRYPOINT ["node", "scripts/run-app.js"]
