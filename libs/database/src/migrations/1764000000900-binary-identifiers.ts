import { MigrationInterface, QueryRunner } from 'typeorm';
import { EXACT, TEXT_COLLATION } from './owned-table';

/** A column compared by exact value, with its definition as the migrations before made it (collation aside). */
interface IdentifierColumn {
  table: string;
  column: string;
  /** Type and length, exactly as before. */
  type: string;
  /** Nullability and default, exactly as before. */
  nullability: string;
}

/**
 * Every identifier column, by owner: the columns looked up or kept unique by exact value. Human text
 * (nicknames, names, remarks, reasons, room titles), picture addresses and t_living_pk.end_reason (a code the
 * server writes and never looks up) keep the tables' default collation.
 */
export const IDENTIFIER_COLUMNS: readonly IdentifierColumn[] = [
  // api-gateway's: the login phone (digits and '+': the collation changes nothing visible, it is a key all the same).
  { table: 't_user', column: 'phone', type: 'VARCHAR(20)', nullability: 'NOT NULL' },
  // gift-service's.
  { table: 't_gift_record', column: 'request_id', type: 'VARCHAR(64)', nullability: 'NOT NULL' },
  { table: 't_gift_record', column: 'pk_id', type: 'VARCHAR(48)', nullability: 'NULL DEFAULT NULL' },
  { table: 't_living_pk', column: 'pk_id', type: 'VARCHAR(48)', nullability: 'NOT NULL' },
  // bank-service's.
  { table: 't_qiyu_currency_trade', column: 'request_id', type: 'VARCHAR(64)', nullability: 'NOT NULL' },
  { table: 't_qiyu_currency_trade', column: 'fingerprint', type: 'CHAR(64)', nullability: 'NULL DEFAULT NULL' },
  { table: 't_pay_order', column: 'order_id', type: 'VARCHAR(64)', nullability: 'NOT NULL' },
  { table: 't_pay_order', column: 'request_key', type: 'VARCHAR(64)', nullability: 'NULL DEFAULT NULL' },
  { table: 't_withdrawal_order', column: 'request_id', type: 'VARCHAR(64)', nullability: 'NOT NULL' },
];

/** One ALTER per table (atomic for that table), every identifier column of it in `collation`. */
async function collate(q: QueryRunner, collation: string): Promise<void> {
  const tables = [...new Set(IDENTIFIER_COLUMNS.map((c) => c.table))];
  for (const table of tables) {
    const columns = IDENTIFIER_COLUMNS.filter((c) => c.table === table).map(
      ({ column, type, nullability }) => `MODIFY COLUMN ${column} ${type} ${collation} ${nullability}`,
    );
    await q.query(`ALTER TABLE ${table} ${columns.join(', ')}`);
  }
}

/**
 * Identifiers are compared exactly: every column above becomes utf8mb4_bin (type, length, nullability,
 * default and position kept). Under utf8mb4_unicode_ci the database took `caseKey1` and `CASEKEY1` for one
 * request id while the gateway's Idempotency-Key claims, Redis and every JS map told them apart: the second
 * gift was accepted (200), its ledger lookup returned the first's row, its INSERT hit the unique key, the
 * whole settlement batch failed and the gift was parked undecided (no 5556, no 5557); a lower-cased order id
 * paid the real order (devPay), and payProduct/withdraw keys differing in case were one key.
 * Existing data cannot collide (the case-insensitive unique keys were stricter), so `up` always succeeds. On
 * MariaDB 10.11 each ALTER is online (it accepts ALGORITHM=INPLACE, LOCK=NONE: writes go on, but for short
 * metadata locks at its start and end); a server that copies the table holds its writes while it runs.
 * Re-runnable: MODIFY to what is there changes nothing. `down` fails with "Duplicate entry" on a table holding ids that differ only in case (they
 * would be one id again): those rows must be dealt with first; the tables done before it stay done, and it
 * can be run again.
 */
export class BinaryIdentifiers1764000000900 implements MigrationInterface {
  name = 'BinaryIdentifiers1764000000900';

  async up(q: QueryRunner): Promise<void> {
    await collate(q, EXACT);
  }

  async down(q: QueryRunner): Promise<void> {
    await collate(q, TEXT_COLLATION);
  }
}
