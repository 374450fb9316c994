import { createTestDatabase } from '@live/testing';
import { BinaryIdentifiers1764000000900, IDENTIFIER_COLUMNS } from './migrations/1764000000900-binary-identifiers';
import { MIGRATIONS } from './migrations';

type Row = Record<string, unknown>;

/** Every column of the app tables: where it is, its type, nullability, default, collation. */
const COLUMNS = `SELECT TABLE_NAME AS t, COLUMN_NAME AS c, ORDINAL_POSITION AS pos, COLUMN_TYPE AS type,
    IS_NULLABLE AS nullable, COLUMN_DEFAULT AS dflt, CHARACTER_SET_NAME AS charset, COLLATION_NAME AS collation
  FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 't\\_%' ORDER BY t, pos`;
const INDEXES = `SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME FROM information_schema.STATISTICS
  WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`;

const isIdentifier = (r: Row): boolean => IDENTIFIER_COLUMNS.some((i) => i.table === r.t && i.column === r.c);
const withoutCollation = (rows: Row[]): Row[] => rows.map(({ collation: _, ...rest }) => rest);

/** Rows that differ from each other only in the case of their ids, one statement per unique key. */
const CASE_VARIANTS = [
  `INSERT INTO t_qiyu_currency_trade (request_id, user_id, direction, num, balance_after, type, fingerprint)
     VALUES ('7:caseKey1', 7, 1, -1, 0, 2, '${'a'.repeat(64)}'), ('7:CASEKEY1', 7, 1, -1, 0, 2, '${'A'.repeat(64)}')`,
  `INSERT INTO t_gift_record (request_id, user_id, receiver_id, room_id, gift_id, price, pk_id, send_time)
     VALUES ('7:caseKey1', 7, 8, 9, 1, 1, 'pk-9-1', NOW(3)), ('7:CASEKEY1', 7, 8, 9, 1, 1, 'PK-9-1', NOW(3))`,
  `INSERT INTO t_pay_order (order_id, product_id, user_id, source, pay_channel, price, coin_num, request_key)
     VALUES ('POABC', 1, 7, 1, 0, 600, 60, 'payKey1'), ('poabc', 1, 7, 1, 0, 600, 60, 'PAYKEY1')`,
  `INSERT INTO t_withdrawal_order (user_id, request_id, amount, fee, net)
     VALUES (7, 'wdKey1', 10, 3, 7), (7, 'WDKEY1', 10, 3, 7)`,
  `INSERT INTO t_living_pk (pk_id, room_id, anchor_id, challenger_id, started_at, ends_at)
     VALUES ('pk-9-1', 9, 8, 6, NOW(3), NOW(3)), ('PK-9-1', 9, 8, 6, NOW(3), NOW(3))`,
];
const DELETE_ALL = ['t_qiyu_currency_trade', 't_gift_record', 't_pay_order', 't_withdrawal_order', 't_living_pk'];

