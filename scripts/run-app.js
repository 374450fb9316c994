#!/usr/bin/env node
// Runs a compiled entry point from dist/ with the workspace path aliases (@live/*) resolved to dist/libs.
// Usage: node scripts/run-app.js apps/bank-service/src/main.js
// LIVE_GIFT_PROFILE=development loads config/development.env first (variables already set win).
const path = require('node:path');
const fs = require('node:fs');
const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const entry = process.argv[2];
if (!entry) {
  console.error('usage: node scripts/run-app.js <path inside dist, e.g. apps/bank-service/src/main.js>');
  process.exit(2);
}
const target = path.join(dist, entry);
if (!fs.existsSync(target)) {
  console.error(`run-app: ${target} does not exist: run "npm run build" first`);
  process.exit(2);
}
if (process.env.LIVE_GIFT_PROFILE) require('./profile').loadProfile(process.env.LIVE_GIFT_PROFILE);
const { paths } = require(path.join(root, 'tsconfig.base.json')).compilerOptions;
require('tsconfig-paths').register({ baseUrl: dist, paths });
process.argv.splice(2, 1);
require(target);
