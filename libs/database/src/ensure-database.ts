import { waitFor, WaitForOptions } from '@live/common';
import { Connection, createConnection } from 'mysql2/promise';
import { DatabaseEnv } from './database.env';

/**
 * Creates the database if it does not exist yet (utf8mb4). Its default collation, utf8mb4_unicode_ci, is for
 * human text: identifier columns declare utf8mb4_bin themselves (EXACT in migrations/owned-table.ts), so a
 * database created with this default, or an existing one created otherwise, compares ids exactly all the same.
 */
export async function ensureDatabase(env: DatabaseEnv): Promise<void> {
  await onServer(env, (conn) =>
    conn.query(`CREATE DATABASE IF NOT EXISTS \`${env.DB_NAME}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`),
  );
}

export async function dropDatabase(env: DatabaseEnv): Promise<void> {
  await onServer(env, (conn) => conn.query(`DROP DATABASE IF EXISTS \`${env.DB_NAME}\``));
}

/** Runs `work` on a connection to the server (no database selected), closed afterwards whatever happens. */
export async function onServer<T>(env: DatabaseEnv, work: (conn: Connection) => Promise<T>): Promise<T> {
  const conn = await createConnection({
    host: env.DB_HOST,
    port: env.DB_PORT,
    user: env.DB_USER,
    password: env.DB_PASSWORD,
  });
  try {
    return await work(conn);
  } finally {
    await conn.end();
  }
}

export type ServerFlavor = 'mysql' | 'mariadb';

/**
 * MySQL 8 or MariaDB? TypeORM must be told: with type 'mysql' against MariaDB it misreads column
 * defaults (NULL comes back as the string 'NULL') and would see schema drift that is not there.
 */
export async function detectServerFlavor(env: DatabaseEnv): Promise<ServerFlavor> {
  const [rows] = await onServer(env, (conn) => conn.query('SELECT VERSION() AS v'));
  return /mariadb/i.test(String((rows as { v: string }[])[0]?.v)) ? 'mariadb' : 'mysql';
}

/** Errors that waiting cannot mend: wrong credentials, a user without rights. */
const FATAL_DB_ERRORS = new Set(['ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_NOT_SUPPORTED_AUTH_MODE']);

/**
 * Start-up: waits (backoff, up to the start-up deadline, logging what it waits for) until the database
 * server answers, then tells its flavour. Bad credentials fail at once: no wait mends them.
 */
export function waitForDatabase(env: DatabaseEnv, options: WaitForOptions = {}): Promise<ServerFlavor> {
  return waitFor(`the database at ${env.DB_HOST}:${env.DB_PORT}`, () => detectServerFlavor(env), {
    isFatal: (err) => FATAL_DB_ERRORS.has((err as { code?: string }).code ?? ''),
    ...options,
  });
}
