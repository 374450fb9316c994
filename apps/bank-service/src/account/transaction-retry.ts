import { Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/**
 * MySQL/MariaDB errors after which the whole transaction runs again at once. Not ER_LOCK_WAIT_TIMEOUT (1205):
 * see LOCK_WAIT_TIMEOUT_S.
 */
const RETRYABLE = new Set([
  1213, // ER_LOCK_DEADLOCK
  1062, // ER_DUP_ENTRY: a concurrent delivery of the same request id committed first; the retry finds it
]);

/**
 * How long a statement of these transactions waits for a row lock (`innodb_lock_wait_timeout`, set once on
 * each pooled connection; the server's default is 50 s). A money transaction holds its locks for
 * milliseconds (a settlement run of 500 gifts: about 25 ms), so a wait of seconds means the holder is stuck,
 * and every caller has given up by then (the gateway's RPC timeout is 5 s, gift-service's 10 s) and retries
 * on its own (a redelivered batch, the provider's next callback, an admin's second click). So the timeout is
 * answered as an error, not retried here: with 5 tries of 50 s a transaction kept waiting for 4 minutes
 * after its caller left, while the caller's own retry queued on the same rows (a review's finding).
 */
export const LOCK_WAIT_TIMEOUT_S = 5;
/** The pooled connections already given LOCK_WAIT_TIMEOUT_S (mysql2 hands the same object out again). */
const boundConnections = new WeakSet<object>();

async function boundLockWait(em: EntityManager): Promise<void> {
  const connection = (em.queryRunner as unknown as { databaseConnection?: object } | undefined)?.databaseConnection;
  if (connection === undefined || boundConnections.has(connection)) return;
  await em.query(`SET SESSION innodb_lock_wait_timeout = ${LOCK_WAIT_TIMEOUT_S}`);
  boundConnections.add(connection);
}
const MAX_ATTEMPTS = 5;
const logger = new Logger('TransactionRetry');

function errno(err: unknown): number | undefined {
  const e = err as { errno?: unknown; driverError?: { errno?: unknown } } | null;
  const n = e?.errno ?? e?.driverError?.errno;
  return typeof n === 'number' ? n : undefined;
}

/** A UNIQUE key refused the row (ER_DUP_ENTRY). */
export function isDuplicateEntry(err: unknown): boolean {
  return errno(err) === 1062;
}

/**
 * Runs `work` in one READ COMMITTED transaction, again from the start after a deadlock or a lost race; a row
 * lock not got within LOCK_WAIT_TIMEOUT_S fails it (errno 1205).
 */
export async function withTransactionRetry<T>(
  dataSource: DataSource,
  what: string,
  work: (em: EntityManager) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await dataSource.transaction('READ COMMITTED', async (em) => {
        await boundLockWait(em);
        return work(em);
      });
    } catch (err: unknown) {
      const code = errno(err);
      if (code === undefined || !RETRYABLE.has(code) || attempt >= MAX_ATTEMPTS) throw err;
      logger.warn(`${what}: attempt ${attempt} hit MySQL error ${code}, retrying`);
      await new Promise((r) => setTimeout(r, 5 * attempt + Math.floor(Math.random() * 10)));
    }
  }
}
