import { OWNED_SECRETS, parseEnvFile } from '@live/common';
import { existsSync, readFileSync } from 'node:fs';
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

  /** The env files a service reads (all required). */
  const envFiles = (s: Service): string[] => (s.env_file ?? []).map((f) => (expect(f.required).toBe(true), f.path));
  const ignored = readFileSync(join(root, '.gitignore'), 'utf8').split('\n');

  it('every app, the migrations, MySQL and Redis read deploy/production.env, and a service with secrets of its own its own file besides; each must exist and is git-ignored', () => {
    const read = Object.fromEntries(services.filter(([n]) => n !== 'kafka').map(([n, s]) => [n, envFiles(s)]));
    const shared = 'deploy/production.env';
    expect(read).toEqual({
      mysql: [shared, 'deploy/mysql.env'],
      redis: [shared],
      migrate: [shared],
      'bank-service': [shared, 'deploy/bank-service.env'],
      'gift-service': [shared, 'deploy/gift-service.env'],
      'im-router': [shared],
      'im-core': [shared],
      'api-gateway': [shared, 'deploy/api-gateway.env'],
    });
    for (const file of new Set(Object.values(read).flat())) {
      expect(ignored).toContain(file);
      expect(existsSync(join(root, `${file}.example`))).toBe(true);
    }
  });

  it("a service's secrets reach its container only: no container but the owners' reads the file that holds one (a review, 2026-12-01: im-core and im-router held every signing key and the payment key)", () => {
    const holders = (name: string): string[] =>
      services
        .filter(([, s]) =>
          envFiles(s).some((file) =>
            parseEnvFile(readFileSync(join(root, `${file}.example`), 'utf8')).some(([key]) => key === name),
          ),
        )
        .map(([n]) => n)
        .sort();
    expect(Object.fromEntries(OWNED_SECRETS.map((name) => [name, holders(name)]))).toEqual({
      MYSQL_ROOT_PASSWORD: ['mysql'],
      BANK_PAY_SECRET: ['bank-service'],
      GIFT_MSG_SIGNING_KEY: ['api-gateway'],
      GIFT_MSG_VERIFY_KEYS: ['bank-service', 'gift-service'],
      BANK_ORDER_SIGNING_KEY: ['api-gateway'],
      BANK_ORDER_VERIFY_KEYS: ['bank-service'],
      CATALOGUE_ORDER_SIGNING_KEY: ['api-gateway'],
      CATALOGUE_ORDER_VERIFY_KEYS: ['gift-service'],
    });
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
    for (const key of ['DB_USER', 'DB_PASSWORD', 'REDIS_PASSWORD'])
      expect(example).toMatch(new RegExp(`^${key}=\\S+`, 'm'));
    expect(readFileSync(join(root, 'deploy/mysql.env.example'), 'utf8')).toMatch(/^MYSQL_ROOT_PASSWORD=\S+/m);
  });
});