describe('identifier columns compare exactly (BinaryIdentifiers1764000000900)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const q = (sql: string, params: unknown[] = []): Promise<Row[]> => db.dataSource.query(sql, params);
  const step = async (which: 'up' | 'down'): Promise<void> => {
    const runner = db.dataSource.createQueryRunner();
    try {
      await new BinaryIdentifiers1764000000900()[which](runner);
    } finally {
      await runner.release();
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  afterEach(async () => {
    for (const table of DELETE_ALL) await q(`DELETE FROM ${table}`);
  });

  it('makes every identifier column utf8mb4_bin, keeping its type, nullability, default, position and indexes', async () => {
    const migrated = await q(COLUMNS);
    const identifiers = migrated.filter(isIdentifier);
    expect(identifiers.map((r) => `${r.t}.${r.c}`).sort()).toEqual(
      IDENTIFIER_COLUMNS.map((i) => `${i.table}.${i.column}`).sort(),
    );
    expect(identifiers.filter((r) => r.collation !== 'utf8mb4_bin')).toEqual([]);
    // Human text keeps the case-insensitive collation.
    const text = migrated.filter((r) => r.collation !== null && !isIdentifier(r));
    expect(text.map((r) => `${r.t}.${r.c}`)).toEqual(
      expect.arrayContaining(['t_user.nick_name', 't_living_room.room_name', 't_qiyu_currency_trade.remark']),
    );
    expect(text.filter((r) => r.collation !== 'utf8mb4_unicode_ci')).toEqual([]);
    // The schema before it: the same columns and indexes, only the collation differs (the migrations after it
    // undone first, and compared from there).
    const later = MIGRATIONS.slice(MIGRATIONS.indexOf(BinaryIdentifiers1764000000900) + 1).map((m) => new m().name);
    for (let i = 0; i < later.length; i += 1) await db.dataSource.undoLastMigration({ transaction: 'each' });
    const justAfter = await q(COLUMNS);
    const indexes = await q(INDEXES);
    await db.dataSource.undoLastMigration({ transaction: 'each' });
    const before = await q(COLUMNS);
    expect(before.filter(isIdentifier).map((r) => r.collation)).toEqual(identifiers.map(() => 'utf8mb4_unicode_ci'));
    expect(withoutCollation(before)).toEqual(withoutCollation(justAfter));
    expect(await q(INDEXES)).toEqual(indexes);
    expect((await db.dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name)).toEqual([
      'BinaryIdentifiers1764000000900',
      ...later,
    ]);
    expect(await q(COLUMNS)).toEqual(migrated);
    // Run again: nothing changes.
    await step('up');
    expect(await q(COLUMNS)).toEqual(migrated);
  });

  it('takes ids that differ only in case for two ids, in every unique key and every lookup', async () => {
    for (const insert of CASE_VARIANTS) await q(insert);
    const found = await q(
      "SELECT request_id FROM t_qiyu_currency_trade WHERE request_id IN ('7:casekey1', '7:CASEKEY1')",
    );
    expect(found.map((r) => r.request_id)).toEqual(['7:CASEKEY1']);
    expect(await q("SELECT 1 FROM t_pay_order WHERE order_id = 'PoAbC'")).toEqual([]);
    expect(await q("SELECT 1 FROM t_pay_order WHERE user_id = 7 AND request_key = 'paykey1'")).toEqual([]);
    expect(await q("SELECT 1 FROM t_withdrawal_order WHERE user_id = 7 AND request_id = 'wdkey1'")).toEqual([]);
    expect(await q("SELECT 1 FROM t_gift_record WHERE pk_id = 'Pk-9-1'")).toEqual([]);
    const [{ n }] = await q(`SELECT COUNT(*) AS n FROM t_qiyu_currency_trade WHERE fingerprint = '${'a'.repeat(64)}'`);
    expect(Number(n)).toBe(1);
    // The exact id is still the one unique id.
    await expect(q(CASE_VARIANTS[0])).rejects.toThrow(/Duplicate entry/);
  });

  it('down refuses while ids differing only in case exist, runs again once they are gone; up again after it', async () => {
    const migrated = await q(COLUMNS);
    await q(CASE_VARIANTS[0]);
    await expect(step('down')).rejects.toThrow(/Duplicate entry/);
    await q("DELETE FROM t_qiyu_currency_trade WHERE request_id = '7:CASEKEY1'");
    await step('down');
    const down = await q(COLUMNS);
    expect(down.filter(isIdentifier).every((r) => r.collation === 'utf8mb4_unicode_ci')).toBe(true);
    expect(withoutCollation(down)).toEqual(withoutCollation(migrated));
    // Case-insensitive again: the variant is the same id.
    await expect(
      q(
        "INSERT INTO t_qiyu_currency_trade (request_id, user_id, direction, num, balance_after, type) VALUES ('7:casekey1', 7, 1, -1, 0, 2)",
      ),
    ).rejects.toThrow(/Duplicate entry/);
    await step('up');
    expect(await q(COLUMNS)).toEqual(migrated);
  });
});
