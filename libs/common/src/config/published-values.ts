import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Values published with the code: every value of the development profile and of the production example
 * file is public, so the production profile refuses any of them as a secret.
 *
 * Read at start-up from the files themselves (not a copy embedded at build): a development secret someone
 * adds to config/development.env is refused in production at once, with nothing else to keep in step.
 * The files ship with the code (the Docker image copies them). Where they cannot be found the production
 * profile refuses to start (fail closed) rather than let a published secret through.
 */
export const PUBLISHED_VALUE_FILES = [
  'config/development.env',
  'deploy/production.env.example',
  'deploy/database.env.example',
  'deploy/mysql.env.example',
  'deploy/im-core.env.example',
  'deploy/api-gateway.env.example',
  'deploy/bank-service.env.example',
  'deploy/gift-service.env.example',
] as const;

/** Defaults that earlier versions had in code (public in the repository's history). */
const HISTORICAL_DEFAULTS = ['dev-only-pay-secret-change-me'];

/** `KEY=value` lines (# comments and blank lines skipped) -> [key, value] in file order. */
export function parseEnvFile(text: string): [string, string][] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#') && line.indexOf('=') > 0)
    .map((line) => [line.slice(0, line.indexOf('=')).trim(), line.slice(line.indexOf('=') + 1).trim()]);
}

/** The non-empty values of a `KEY=value` file. */
export function envFileValues(text: string): string[] {
  return parseEnvFile(text)
    .map(([, value]) => value)
    .filter((value) => value !== '');
}

/** The nearest folder, from `start` up, that holds config/development.env (the repository or the image root). */
export function findRepoRoot(start: string = __dirname): string | null {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, PUBLISHED_VALUE_FILES[0]))) return dir;
    if (dirname(dir) === dir) return null;
  }
}

export type PublishedValues = { values: ReadonlySet<string> } | { error: string };

let cached: PublishedValues | undefined;

/** Every published value, or why they could not be read (then production refuses to start). */
export function publishedValues(): PublishedValues {
  if (cached) return cached;
  const root = findRepoRoot() ?? findRepoRoot(process.cwd());
  if (!root) return { error: `cannot find ${PUBLISHED_VALUE_FILES[0]} above ${__dirname} or ${process.cwd()}` };
  const values = new Set(HISTORICAL_DEFAULTS);
  for (const file of PUBLISHED_VALUE_FILES) {
    try {
      envFileValues(readFileSync(join(root, file), 'utf8')).forEach((v) => values.add(v));
    } catch (err: unknown) {
      return { error: `cannot read ${join(root, file)}: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  cached = { values };
  return cached;
}
