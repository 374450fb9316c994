// The development profile (config/<name>.env): KEY=value lines, # comments. Fills process.env for the
// keys that are not set already (the environment wins). Used by scripts/run-app.js (when
// LIVE_GIFT_PROFILE names a profile) and by the Jest setup; production loads no profile.
const fs = require('node:fs');
const path = require('node:path');

const PROFILE_DIR = path.resolve(__dirname, '..', 'config');

/** The profile's entries, in file order. */
function readProfile(name) {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`profile name '${name}': lowercase letters, digits and - only`);
  const file = path.join(PROFILE_DIR, `${name}.env`);
  const entries = [];
  for (const [i, raw] of fs.readFileSync(file, 'utf8').split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`${file}:${i + 1}: expected KEY=value, got '${line}'`);
    entries.push([line.slice(0, eq).trim(), line.slice(eq + 1).trim()]);
  }
  return entries;
}

/** Applies a profile to `env` (default process.env) without overriding what is set; returns the keys it set. */
function loadProfile(name, env = process.env) {
  const applied = [];
  for (const [key, value] of readProfile(name)) {
    if (env[key] !== undefined) continue;
    env[key] = value;
    applied.push(key);
  }
  return applied;
}

module.exports = { loadProfile, readProfile, PROFILE_DIR };
