import { OWNED_SECRETS, parseEnvFile, PUBLISHED_VALUE_FILES } from '@live/common';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ComposeService as Service, composeServices, REPO_ROOT } from './support/compose-file';

/** docker-compose.yml runs the production profile: secrets from a required, git-ignored env file; only 8080 and 8090 published. */
describe('docker-compose.yml', () => {
  const root = REPO_ROOT;
  const compose = { services: composeServices() };
  const services = Object.entries(compose.services);
  const apps = services.filter(([, s]) => s.build !== undefined);

  it("publishes only the gateway's HTTP port and the WebSocket port", () => {
    const published = services.flatMap(([name, s]) => (s.ports ?? []).map((p) => `${name} ${p}`));
    expect(published.sort()).toEqual(['api-gateway 8080:8080', 'im-core 8090:8090']);
  });

  /** The env files a service reads (all required). */
  const envFiles = (s: Service): string[] => (s.env_file ?? []).map((f) => (expect(f.required).toBe(true), f.path));
  const ignored = readFileSync(join(root, '.gitignore'), 'utf8').split('\n');

  it('every app and Redis read deploy/production.env, the apps that write the database its owner account, a service with secrets of its own its own file besides; each must exist, is git-ignored, and its example is published', () => {
    const read = Object.fromEntries(services.filter(([n]) => n !== 'kafka').map(([n, s]) => [n, envFiles(s)]));
    const shared = 'deploy/production.env';
    const owner = 'deploy/database.env';
    expect(read).toEqual({
      mysql: [owner, 'deploy/mysql.env'],
      redis: [shared],
      migrate: ['deploy/mysql.env', 'deploy/im-core.env'],
      'bank-service': [shared, owner, 'deploy/bank-service.env'],
      'gift-service': [shared, owner, 'deploy/gift-service.env'],
      'im-router': [shared],
      'im-core': [shared, 'deploy/im-core.env'],
      'api-gateway': [shared, owner, 'deploy/api-gateway.env'],
    });
    for (const file of new Set(Object.values(read).flat())) {
      expect(ignored).toContain(file);
      expect(existsSync(join(root, `${file}.example`))).toBe(true);
    }
    // Every example's values are refused as secrets in production (a CHANGE-ME left in place stops the app).
    const examples = readdirSync(join(root, 'deploy')).filter((f) => f.endsWith('.env.example'));
    expect(
      examples.map((f) => `deploy/${f}`).filter((f) => !(PUBLISHED_VALUE_FILES as readonly string[]).includes(f)),
    ).toEqual([]);
  });

  /** The services whose env files set `name` to a value (from the examples), sorted. */
  const holdersOf = (name: string, value?: string): string[] =>
    services
      .filter(([, s]) =>
        envFiles(s).some((file) =>
          parseEnvFile(readFileSync(join(root, `${file}.example`), 'utf8')).some(
            ([key, v]) => key === name && (value === undefined || v === value),
          ),
        ),
      )
      .map(([n]) => n)
      .sort();

  it("the database owner's password reaches only the apps that write and MySQL; im-core's is its own (2026-12-03: im-core, which faces the internet, read the owner account from production.env)", () => {
    const example = (file: string): Map<string, string> =>
      new Map(parseEnvFile(readFileSync(join(root, `deploy/${file}.env.example`), 'utf8')));
    const ownerPassword = example('database').get('DB_PASSWORD')!;
    const imCorePassword = example('im-core').get('DB_PASSWORD')!;
    expect(ownerPassword).not.toEqual(imCorePassword);
    expect(example('database').get('DB_USER')).not.toEqual(example('im-core').get('DB_USER'));
    expect(holdersOf('DB_PASSWORD', ownerPassword)).toEqual(['api-gateway', 'bank-service', 'gift-service', 'mysql']);
    expect(holdersOf('DB_PASSWORD', imCorePassword)).toEqual(['im-core', 'migrate']);
    expect(holdersOf('DB_PASSWORD')).toEqual([
      'api-gateway',
      'bank-service',
      'gift-service',
      'im-core',
      'migrate',
      'mysql',
    ]);
    // No app sets a database account in the compose file itself, and im-router holds none.
    for (const [name, s] of apps)
      expect([name, s.environment?.DB_USER, s.environment?.DB_PASSWORD]).toEqual([name, undefined, undefined]);
  });

  it("a service's secrets reach its container only: no container but the owners' reads the file that holds one (a review, 2026-12-01: im-core and im-router held every signing key and the payment key)", () => {
    expect(Object.fromEntries(OWNED_SECRETS.map((name) => [name, holdersOf(name)]))).toEqual({
      // migrate: the one-shot set-up container, which makes im-core's account as root (it hands the password to
      // the migration as DB_PASSWORD and unsets it: the process holds no foreign secret).
      MYSQL_ROOT_PASSWORD: ['migrate', 'mysql'],
      // the owner's (database.env) or im-core's own (im-core.env): see the test above
      DB_PASSWORD: ['api-gateway', 'bank-service', 'gift-service', 'im-core', 'migrate', 'mysql'],
      BANK_PAY_SECRET: ['bank-service'],
      GIFT_MSG_SIGNING_KEY: ['api-gateway'],
      GIFT_MSG_VERIFY_KEYS: ['bank-service', 'gift-service'],
      BANK_ORDER_SIGNING_KEY: ['api-gateway'],
      BANK_ORDER_VERIFY_KEYS: ['bank-service'],
      CATALOGUE_ORDER_SIGNING_KEY: ['api-gateway'],
      CATALOGUE_ORDER_VERIFY_KEYS: ['gift-service'],
    });
  });

  it("every app that reads the database starts once `migrate` has finished (im-core's account exists only then) and MySQL is healthy", () => {
    for (const name of ['api-gateway', 'bank-service', 'gift-service', 'im-core'])
      expect([name, compose.services[name].depends_on]).toEqual([
        name,
        expect.objectContaining({
          migrate: { condition: 'service_completed_successfully' },
          mysql: { condition: 'service_healthy' },
        }),
      ]);
    expect(compose.services.migrate.depends_on).toEqual({ mysql: { condition: 'service_healthy' } });
    // migrate logs in as root from its own container: root's host may not be localhost only.
    expect(compose.services.mysql.environment?.MYSQL_ROOT_HOST).toBe('%');
    expect(compose.services.migrate.entrypoint?.join(' ')).toContain('DB_USER=root');
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
    const example = (file: string): string => readFileSync(join(root, `deploy/${file}.env.example`), 'utf8');
    expect(example('production')).toMatch(/^REDIS_PASSWORD=\S+/m);
    for (const key of ['DB_USER', 'DB_PASSWORD']) expect(example('database')).toMatch(new RegExp(`^${key}=\\S+`, 'm'));
    expect(readFileSync(join(root, 'deploy/mysql.env.example'), 'utf8')).toMatch(/^MYSQL_ROOT_PASSWORD=\S+/m);
  });
});
