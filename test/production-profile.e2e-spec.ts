import { parseEnvFile } from '@live/common';
import { composeEnvFiles } from './support/compose-file';
import { Exit, runProcess, TS_NODE_ENV } from './support/run-process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The production profile as an operator meets it: each app started as a process (its main.ts, through
 * runApp -> loadEnvOrExit -> validateEnv) with NODE_ENV=production. A development convenience turned on,
 * a secret missing, too short or published in the repository: exit 1 and a message naming the variable
 * (never echoing the secret). The settings of deploy/production.env.example with every CHANGE-ME replaced
 * by a fresh secret pass (`--check-config`: validate, then exit 0 without connecting anywhere).
 */
const ROOT = join(__dirname, '..');
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');

const envFile = (file: string): Record<string, string> => Object.fromEntries(parseEnvFile(read(file)));

const example = envFile('deploy/production.env.example');
/** The database owner's account (docker-compose.yml: deploy/database.env, read by the apps that write). */
const database = envFile('deploy/database.env.example');
/** The secrets of a service that has its own (docker-compose.yml: deploy/<app>.env, read by that container only). */
const owned: Record<string, Record<string, string>> = Object.fromEntries(
  ['api-gateway', 'bank-service', 'gift-service'].map((app) => [app, envFile(`deploy/${app}.env.example`)]),
);
const development = envFile('config/development.env');
const fresh = (): string => randomBytes(32).toString('hex');
/**
 * The examples with every placeholder replaced by a real secret, as the operator is told to do (the same
 * placeholder, e.g. the send_gift key in the gateway's and gift-service's files, the same secret).
 */
const secrets = new Map<string, string>();
const withSecrets = (file: Record<string, string>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(file).map(([k, v]) => [
      k,
      v.replace(
        /CHANGE-ME[A-Za-z0-9-]*/g,
        (placeholder) => secrets.get(placeholder) ?? secrets.set(placeholder, fresh()).get(placeholder)!,
      ),
    ]),
  );
/** What an app's container reads in production: the env files docker-compose.yml gives it, in its order. */
const goodProductionOf = (app: string): Record<string, string> =>
  Object.assign({}, ...composeEnvFiles(app).map((file) => withSecrets(envFile(`${file}.example`))));

/** Runs an app's main.ts (ts-node, swc) with ONLY the given environment (not Jest's development profile). */
function runApp(app: string, env: Record<string, string>, args: string[] = ['--check-config']): Promise<Exit> {
  return runProcess(
    process.execPath,
    ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', join('apps', app, 'src', 'main.ts'), ...args],
    ROOT,
    { ...TS_NODE_ENV, LOG_LEVEL: 'warn', ...env },
  );
}

type Case = [app: string, variable: string, value: string | undefined, why: RegExp];

const APPS = ['api-gateway', 'bank-service', 'gift-service', 'im-router', 'im-core'];
const published = development.BANK_PAY_SECRET;

