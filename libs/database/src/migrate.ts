/**
 * Migrations CLI: `migrate up` (default; creates the database if missing), `migrate down [n]`,
 * `migrate status`, `migrate reset` (all down, then up), `migrate accounts` (up, then the read-only accounts of
 * app-accounts.ts: IM_CORE_DB_PASSWORD required, IM_CORE_DB_USER and DB_ACCOUNT_HOST optional). Reads the DB_*
 * settings.
 */
import { loadEnvOrExit } from '@live/common';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './data-source-options';
import { DatabaseEnv } from './database.env';
import { ensureDatabase, onServer, waitForDatabase } from './ensure-database';
import { MIGRATIONS } from './migrations';
import { ensureReadOnlyAccount, READ_ONLY_ACCOUNTS, ReadOnlyAccountsEnv } from './app-accounts';

const log = (msg: string): void => console.log(`[migrate] ${msg}`);

async function revert(ds: DataSource, n: number): Promise<void> {
  for (let i = 0; i < n; i += 1) {
    const executed = await ds.query(`SELECT name FROM typeorm_migrations ORDER BY id DESC LIMIT 1`).catch(() => []);
    if (executed.length === 0) {
      log('nothing left to revert');
      return;
    }
    await ds.undoLastMigration({ transaction: 'each' });
    log(`reverted ${executed[0].name}`);
  }
}

async function main(): Promise<void> {
  const [command = 'up', arg] = process.argv.slice(2);
  // Its own settings only: the migrations speak no RPC (docker-compose's migrate container holds no RPC key).
  const env = loadEnvOrExit('migrate', DatabaseEnv, command === 'accounts' ? [ReadOnlyAccountsEnv] : []);
  const where = `${env.DB_USER}@${env.DB_HOST}:${env.DB_PORT}/${env.DB_NAME}`;
  const flavor = await waitForDatabase(env);
  await ensureDatabase(env);
  const ds = await new DataSource(buildDataSourceOptions(env, { logging: ['error'] }, flavor)).initialize();
  try {
    if (command === 'up') {
      const applied = await ds.runMigrations({ transaction: 'each' });
      for (const m of applied) log(`applied ${m.name}`);
      log(`${where}: ${applied.length} applied, ${MIGRATIONS.length} known, schema up to date`);
    } else if (command === 'down') {
      const n = arg === undefined ? 1 : Number(arg);
      if (!Number.isSafeInteger(n) || n < 1) throw new Error(`down takes a count >= 1, got ${arg}`);
      await revert(ds, n);
    } else if (command === 'reset') {
      await revert(ds, MIGRATIONS.length);
      const applied = await ds.runMigrations({ transaction: 'each' });
      log(`${where}: reset, ${applied.length} applied`);
    } else if (command === 'status') {
      const pending = await ds.showMigrations();
      const executed: { name: string }[] = await ds
        .query('SELECT name FROM typeorm_migrations ORDER BY id')
        .catch(() => []);
      for (const m of executed) log(`applied  ${m.name}`);
      log(`${where}: ${executed.length} applied, ${pending ? 'some pending' : 'none pending'}`);
    } else if (command === 'accounts') {
      const applied = await ds.runMigrations({ transaction: 'each' });
      log(`${where}: ${applied.length} applied, schema up to date`);
      for (const account of READ_ONLY_ACCOUNTS) {
        const user = process.env[account.userSetting] || account.defaultUser;
        const host = process.env.DB_ACCOUNT_HOST || '%';
        const password = process.env[account.passwordSetting] ?? '';
        if (user === env.DB_USER)
          throw new Error(`${account.userSetting} is ${user}, the account this runs as: it would lose its own rights`);
        if (!password)
          throw new Error(`${account.passwordSetting} is not set: the password of ${account.app}'s account`);
        // On a connection of its own, not the DataSource: TypeORM's error log would print the password with the SQL.
        await onServer(env, (conn) =>
          ensureReadOnlyAccount({ query: async (sql, params) => (await conn.query(sql, params))[0] }, env.DB_NAME, {
            user,
            host,
            password,
            tables: account.tables,
          }),
        );
        log(
          `${account.app}: ${user}@${host} may SELECT from ${account.tables.join(', ')} of ${env.DB_NAME}, nothing else`,
        );
      }
    } else {
      throw new Error(`unknown command "${command}": use up | down [n] | status | reset | accounts`);
    }
  } finally {
    await ds.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(`[migrate] failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
