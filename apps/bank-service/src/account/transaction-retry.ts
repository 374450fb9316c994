import { Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/** MySQL/MariaDB errors after which the whole transaction can safely run again. */
const RETRYABLE = new Set([
  1213, // ER_LOCK_DEADLOCK
  1205, // ER_LOCK_WAIT_TIMEOUT
  1062, // ER_DUP_ENTRY: a concurrent delivery of the same request id committed first; the retry finds it
]);
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

/** Runs `work` in one READ COMMITTED transaction, again from the start after a deadlock or a lost race. */
export async function withTransactionRetry<T>(
  dataSource: DataSource,
  what: string,
  work: (em: EntityManager) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await dataSource.transaction('READ COMMITTED', work);
    } catch (err: unknown) {
      const code = errno(err);
      if (code === undefined || !RETRYABLE.has(code) || attempt >= MAX_ATTEMPTS) throw err;
      logger.warn(`${what}: attempt ${attempt} hit MySQL error ${code}, retrying`);
      await new Promise((r) => setTimeout(r, 5 * attempt + Math.floor(Math.random() * 10)));
    }
  }
}