const cases: Case[] = [
  // (a) development conveniences on
  ['api-gateway', 'GATEWAY_DEV_LOGIN_CODE', 'true', /development convenience/],
  ['api-gateway', 'GATEWAY_BENCH_ROUTES', 'true', /development convenience/],
  ['bank-service', 'BANK_DEV_PAY_ENABLED', 'true', /development convenience/],
  // (b) a secret missing
  ['bank-service', 'BANK_PAY_SECRET', undefined, /not set/],
  ['api-gateway', 'DB_PASSWORD', undefined, /not set/],
  ['gift-service', 'REDIS_PASSWORD', undefined, /not set/],
  ['im-router', 'REDIS_PASSWORD', undefined, /not set/],
  ['im-core', 'REDIS_PASSWORD', undefined, /not set/],
  // (c) a short secret (31 bytes)
  ['bank-service', 'BANK_PAY_SECRET', 'x'.repeat(31), /at least 32 bytes/],
  ['gift-service', 'DB_PASSWORD', 'é'.repeat(15), /at least 32 bytes/], // 30 bytes in UTF-8
  ['im-core', 'REDIS_PASSWORD', 'short', /at least 32 bytes/],
  // (d) a published value: the development secret, or the example's own placeholder
  ['bank-service', 'BANK_PAY_SECRET', published, /published/],
  ['api-gateway', 'REDIS_PASSWORD', published, /published/],
  ['im-router', 'REDIS_PASSWORD', example.REDIS_PASSWORD, /published/],
  ['gift-service', 'DB_PASSWORD', database.DB_PASSWORD, /published/],
  ['im-core', 'DB_PASSWORD', envFile('deploy/im-core.env.example').DB_PASSWORD, /published/],
  // the keys of internal RPC and of send_gift signatures
  ['im-router', 'RPC_AUTH_SECRET', undefined, /not set/],
  ['bank-service', 'RPC_AUTH_SECRET', development.RPC_AUTH_SECRET, /published/],
  ['api-gateway', 'GIFT_MSG_SIGNING_KEY', development.GIFT_MSG_SIGNING_KEY, /published/],
  ['gift-service', 'GIFT_MSG_VERIFY_KEYS', `new:${fresh()},${development.GIFT_MSG_VERIFY_KEYS}`, /published/],
  // the keys of catalogue changes (since 2026-12-01)
  ['api-gateway', 'CATALOGUE_ORDER_SIGNING_KEY', undefined, /not set/],
  ['api-gateway', 'CATALOGUE_ORDER_SIGNING_KEY', development.CATALOGUE_ORDER_SIGNING_KEY, /published/],
  ['gift-service', 'CATALOGUE_ORDER_VERIFY_KEYS', owned['gift-service'].CATALOGUE_ORDER_VERIFY_KEYS, /published/],
  // another service's secret held (since 2026-12-01: a service taken over reads its whole environment)
  ['im-core', 'GIFT_MSG_SIGNING_KEY', fresh(), /a secret of another service/],
  ['im-router', 'BANK_PAY_SECRET', fresh(), /a secret of another service/],
  ['im-core', 'MYSQL_ROOT_PASSWORD', fresh(), /a secret of another service/],
  // a database password in an app without a database (an older production.env held the owner's for every app)
  ['im-router', 'DB_PASSWORD', fresh(), /a secret of another service/],
  ['api-gateway', 'BANK_ORDER_VERIFY_KEYS', `k1:${fresh()}`, /a secret of another service/],
  ['gift-service', 'BANK_ORDER_SIGNING_KEY', fresh(), /a secret of another service/],
];

describe('the production profile (NODE_ENV=production), each app as a process', () => {
  jest.setTimeout(180_000);

  it('the example file holds placeholders the apps refuse, and the development secret is long enough to need the published check', () => {
    expect(example.REDIS_PASSWORD).toMatch(/^CHANGE-ME/);
    expect(Buffer.byteLength(published, 'utf8')).toBeGreaterThanOrEqual(32);
  });

  it.each(APPS)('%s passes with good production settings (the example with real secrets)', async (app) => {
    const run = await runApp(app, { ...goodProductionOf(app), NODE_ENV: 'production' });
    expect([run.code, run.output.trim()]).toEqual([0, `[${app}] configuration OK, profile production`]);
  });

  it.each(cases)('%s refuses %s=%s', async (app, variable, value, why) => {
    const env: Record<string, string> = { ...goodProductionOf(app), NODE_ENV: 'production' };
    if (value === undefined) delete env[variable];
    else env[variable] = value;
    const run = await runApp(app, env);
    expect(run.code).toBe(1);
    expect(run.output).toContain(`[${app}] refusing to start`);
    const line = run.output.split('\n').find((l) => l.includes(`${variable}:`) || l.includes(`${variable} (secret #`));
    expect(line).toMatch(why);
    if (value !== undefined && value.length >= 8) expect(run.output).not.toContain(value);
  });

  it('the same refusal without --check-config: the app does not start, whatever else is right', async () => {
    const run = await runApp(
      'bank-service',
      {
        ...goodProductionOf('bank-service'),
        NODE_ENV: 'production',
        BANK_DEV_PAY_ENABLED: 'true',
        BANK_PAY_SECRET: published,
      },
      [],
    );
    expect(run.code).toBe(1);
    expect(run.output).toMatch(/BANK_DEV_PAY_ENABLED: a development convenience/);
    expect(run.output).toMatch(/BANK_PAY_SECRET: a value published in the repository/);
    expect(run.output).not.toContain(published);
  });

  it('the development profile keeps the conveniences (no refusal without NODE_ENV=production)', async () => {
    const run = await runApp('bank-service', { ...development, BANK_DEV_PAY_ENABLED: 'true' });
    expect([run.code, run.output.trim()]).toEqual([
      0,
      '[bank-service] configuration OK, profile development (not production)',
    ]);
  });
});
