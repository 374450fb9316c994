import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// js-yaml comes with Jest's own tree (no Docker engine here: the file is read as compose reads it).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { load } = require('js-yaml') as { load: (text: string) => unknown };

/** The fields of a docker-compose.yml service the tests read. */
export interface ComposeService {
  image?: string;
  build?: string;
  ports?: string[];
  env_file?: { path: string; required: boolean }[];
  environment?: Record<string, string>;
  entrypoint?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

export const REPO_ROOT = join(__dirname, '..', '..');

/** docker-compose.yml's services, by name. */
export function composeServices(): Record<string, ComposeService> {
  return (
    load(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, ComposeService> }
  ).services;
}

/** The env files a service reads, in compose's order (later files win), as paths from the repository root. */
export function composeEnvFiles(service: string): string[] {
  const s = composeServices()[service];
  if (!s) throw new Error(`docker-compose.yml has no service ${service}`);
  return (s.env_file ?? []).map((f) => f.path);
}
