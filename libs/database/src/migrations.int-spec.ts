import { createTestDatabase } from '@live/testing';
import { DataSource, MigrationInterface } from 'typeorm';
import { MIGRATIONS } from './migrations';
import { AccountSafeguards1764000000200 } from './migrations/bank-service/1764000000200-account-safeguards';
import { TradeDirection1764000000011 } from './migrations/bank-service/1764000000011-trade-direction';
import { WithdrawalOrder1764000000100 } from './migrations/bank-service/1764000000100-withdrawal-order';
import { PayOrderHygiene1764000000300 } from './migrations/bank-service/1764000000300-pay-order-hygiene';
import { LocalGiftPictures1764000000500 } from './migrations/gift-service/1764000000500-local-gift-pictures';
import { GiftRecordCount1764000000600 } from './migrations/gift-service/1764000000600-gift-record-count';
import { LivingPk1764000000700 } from './migrations/gift-service/1764000000700-living-pk';
import { PayOrderOpenIndex1764000000800 } from './migrations/bank-service/1764000000800-pay-order-open-index';
import { DefaultNickNames1764000000400 } from './migrations/api-gateway/1764000000400-default-nick-names';
import { AccountTotalEarned1764000001000 } from './migrations/bank-service/1764000001000-account-total-earned';
import { EarningsHours1764000001100 } from './migrations/bank-service/1764000001100-earnings-hours';

const TABLES = [
  't_account_status_log',
  't_gift_config',
  't_gift_record',
  't_living_pk',
  't_living_room',
  't_pay_order',
  't_pay_product',
  't_qiyu_currency_account',
  't_qiyu_currency_trade',
  't_qiyu_earnings_hour',
  't_user',
  't_withdrawal_order',
];

async function tables(ds: DataSource): Promise<string[]> {
  const rows: { name: string }[] = await ds.query(
    'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name',
  );
  return rows.map((r) => r.name).sort();
}

