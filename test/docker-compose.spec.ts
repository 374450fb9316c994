import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// js-yaml comes with Jest's own tree (no Docker engine here: the file is checked as compose reads it).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { load } = require('js-yaml') as { load: (text: string) => unknown };

interface Service {
  image?: string;
  build?: string;
  ports?: string[];
  env_file?: { path: string; required: boolean }[];
  environment?: Record<string, string>;
  entrypoint?: string[];
  healthcheck?: { test: string[] };
}

/** docker-compose.yml runs the production profile: secrets from a required, git-ignored env file; only 8080 and 8090 published. */
describe('docker-compose.yml', () => {
  const root = join(__dirname, '..');
  const compose = load(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
  const services = Object.entries(compose.services);
  const apps = services.filter(([, s]) => s.build !== undefined);

  it("publishes only the gateway's HTTP port and the WebSocket port", () => {
    const published = services.flatMap(([name, s]) => (s.ports ?? []).map((p) => `${name} ${p}`));
    expect(published.sort()).toEqual(['api-gateway 8080:8080', 'im-core 8090:8090']);
  });

  it('every app, the migrations, MySQL and Redis read deploy/production.env, which must exist and is git-ignored', () => {
    for (const [name, s] of services.filter(([n]) => n !== 'kafka')) {
      expect([name, s.env_file]).toEqual([name, [{ path: 'deploy/production.env', required: true }]]);
    }
    expect(readFileSync(join(root, '.gitignore'), 'utf8').split('\n')).toContain('deploy/production.env');
  });

  it('the apps run the production profile and take no secret from the compose file itself', () => {
    for (const [name, s] of apps) {
      expect([name, s.environment?.NODE_ENV]).toEqual([name, 'production']);
      for (const key of Object.keys(s.environment ?? {}))
        expect([name, key]).not.toEqual([name, expect.stringMatching(/PASSWORD|SECRET|_KEY/)]);
    }
  });

  it('MySQL and Redis require passwords from the env file', () => {
    const mysql = compose.services.mysql;
    expect(mysql.environment?.MYSQL_ALLOW_EMPTY_PASSWORD).toBeUndefined();
    expect(mysql.entrypoint?.join(' ')).toContain('MYSQL_PASSWORD="$$DB_PASSWORD"');
    expect(mysql.healthcheck?.test.join(' ')).toContain('$$MYSQL_ROOT_PASSWORD');
    expect(compose.services.redis.entrypoint?.join(' ')).toContain('--requirepass "$$REDIS_PASSWORD"');
    const example = readFileSync(join(root, 'deploy/production.env.example'), 'utf8');
    for (const key of ['MYSQL_ROOT_PASSWORD', 'DB_USER', 'DB_PASSWORD', 'REDIS_PASSWORD'])
      expect(example).toMatch(new RegExp(`^${key}=\\S+`, 'm'));
  });
});