describe('migrations on the real database', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  /** Runs a migration's `step` on one connection, `times` in a row (a re-run must change nothing). */
  async function migrate(migration: MigrationInterface, times = 1, step: 'up' | 'down' = 'up'): Promise<void> {
    const runner = db.dataSource.createQueryRunner();
    try {
      for (let i = 0; i < times; i += 1) await migration[step](runner);
    } finally {
      await runner.release();
    }
  }

  it('create every table, with the seeds', async () => {
    expect(await tables(db.dataSource)).toEqual([...TABLES, 'typeorm_migrations'].sort());
    const gifts: { gift_name: string; price: string }[] = await db.dataSource.query(
      'SELECT gift_name, price FROM t_gift_config ORDER BY sort_order',
    );
    expect(gifts).toHaveLength(7);
    const prices = gifts.map((g) => Number(g.price));
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
    const [{ n }] = await db.dataSource.query('SELECT COUNT(*) AS n FROM t_pay_product WHERE valid_status = 1');
    expect(Number(n)).toBeGreaterThanOrEqual(6);
  });

  it('enforce a UNIQUE request id per direction in the ledger, and in gift records', async () => {
    const insert =
      'INSERT INTO t_qiyu_currency_trade (request_id, user_id, direction, num, balance_after, type) VALUES (?, ?, ?, ?, 0, 2)';
    await db.dataSource.query(insert, ['req-1', 1, 1, -1]);
    await expect(db.dataSource.query(insert, ['req-1', 3, 1, -1])).rejects.toThrow(/Duplicate entry/);
    // The gift's other side: one credit under the same request id, never two.
    await db.dataSource.query(insert, ['req-1', 2, 2, 1]);
    await expect(db.dataSource.query(insert, ['req-1', 3, 2, 1])).rejects.toThrow(/Duplicate entry/);
    // Every row says which side it is on.
    await expect(
      db.dataSource.query(
        'INSERT INTO t_qiyu_currency_trade (request_id, user_id, num, balance_after, type) VALUES (?, 1, -1, 0, 2)',
        ['req-2'],
      ),
    ).rejects.toThrow(/direction/);
    const record =
      'INSERT INTO t_gift_record (request_id, user_id, receiver_id, room_id, gift_id, price, send_time) VALUES (?, 1, 2, 3, 1, 1, NOW(3))';
    await db.dataSource.query(record, ['req-1']);
    await expect(db.dataSource.query(record, ['req-1'])).rejects.toThrow(/Duplicate entry/);
  });

  it('refuse a negative balance at the database (CHECK constraint)', async () => {
    await db.dataSource.query('INSERT INTO t_qiyu_currency_account (user_id, current_balance) VALUES (1, 5)');
    await expect(
      db.dataSource.query('UPDATE t_qiyu_currency_account SET current_balance = current_balance - 6 WHERE user_id = 1'),
    ).rejects.toThrow(/CONSTRAINT|check/i);
    const [row] = await db.dataSource.query('SELECT current_balance FROM t_qiyu_currency_account WHERE user_id = 1');
    expect(Number(row.current_balance)).toBe(5);
  });

  it("TradeDirection: a gift settled before it gets its receiver's credit; recharges are credits", async () => {
    const q = (sql: string, params: unknown[] = []) => db.dataSource.query(sql, params);
    await q('DELETE FROM t_qiyu_currency_trade');
    // Back to the schema before TradeDirection (the migrations after it first).
    const after = MIGRATIONS.slice(MIGRATIONS.indexOf(TradeDirection1764000000011)).map((m) => new m().name);
    for (let i = 0; i < after.length; i += 1) await db.dataSource.undoLastMigration({ transaction: 'each' });
    const legacy =
      'INSERT INTO t_qiyu_currency_trade (request_id, user_id, counterparty_id, num, balance_after, type, status, fingerprint) VALUES (?, ?, ?, ?, 0, ?, ?, ?)';
    await q(legacy, ['pay:1', 7, null, 100, 1, 1, null]);
    await q(legacy, ['7:a', 7, 8, -30, 2, 1, 'f'.repeat(64)]);
    await q(legacy, ['7:b', 7, 8, 0, 2, 0, null]);
    await q(legacy, ['7:c', 7, 8, -20, 2, 1, null]);
    await q(legacy, ['8:a', 8, 9, -5, 2, 1, null]);
    expect((await db.dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name)).toEqual(after);
    const rows: Record<string, unknown>[] = await q(
      'SELECT request_id, user_id, direction, counterparty_id, num, balance_after, fingerprint FROM t_qiyu_currency_trade ORDER BY id',
    );
    expect(
      rows.map((r) => [
        r.request_id,
        Number(r.user_id),
        Number(r.direction),
        r.counterparty_id === null ? null : Number(r.counterparty_id),
        Number(r.num),
        Number(r.balance_after),
      ]),
    ).toEqual([
      ['pay:1', 7, 2, null, 100, 0],
      ['7:a', 7, 1, 8, -30, 0],
      ['7:b', 7, 1, 8, 0, 0],
      ['7:c', 7, 1, 8, -20, 0],
      ['8:a', 8, 1, 9, -5, 0],
      ['7:a', 8, 2, 7, 30, 30],
      ['7:c', 8, 2, 7, 20, 50],
      ['8:a', 9, 2, 8, 5, 5],
    ]);
    expect(rows[5].fingerprint).toBe('f'.repeat(64));
    // Run again (as after a failure half way: each DDL statement commits on its own): nothing changes.
    await migrate(new TradeDirection1764000000011());
    expect(
      await q('SELECT request_id, user_id, direction, num, balance_after FROM t_qiyu_currency_trade ORDER BY id'),
    ).toEqual(
      rows.map(({ request_id, user_id, direction, num, balance_after }) => ({
        request_id,
        user_id,
        direction,
        num,
        balance_after,
      })),
    );
    await q('DELETE FROM t_qiyu_currency_trade');
  });

  it('AccountSafeguards: wallets count nothing spent until they spend; run again, it changes nothing', async () => {
    const q = (sql: string, params: unknown[] = []) => db.dataSource.query(sql, params);
    await q('INSERT INTO t_qiyu_currency_account (user_id, current_balance) VALUES (42, 7)');
    const wallet = async () => {
      const [row] = await q(
        "SELECT spent_today, DATE_FORMAT(spent_day, '%Y-%m-%d') AS day FROM t_qiyu_currency_account WHERE user_id = 42",
      );
      return { spent: Number(row.spent_today), day: row.day };
    };
    expect(await wallet()).toEqual({ spent: 0, day: null });
    await q("UPDATE t_qiyu_currency_account SET spent_today = 5, spent_day = '2026-11-30' WHERE user_id = 42");
    await q("INSERT INTO t_account_status_log (user_id, status, admin_id, reason) VALUES (42, 0, 1, 'test')");
    await migrate(new AccountSafeguards1764000000200());
    expect(await wallet()).toEqual({ spent: 5, day: '2026-11-30' });
    expect(
      (await q('SELECT user_id, reason FROM t_account_status_log')).map((r: { user_id: unknown; reason: string }) => [
        Number(r.user_id),
        r.reason,
      ]),
    ).toEqual([[42, 'test']]);
    await q('DELETE FROM t_account_status_log');
    await q('DELETE FROM t_qiyu_currency_account WHERE user_id = 42');
  });

  it('withdrawal orders: one per (user, key), amount = fee + net; the migration runs again harmlessly', async () => {
    const q = (sql: string, params: unknown[] = []) => db.dataSource.query(sql, params);
    const insert = 'INSERT INTO t_withdrawal_order (user_id, request_id, amount, fee, net) VALUES (?, ?, ?, ?, ?)';
    await q(insert, [1, 'k-1', 100, 30, 70]);
    await expect(q(insert, [1, 'k-1', 100, 30, 70])).rejects.toThrow(/Duplicate entry/);
    await q(insert, [2, 'k-1', 100, 30, 70]);
    await expect(q(insert, [1, 'k-2', 100, 30, 71])).rejects.toThrow(/CONSTRAINT|check/i);
    await expect(q(insert, [1, 'k-3', 0, 0, 0])).rejects.toThrow(/CONSTRAINT|check/i);
    await migrate(new WithdrawalOrder1764000000100());
    const rows: { user_id: string; request_id: string }[] = await q(
      'SELECT user_id, request_id FROM t_withdrawal_order ORDER BY id',
    );
    expect(rows.map((r) => [Number(r.user_id), r.request_id])).toEqual([
      [1, 'k-1'],
      [2, 'k-1'],
    ]);
    await q('DELETE FROM t_withdrawal_order');
  });

  it('PayOrderHygiene: one order per (user, request key), keyless orders never collide; run again, nothing changes', async () => {
    const q = (sql: string, params: unknown[] = []) => db.dataSource.query(sql, params);
    const insert =
      'INSERT INTO t_pay_order (order_id, product_id, user_id, source, pay_channel, price, coin_num, request_key) VALUES (?, 1, ?, 1, 0, 600, 60, ?)';
    await migrate(new PayOrderHygiene1764000000300());
    await q(insert, ['PO-1', 1, 'k']);
    await q(insert, ['PO-2', 2, 'k']);
    await q(insert, ['PO-3', 1, null]);
    await q(insert, ['PO-4', 1, null]);
    await expect(q(insert, ['PO-5', 1, 'k'])).rejects.toThrow(/Duplicate entry/);
    const keys: { Key_name: string }[] = await q(
      "SHOW INDEX FROM t_pay_order WHERE Key_name LIKE 'idx_pay_order_status%'",
    );
    expect(keys.map((k) => k.Key_name)).toEqual(['idx_pay_order_status_time', 'idx_pay_order_status_time']);
    await q('DELETE FROM t_pay_order');
  });

  it("PayOrderOpenIndex: a user's unpaid orders counted by a range on (user_id, status, create_time); run again, nothing changes", async () => {
    await migrate(new PayOrderOpenIndex1764000000800(), 2);
    const columns: { Column_name: string }[] = await db.dataSource.query(
      "SHOW INDEX FROM t_pay_order WHERE Key_name = 'idx_pay_order_user_open'",
    );
    expect(columns.map((c) => c.Column_name)).toEqual(['user_id', 'status', 'create_time']);
    const [plan]: { possible_keys: string | null }[] = await db.dataSource.query(
      `EXPLAIN SELECT COUNT(*) FROM t_pay_order WHERE user_id = 7 AND status IN (0, 1)
         AND create_time >= NOW(3) - INTERVAL 30 MINUTE`,
    );
    expect(plan.possible_keys?.split(',')).toContain('idx_pay_order_user_open');
  });

  it("AccountTotalEarned: each wallet's total_earned is the sum of its gift credits, backfilled from the ledger; run again, nothing changes", async () => {
    const q = (sql: string, params: unknown[] = []) => db.dataSource.query(sql, params);
    await q('DELETE FROM t_qiyu_currency_trade');
    await q('INSERT INTO t_qiyu_currency_account (user_id, earnings) VALUES (51, 25), (52, 0), (53, 0)');
    const row =
      'INSERT INTO t_qiyu_currency_trade (request_id, user_id, direction, num, balance_after, type, status) VALUES (?, ?, ?, ?, 0, ?, ?)';
    await q(row, ['g1', 51, 2, 30, 2, 1]); // two gifts received
    await q(row, ['g2', 51, 2, 12, 2, 1]);
    await q(row, ['wd:1', 51, 1, -22, 5, 1]); // a withdrawal out of earnings and its rejection back: not earned
    await q(row, ['wd:1', 51, 2, 5, 6, 1]);
    await q(row, ['g3', 52, 2, 0, 2, 0]); // a refused gift's credit row: nothing
    await q(row, ['g4', 52, 1, -7, 2, 1]); // a gift sent (the sender's debit): not earned
    await q(row, ['g5', 53, 2, 9, 2, 0]); // a credit not charged (status 0; the settlement writes num 0): not earned
    await q(row, ['pay:1', 53, 2, 100, 1, 1]); // a recharge: the wallet's, not earned
    await q('UPDATE t_qiyu_currency_account SET total_earned = 999 WHERE user_id IN (51, 52, 53)');
    const totals = async () =>
      (
        await q(
          'SELECT user_id, total_earned FROM t_qiyu_currency_account WHERE user_id IN (51, 52, 53) ORDER BY user_id',
        )
      ).map((r: { user_id: unknown; total_earned: unknown }) => [Number(r.user_id), Number(r.total_earned)]);
    await migrate(new AccountTotalEarned1764000001000());
    expect(await totals()).toEqual([
      [51, 42],
      [52, 0],
      [53, 0],
    ]);
    await migrate(new AccountTotalEarned1764000001000());
    expect(await totals()).toEqual([
      [51, 42],
      [52, 0],
      [53, 0],
    ]);
    await q('DELETE FROM t_qiyu_currency_trade');
    await q('DELETE FROM t_qiyu_currency_account WHERE user_id IN (51, 52, 53)');
  });

  it("EarningsHours: each wallet's gift credits per hour, built from the ledger; run again, nothing changes; down drops it", async () => {
    const q = (sql: string, params: unknown[] = []) => db.dataSource.query(sql, params);
    await q('DELETE FROM t_qiyu_currency_trade');
    const row = `INSERT INTO t_qiyu_currency_trade (request_id, user_id, direction, num, balance_after, type, status, create_time)
      VALUES (?, ?, ?, ?, 0, ?, ?, ?)`;
    await q(row, ['h1', 61, 2, 30, 2, 1, '2026-11-20 10:00:00.000']); // two gifts in the hour 10:00
    await q(row, ['h2', 61, 2, 12, 2, 1, '2026-11-20 10:59:59.999']);
    await q(row, ['h3', 61, 2, 5, 2, 1, '2026-11-20 11:00:00.000']); // the next hour
    await q(row, ['h4', 62, 2, 7, 2, 1, '2026-11-20 10:30:00.000']); // another anchor
    await q(row, ['wd:2', 61, 2, 5, 6, 1, '2026-11-20 10:10:00.000']); // a withdrawal's reversal: not earned
    await q(row, ['h5', 62, 2, 9, 2, 0, '2026-11-20 10:10:00.000']); // a credit not charged: nothing
    await q(row, ['h6', 62, 1, -4, 2, 1, '2026-11-20 10:10:00.000']); // a gift sent (the debit): not earned
    await q(row, ['pay:2', 62, 2, 100, 1, 1, '2026-11-20 10:10:00.000']); // a recharge: the wallet's
    const hours = async () =>
      (
        await q(
          "SELECT user_id, DATE_FORMAT(hour_start, '%Y-%m-%d %H:%i:%s') AS h, amount FROM t_qiyu_earnings_hour ORDER BY user_id, h",
        )
      ).map((r: { user_id: unknown; h: string; amount: unknown }) => [Number(r.user_id), r.h, Number(r.amount)]);
    const built = [
      [61, '2026-11-20 10:00:00', 42],
      [61, '2026-11-20 11:00:00', 5],
      [62, '2026-11-20 10:00:00', 7],
    ];
    await migrate(new EarningsHours1764000001100(), 1, 'down');
    await migrate(new EarningsHours1764000001100());
    expect(await hours()).toEqual(built);
    // A wrong hour is rebuilt, a stray one dropped; run again, the same.
    await q("UPDATE t_qiyu_earnings_hour SET amount = 1 WHERE user_id = 61 AND hour_start = '2026-11-20 10:00:00'");
    await q("INSERT INTO t_qiyu_earnings_hour (user_id, hour_start, amount) VALUES (63, '2026-11-20 09:00:00', 8)");
    await migrate(new EarningsHours1764000001100(), 2);
    expect(await hours()).toEqual(built);
    await migrate(new EarningsHours1764000001100(), 1, 'down');
    expect(await q("SHOW TABLES LIKE 't_qiyu_earnings_hour'")).toEqual([]);
    await migrate(new EarningsHours1764000001100());
    expect(await hours()).toEqual(built);
    await q('DELETE FROM t_qiyu_currency_trade');
    await q('DELETE FROM t_qiyu_earnings_hour');
  });

  it("LocalGiftPictures: the seeded gifts' pictures are the gateway's; again: no change; a re-pointed gift is left alone; down restores", async () => {
    const q = (sql: string, params: unknown[] = []) => db.dataSource.query(sql, params);
    const pictures = async (): Promise<string[][]> =>
      (await q('SELECT gift_name, cover_img_url, svga_url FROM t_gift_config ORDER BY gift_id')).map(
        (r: { gift_name: string; cover_img_url: string; svga_url: string }) => [
          r.gift_name,
          r.cover_img_url,
          r.svga_url,
        ],
      );
    const migrated = await pictures();
    expect(migrated[0]).toEqual(['Rose', '/assets/gifts/rose.svg', '/assets/gifts/rose.svg']);
    expect(migrated[5]).toEqual(['Sports car', '/assets/gifts/sports-car.svg', '/assets/gifts/sports-car.svg']);
    expect(migrated.every(([, cover, svga]) => cover.startsWith('/assets/gifts/') && svga === cover)).toBe(true);
    const run = (step: 'up' | 'down'): Promise<void> => migrate(new LocalGiftPictures1764000000500(), 1, step);
    await run('up');
    expect(await pictures()).toEqual(migrated);
    // down: the CDN addresses back, except for a gift an admin pointed elsewhere meanwhile.
    await q("UPDATE t_gift_config SET cover_img_url = '/img/my-rose.png' WHERE gift_id = 1");
    await run('down');
    const restored = await pictures();
    expect(restored[0][1]).toBe('/img/my-rose.png');
    expect(restored[1]).toEqual([
      'Heart',
      'https://static.live-gift.dev/gifts/heart.png',
      'https://static.live-gift.dev/gifts/heart.svga',
    ]);
    await run('up');
    expect((await pictures())[0][1]).toBe('/img/my-rose.png');
    expect((await pictures()).slice(1)).toEqual(migrated.slice(1));
    await q(
      "UPDATE t_gift_config SET cover_img_url = 'https://static.live-gift.dev/gifts/rose.png', svga_url = 'https://static.live-gift.dev/gifts/rose.svga' WHERE gift_id = 1",
    );
    await run('up');
    expect(await pictures()).toEqual(migrated);
  });

  it('GiftRecordCount: every gift record has a count, 1 unless written; run again, nothing changes', async () => {
    const q = (sql: string, params: unknown[] = []) => db.dataSource.query(sql, params);
    const insert = (requestId: string, count?: number) =>
      count === undefined
        ? q(
            'INSERT INTO t_gift_record (request_id, user_id, receiver_id, room_id, gift_id, price, send_time) VALUES (?, 1, 2, 3, 4, 52, NOW(3))',
            [requestId],
          )
        : q(
            'INSERT INTO t_gift_record (request_id, user_id, receiver_id, room_id, gift_id, price, count, send_time) VALUES (?, 1, 2, 3, 4, 52, ?, NOW(3))',
            [requestId, count],
          );
    // A table as it was before the migration, with a row, then the migration twice.
    await q('ALTER TABLE t_gift_record DROP COLUMN count');
    await insert('before-counts');
    await migrate(new GiftRecordCount1764000000600(), 2);
    await insert('ten', 10);
    const rows: { request_id: string; count: number }[] = await q(
      "SELECT request_id, count FROM t_gift_record WHERE request_id IN ('before-counts', 'ten') ORDER BY id",
    );
    expect(rows.map((r) => [r.request_id, Number(r.count)])).toEqual([
      ['before-counts', 1],
      ['ten', 10],
    ]);
    await q("DELETE FROM t_gift_record WHERE request_id IN ('before-counts', 'ten')");
  });

  it('LivingPk: t_living_pk, and every gift record gets pk_id null and pk_step 0 unless written; run again, nothing changes', async () => {
    const q = (sql: string, params: unknown[] = []) => db.dataSource.query(sql, params);
    // The schema as it was before the migration, with a gift record, then the migration twice.
    await q('ALTER TABLE t_gift_record DROP INDEX idx_gift_record_pk, DROP COLUMN pk_step, DROP COLUMN pk_id');
    await q('DROP TABLE t_living_pk');
    await q(
      "INSERT INTO t_gift_record (request_id, user_id, receiver_id, room_id, gift_id, price, send_time) VALUES ('before-pk', 1, 2, 3, 4, 52, NOW(3))",
    );
    await migrate(new LivingPk1764000000700(), 2);
    await q(
      "INSERT INTO t_gift_record (request_id, user_id, receiver_id, room_id, gift_id, price, pk_id, pk_step, send_time) VALUES ('in-pk', 1, 2, 3, 4, 52, 'pk-3-1', -6, NOW(3))",
    );
    const rows: { request_id: string; pk_id: string | null; pk_step: number }[] = await q(
      "SELECT request_id, pk_id, pk_step FROM t_gift_record WHERE request_id IN ('before-pk', 'in-pk') ORDER BY id",
    );
    expect(rows.map((r) => [r.request_id, r.pk_id, Number(r.pk_step)])).toEqual([
      ['before-pk', null, 0],
      ['in-pk', 'pk-3-1', -6],
    ]);
    // The audit reads a PK's records by pk_id: indexed.
    const indexed: { Column_name: string }[] = await q(
      "SHOW INDEX FROM t_gift_record WHERE Key_name = 'idx_gift_record_pk'",
    );
    expect(indexed.map((i) => i.Column_name)).toEqual(['pk_id']);
    await q(
      "INSERT INTO t_living_pk (pk_id, room_id, anchor_id, challenger_id, started_at, ends_at) VALUES ('pk-3-1', 3, 2, 5, NOW(3), NOW(3))",
    );
    // One row per PK.
    await expect(
      q(
        "INSERT INTO t_living_pk (pk_id, room_id, anchor_id, challenger_id, started_at, ends_at) VALUES ('pk-3-1', 3, 2, 6, NOW(3), NOW(3))",
      ),
    ).rejects.toThrow(/Duplicate/);
    // Its end keeps the room's seq (final_seq), null while it runs.
    await q("UPDATE t_living_pk SET final_seq = 4 WHERE pk_id = 'pk-3-1'");
    const [ended]: { final_seq: number }[] = await q("SELECT final_seq FROM t_living_pk WHERE pk_id = 'pk-3-1'");
    expect(Number(ended.final_seq)).toBe(4);
    await q("DELETE FROM t_gift_record WHERE request_id IN ('before-pk', 'in-pk')");
    await q('DELETE FROM t_living_pk');
  });

  it('DefaultNickNames: the phone-derived defaults become user<userId>, chosen nicknames stay; run again, nothing changes', async () => {
    const q = (sql: string, params: unknown[] = []) => db.dataSource.query(sql, params);
    await q('INSERT INTO t_user (user_id, phone, nick_name) VALUES (?, ?, ?), (?, ?, ?), (?, ?, ?), (?, ?, ?)', [
      50001,
      '13800001234',
      'user1234',
      50002,
      '13800005678',
      'Lucky Star',
      50003,
      '13800009999',
      '',
      50004,
      '13800004321',
      'user1234',
    ]);
    const nicks = async () =>
      (
        (await q('SELECT user_id AS id, nick_name AS nick FROM t_user WHERE user_id >= 50001 ORDER BY user_id')) as {
          id: string;
          nick: string;
        }[]
      ).map((r) => [Number(r.id), r.nick]);
    for (let run = 0; run < 2; run += 1) {
      await migrate(new DefaultNickNames1764000000400());
      expect(await nicks()).toEqual([
        [50001, 'user50001'],
        [50002, 'Lucky Star'],
        [50003, 'user50003'],
        [50004, 'user1234'], // not this phone's digits: a nickname of its own
      ]);
    }
    await q('DELETE FROM t_user WHERE user_id >= 50001');
  });

  it('go all the way down and up again', async () => {
    for (let i = 0; i < MIGRATIONS.length; i += 1) await db.dataSource.undoLastMigration({ transaction: 'each' });
    expect(await tables(db.dataSource)).toEqual(['typeorm_migrations']);
    const applied = await db.dataSource.runMigrations({ transaction: 'each' });
    expect(applied.map((m) => m.name)).toEqual(MIGRATIONS.map((m) => new m().name));
    expect(await tables(db.dataSource)).toEqual([...TABLES, 'typeorm_migrations'].sort());
    const [{ n }] = await db.dataSource.query('SELECT COUNT(*) AS n FROM t_gift_config');
    expect(Number(n)).toBe(7);
  });
});
