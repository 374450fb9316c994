/**
 * The gift audit, written once for chaos (bench/chaos.ts), cluster chaos and the bench (gift-path): money
 * and pushes, after the load stopped and every accepted gift settled. Every figure it computes belongs to
 * a check, and the verdict is the conjunction of the checks: nothing computed is left out.
 *
 * Use:
 *   const observers = await PushObservers.open({ wsUrl, seats, token });  // before the load; seats: { userId, roomId }[]
 *   ... load; keep an AuditedGift { requestId (as answered), senderId, roomId, sentAt } per accepted gift ...
 *   const result = await auditGifts({ ds, redis, keyPrefix, gifts, requestIdLike: ['%:c-%'], observers, pk: pkLoad.audited() });
 *   printAudit('chaos', result);  if (!result.ok) fail;   await observers.close();
 *
 * `auditMoney` and `judgePushes` are the two halves, usable alone; `verdict(checks)` merges checks (add a
 * harness' own, e.g. "no process died on its own", before printing).
 *
 * Money (auditMoney): the ledger is double-entry for gifts (a charged gift is the sender's debit and the
 * receiver's credit under one request id). Every accepted request id has exactly one gift debit: charged
 * (status 1) with exactly one gift record, or refused (status 0) with none; a charged one's debit is the
 * price x count its record names (one trade per send, whatever its count) and it has exactly one credit,
 * of the same coins, to the receiver its debit names (and naming its sender), a refused one none;
 * no gift trade charged (or refused) for an id of the harness (LIKE `requestIdLike`) that was not
 * accepted; no gift record without a charged debit; no negative balance or earnings; balances + earnings +
 * withdrawn (net) + platform cut (fee) of the withdrawal orders not rejected = credits (recharges and
 * manual credits, minus refunded recharges); the wallet rows of the ledger (all but gift credits and
 * withdrawal rows) sum to the balances; its gift debits, and its gift credits, plus its withdrawal rows
 * (WITHDRAW out, WITHDRAW_REVERSAL back) sum to the earnings; every withdrawal order has its WITHDRAW row
 * of the amount (and a rejected one its reversal, any other none), and no withdrawal row is without its
 * order; Redis' cached balance = the database's,
 * for every cached account (read key by key: safe on a Redis Cluster).
 * Coverage, so that no check passes on nothing: a charged gift leaves its sender's balance cached (10 min),
 * so with one charged at least one account must be cached; with `sentCounts` (the load sent sends of
 * several gifts) at least one of them must be charged, or price x count was judged on single gifts only.
 *
 * PK battles (auditPk, with `pk`: the run's PK rooms and the pkIds its load saw; issue 21): every PK's bar
 * (the room's Redis hash while it is the room's PK, t_living_pk.final_progress once ended) = 50 + the sum of
 * pk_step over its gift records; every record of a PK has a charged debit; every nonzero step is on a gift to
 * the side its sign names (+ anchor, - challenger) and of the rule's size, min(10, ceil(price x count / 10))
 * (short of it only for the move that hit the bound the PK ended at); an ended PK's winner fits its end reason
 * and bar; every end and every pkId is in t_living_pk.
 *
 * Pushes (judgePushes, over what the observers recorded): a socket is judged for a gift when it was
 * logged in to the room before the gift was sent and never closed until the audit; each judged socket
 * got a charged gift's 5556 exactly once (msgId = request id), and its sender's judged sockets got a
 * refused gift's 5557 exactly once. No 5556 of the harness' gifts reached a socket it was not due to (a
 * refused gift's effect, another room), no 5557 reached anyone but the sender of a refused gift, no
 * effect carried another room. Sockets closed during the run (their seat is reopened with a new token)
 * are not judged; (seat, gift) pairs left out that way must stay fewer than the judged ones, or at least
 * MIN_PAIRS_JUDGED pairs of each kind, and a tenth of them, must be judged. No effect pair at all while a
 * gift was charged fails too (the observers sat in none of its rooms); no failure pair at all passes (a
 * refused gift's sender, an anchor for one, need not have a socket).
 */
import { sqlHourStart } from '@live/database';
import { BankRedisKeys, GiftRedisKeys } from '@live/redis';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DataSource } from 'typeorm';
import { parseCachedBalance } from '@live/contracts';
import type { ObservedSocket } from './push-observers.worker';

export type { ObservedSocket } from './push-observers.worker';

/** One accepted gift, as the harness saw it: the request id the gateway answered, and when it was sent. */
export interface AuditedGift {
  requestId: string;
  senderId: number;
  roomId: number;
  /** Epoch ms when the request left the client. */
  sentAt: number;
}

export interface AuditCheck {
  name: string;
  ok: boolean;
  figures: Record<string, number>;
  /** Where a failing check failed (examples, not figures): printed under it. */
  samples?: string[];
}

export interface AuditResult {
  ok: boolean;
  /** Every figure of every check, by name. */
  figures: Record<string, number>;
  checks: AuditCheck[];
}

export type GiftOutcome = 'charged' | 'refused';

/** The smallest Redis surface the audit needs (a Redis or a Cluster client). */
export interface RedisGet {
  get(key: string): Promise<string | null>;
  /** The PK check reads each PK room's hash. */
  hgetall(key: string): Promise<Record<string, string>>;
}

export function verdict(checks: AuditCheck[]): AuditResult {
  const figures: Record<string, number> = {};
  for (const c of checks) Object.assign(figures, c.figures);
  return { ok: checks.every((c) => c.ok), figures, checks };
}

export function printAudit(label: string, result: AuditResult): void {
  console.table(result.checks.map((c) => ({ check: c.name, ok: c.ok, figures: JSON.stringify(c.figures) })));
  console.log(`${label} audit: ${result.ok ? 'EXACT' : 'MISMATCH'} ${JSON.stringify(result.figures)}`);
  for (const c of result.checks.filter((x) => !x.ok)) {
    console.log(`  FAILED: ${c.name} ${JSON.stringify(c.figures)}`);
    for (const line of c.samples ?? []) console.log(`    ${line}`);
  }
}

export const check = (name: string, ok: boolean, figures: Record<string, number>): AuditCheck => ({
  name,
  ok,
  figures,
});
const chunks = <T>(list: readonly T[], size = 5_000): T[][] =>
  Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));

async function scalar(ds: DataSource, sql: string, params: unknown[] = []): Promise<number> {
  return Number(Object.values(((await ds.query(sql, params)) as object[])[0] ?? {})[0] ?? 0);
}

/** One accepted id's gift rows: its debits (charged, refused) and credits, and whether they make one transfer. */
interface GiftLedger {
  debits: number;
  charged: number;
  refused: number;
  credits: number;
  /** The debit's receiver got the credit, of the same coins, naming the sender (a refused gift: no credit). */
  balanced: boolean;
  /** Coins the debit took (its -num). */
  debited: number;
}

/** Per accepted id: its gift rows and records. */
async function outcomesOf(
  ds: DataSource,
  ids: readonly string[],
): Promise<{
  trades: Map<string, GiftLedger>;
  records: Map<string, number>;
  amounts: Map<string, { amount: number; count: number }>;
}> {
  const trades = new Map<string, GiftLedger>();
  const records = new Map<string, number>();
  /** Per recorded id: its record's price x count (what one send of `count` gifts costs), and its count. */
  const amounts = new Map<string, { amount: number; count: number }>();
  for (const part of chunks(ids)) {
    const t: Record<string, string | null>[] = await ds.query(
      `SELECT request_id, SUM(direction = 1) AS debits, SUM(direction = 1 AND status = 1) AS charged,
              SUM(direction = 1 AND status = 0) AS refused, SUM(direction = 2) AS credits,
              SUM(CASE WHEN direction = 1 THEN num END) AS debited, SUM(CASE WHEN direction = 2 THEN num END) AS credited,
              MAX(CASE WHEN direction = 1 THEN user_id END) AS sender, MAX(CASE WHEN direction = 1 THEN counterparty_id END) AS receiver,
              MAX(CASE WHEN direction = 2 THEN user_id END) AS credited_to, MAX(CASE WHEN direction = 2 THEN counterparty_id END) AS credited_from
       FROM t_qiyu_currency_trade WHERE type = 2 AND request_id IN (?) GROUP BY request_id`,
      [part],
    );
    for (const r of t) {
      const [debits, charged, refused, credits] = [r.debits, r.charged, r.refused, r.credits].map(Number);
      const balanced =
        charged === 1
          ? credits === 1 &&
            Number(r.credited) === -Number(r.debited) &&
            r.credited_to !== null &&
            String(r.credited_to) === String(r.receiver) &&
            String(r.credited_from) === String(r.sender)
          : credits === 0;
      trades.set(String(r.request_id), { debits, charged, refused, credits, balanced, debited: -Number(r.debited) });
    }
    const g: { request_id: string; n: string; amount: string; count: string }[] = await ds.query(
      `SELECT request_id, COUNT(*) AS n, MAX(price * count) AS amount, MAX(count) AS count
       FROM t_gift_record WHERE request_id IN (?) GROUP BY request_id`,
      [part],
    );
    for (const r of g) {
      records.set(r.request_id, Number(r.n));
      amounts.set(r.request_id, { amount: Number(r.amount), count: Number(r.count) });
    }
  }
  return { trades, records, amounts };
}

/** Gifts of the harness' ids (LIKE patterns) that were never accepted, charged (any charged row) and refused. */
async function settledNotAccepted(
  ds: DataSource,
  accepted: ReadonlySet<string>,
  requestIdLike: readonly string[],
): Promise<{ charged: number; refused: number }> {
  const out = { charged: 0, refused: 0 };
  if (requestIdLike.length === 0) return out;
  const rows: { request_id: string; charged: string }[] = await ds.query(
    `SELECT request_id, MAX(status = 1) AS charged FROM t_qiyu_currency_trade
     WHERE type = 2 AND (${requestIdLike.map(() => 'request_id LIKE ?').join(' OR ')}) GROUP BY request_id`,
    [...requestIdLike],
  );
  for (const r of rows) {
    if (accepted.has(r.request_id)) continue;
    if (Number(r.charged) === 1) out.charged += 1;
    else out.refused += 1;
  }
  return out;
}

/**
 * Withdrawal orders whose ledger rows are not exactly theirs: the WITHDRAW debit of the amount under
 * `wd:<id>` (every order), the WITHDRAW_REVERSAL credit of it (a rejected order; any other has none); and
 * withdrawal rows that name no order.
 */
async function withdrawalRowsMismatch(
  ds: DataSource,
): Promise<{ ordersWithoutTheirRows: number; rowsWithoutOrder: number }> {
  const ordersWithoutTheirRows = await scalar(
    ds,
    `SELECT COUNT(*) FROM t_withdrawal_order o
     LEFT JOIN t_qiyu_currency_trade w ON w.request_id = CONCAT('wd:', o.id) AND w.direction = 1
     LEFT JOIN t_qiyu_currency_trade r ON r.request_id = CONCAT('wd:', o.id) AND r.direction = 2
     WHERE w.id IS NULL OR w.type <> 5 OR w.status <> 1 OR w.user_id <> o.user_id OR w.num <> -o.amount
        OR (o.status = 3 AND (r.id IS NULL OR r.type <> 6 OR r.status <> 1 OR r.user_id <> o.user_id OR r.num <> o.amount))
        OR (o.status <> 3 AND r.id IS NOT NULL)`,
  );
  const rowsWithoutOrder = await scalar(
    ds,
    `SELECT COUNT(*) FROM t_qiyu_currency_trade t
     LEFT JOIN t_withdrawal_order o ON t.request_id = CONCAT('wd:', o.id)
     WHERE t.type IN (5, 6) AND o.id IS NULL`,
  );
  return { ordersWithoutTheirRows, rowsWithoutOrder };
}

async function cacheMismatches(ds: DataSource, redis: RedisGet, keyPrefix: string): Promise<number[]> {
  const keys = new BankRedisKeys(keyPrefix);
  const accounts: { user_id: string; current_balance: string }[] = await ds.query(
    'SELECT user_id, current_balance FROM t_qiyu_currency_account',
  );
  let cached = 0;
  let mismatches = 0;
  for (const part of chunks(accounts, 500)) {
    const values = await Promise.all(part.map((a) => redis.get(keys.balance(Number(a.user_id)))));
    part.forEach((a, i) => {
      const c = parseCachedBalance(values[i]);
      if (c === undefined) return;
      cached += 1;
      if (c !== Number(a.current_balance)) mismatches += 1;
    });
  }
  return [cached, mismatches];
}

/** The money half; also returns each accepted id's outcome (for judgePushes). */
export async function auditMoney(opts: {
  ds: DataSource;
  redis: RedisGet;
  keyPrefix: string;
  acceptedIds: readonly string[];
  requestIdLike: readonly string[];
  /** The load sent sends of several gifts (benchGiftCount): the price x count check must have judged one. */
  sentCounts?: boolean;
}): Promise<{ checks: AuditCheck[]; outcomes: Map<string, GiftOutcome> }> {
  const { ds } = opts;
  const accepted = new Set(opts.acceptedIds);
  const { trades, records, amounts } = await outcomesOf(ds, [...accepted]);
  const outcomes = new Map<string, GiftOutcome>();
  let settledTwice = 0;
  let chargedNotPriceTimesCount = 0;
  let multiGifts = 0;
  let unbalancedTransfers = 0;
  let chargedWithoutOneRecord = 0;
  let refusedWithRecord = 0;
  for (const [id, t] of trades) {
    if (t.debits !== 1 || t.charged + t.refused !== 1) settledTwice += 1;
    if (!t.balanced) unbalancedTransfers += 1;
    if (t.charged > 0) outcomes.set(id, 'charged');
    else if (t.refused > 0) outcomes.set(id, 'refused');
    if (t.charged > 0 && records.get(id) !== 1) chargedWithoutOneRecord += 1;
    // One trade per send: price x count of what its record says was sent (a send of 3: three times the price).
    const recorded = amounts.get(id);
    if (t.charged > 0 && recorded !== undefined && t.debited !== recorded.amount) chargedNotPriceTimesCount += 1;
    if (t.charged > 0 && recorded !== undefined && recorded.count > 1) multiGifts += 1;
    if (t.charged === 0 && records.has(id)) refusedWithRecord += 1;
  }
  const notAccepted = await settledNotAccepted(ds, accepted, opts.requestIdLike);
  const [cachedAccounts, redisCacheMismatches] = await cacheMismatches(ds, opts.redis, opts.keyPrefix);
  const q = (sql: string): Promise<number> => scalar(ds, sql);
  const balancesPlusEarnings = await q(
    'SELECT COALESCE(SUM(current_balance + earnings), 0) FROM t_qiyu_currency_account',
  );
  // Recharges and manual credits in, refunded recharges (type 7, negative num) out.
  const credited = await q(
    'SELECT COALESCE(SUM(num), 0) FROM t_qiyu_currency_trade WHERE type IN (1, 3, 7) AND status = 1',
  );
  // Withdrawal orders not rejected: their amount left the earnings, net paid out, fee the platform's cut.
  const withdrawnNet = await q('SELECT COALESCE(SUM(net), 0) FROM t_withdrawal_order WHERE status <> 3');
  const platformCut = await q('SELECT COALESCE(SUM(fee), 0) FROM t_withdrawal_order WHERE status <> 3');
  // The earnings' rows of withdrawals: WITHDRAW (5) out, WITHDRAW_REVERSAL (6) back.
  const withdrawalMoves = await q(
    'SELECT COALESCE(SUM(num), 0) FROM t_qiyu_currency_trade WHERE type IN (5, 6) AND status = 1',
  );
  const { ordersWithoutTheirRows, rowsWithoutOrder } = await withdrawalRowsMismatch(ds);
  // The wallets' rows: every row but a gift's credit and a withdrawal's (on the receiver's earnings).
  const ledgerBalance = await q(
    'SELECT COALESCE(SUM(num), 0) FROM t_qiyu_currency_trade WHERE status = 1 AND NOT (type = 2 AND direction = 2) AND type NOT IN (5, 6)',
  );
  const balances = await q('SELECT COALESCE(SUM(current_balance), 0) FROM t_qiyu_currency_account');
  const ledgerSpent = await q(
    'SELECT COALESCE(-SUM(num), 0) FROM t_qiyu_currency_trade WHERE type = 2 AND direction = 1 AND status = 1',
  );
  const ledgerEarned = await q(
    'SELECT COALESCE(SUM(num), 0) FROM t_qiyu_currency_trade WHERE type = 2 AND direction = 2 AND status = 1',
  );
  const earnings = await q('SELECT COALESCE(SUM(earnings), 0) FROM t_qiyu_currency_account');
  // Each account's all-time gift total (total_earned, what /bank/earnings answers) against its gift credit rows.
  const totalEarnedMismatches = await q(
    `SELECT COUNT(*) FROM t_qiyu_currency_account a
     LEFT JOIN (SELECT user_id, SUM(num) AS earned FROM t_qiyu_currency_trade
                WHERE type = 2 AND direction = 2 AND status = 1 GROUP BY user_id) c ON c.user_id = a.user_id
     WHERE a.total_earned <> COALESCE(c.earned, 0)`,
  );
  // Each account's earnings per hour (t_qiyu_earnings_hour: /bank/earnings' windows, a withdrawal's hold) against
  // its gift credit rows of that hour (their create_time's hour).
  const earningsHourMismatches = await q(
    `SELECT COUNT(*) FROM (
       SELECT user_id, h, SUM(kept) AS kept, SUM(credited) AS credited FROM (
         SELECT user_id, hour_start AS h, amount AS kept, 0 AS credited FROM t_qiyu_earnings_hour
         UNION ALL
         SELECT user_id, ${sqlHourStart('create_time')}, 0, num
         FROM t_qiyu_currency_trade WHERE type = 2 AND direction = 2 AND status = 1
       ) x GROUP BY user_id, h HAVING kept <> credited
     ) m`,
  );
  const negative = await q('SELECT COUNT(*) FROM t_qiyu_currency_account WHERE current_balance < 0 OR earnings < 0');
  const recordsWithoutCharge = await q(
    'SELECT COUNT(*) FROM t_gift_record r LEFT JOIN t_qiyu_currency_trade t ON t.request_id = r.request_id AND t.type = 2 AND t.direction = 1 AND t.status = 1 WHERE t.id IS NULL',
  );
  const unsettled = accepted.size - trades.size;
  const charged = [...outcomes.values()].filter((o) => o === 'charged').length;
  const checks = [
    check('every accepted id settled', unsettled === 0, { accepted: accepted.size, unsettled }),
    check('settled once (one gift debit, charged or refused)', settledTwice === 0, { settledTwice }),
    check('charged: one credit of the coins to the receiver; refused: none', unbalancedTransfers === 0, {
      unbalancedTransfers,
    }),
    check('charged with exactly one gift record', chargedWithoutOneRecord === 0, {
      charged,
      chargedWithoutOneRecord,
    }),
    check(
      'charged: one debit of price x count of its record (a send of several among them, when the load sent counts)',
      chargedNotPriceTimesCount === 0 && (!opts.sentCounts || multiGifts > 0),
      { chargedNotPriceTimesCount, multiGifts },
    ),
    check('refused without a gift record', refusedWithRecord === 0, {
      refused: [...outcomes.values()].filter((o) => o === 'refused').length,
      refusedWithRecord,
    }),
    check('nothing settled that was not accepted', notAccepted.charged === 0 && notAccepted.refused === 0, {
      chargedNotAccepted: notAccepted.charged,
      refusedNotAccepted: notAccepted.refused,
    }),
    check('no gift record without a charge', recordsWithoutCharge === 0, { recordsWithoutCharge }),
    check('no negative balance or earnings', negative === 0, { negativeBalances: negative }),
    check(
      'balances + earnings + withdrawn + fees = credits',
      balancesPlusEarnings + withdrawnNet + platformCut === credited,
      { balancesPlusEarnings, withdrawnNet, platformCut, credited },
    ),
    check('ledger = balances', ledgerBalance === balances, { ledgerBalance, balances }),
    check('ledger spent on gifts - withdrawals = earnings', ledgerSpent + withdrawalMoves === earnings, {
      ledgerSpent,
      withdrawalMoves,
      earnings,
    }),
    check('ledger credited to earnings - withdrawals = earnings', ledgerEarned + withdrawalMoves === earnings, {
      ledgerEarned,
      withdrawalMoves,
      earnings,
    }),
    check("each account's total earned = its gift credits", totalEarnedMismatches === 0, { totalEarnedMismatches }),
    check("each account's earnings per hour = its gift credits of the hour", earningsHourMismatches === 0, {
      earningsHourMismatches,
    }),
    check(
      'withdrawal orders = their ledger rows',
      ordersWithoutTheirRows === 0 && rowsWithoutOrder === 0 && -withdrawalMoves === withdrawnNet + platformCut,
      { ordersWithoutTheirRows, rowsWithoutOrder, withdrawalMoves, withdrawnNet, platformCut },
    ),
    check(
      'Redis balance cache = database (an account cached, when a gift was charged)',
      redisCacheMismatches === 0 && (charged === 0 || cachedAccounts > 0),
      { cachedAccounts, redisCacheMismatches },
    ),
  ];
  return { checks, outcomes };
}

// ---------------------------------------------------------------- PK battles (issue 21)

/** The PK rooms of a run and every pkId its load saw (PkLoad.audited()). */
export interface AuditedPk {
  roomIds: readonly number[];
  pkIds: readonly string[];
}

/** The bar rule (PK-DESIGN.md): a charged gift of a = price x count coins moves it min(maxStep, ceil(a / coinsPerPoint)). */
export interface PkRule {
  coinsPerPoint: number;
  maxStep: number;
}
/** gift-service's defaults (GIFT_PK_COINS_PER_POINT, GIFT_PK_MAX_STEP): no harness sets them. */
export const PK_RULE: PkRule = { coinsPerPoint: 10, maxStep: 10 };
const PK_START = 50;

/** Who should have won an ended PK, from its end reason and final progress; undefined: no winner fits. */
export function expectedWinner(
  reason: string,
  progress: number,
  anchorId: number,
  challengerId: number,
): number | undefined {
  if (reason === 'bound') return progress >= 100 ? anchorId : progress <= 0 ? challengerId : undefined;
  if (reason === 'time') return progress > PK_START ? anchorId : progress < PK_START ? challengerId : 0;
  if (reason === 'offline' || reason === 'session') return anchorId;
  return undefined;
}

interface PkRow {
  pk_id: string;
  room_id: string;
  anchor_id: string;
  challenger_id: string;
  ended: string;
  winner_id: string | null;
  end_reason: string | null;
  final_progress: string | null;
}

interface PkGiftRow {
  pk_id: string;
  room_id: string;
  receiver_id: string;
  pk_step: string;
  amount: string;
  charged: string;
}

/** What one judgement of the PKs counts (every figure belongs to a check of auditPk). */
interface PkTally {
  pks: number;
  pksEnded: number;
  pkGiftsCharged: number;
  pkStepsMoved: number;
  pkStepSum: number;
  pkMismatches: number;
  pkStateLost: number;
  pkStepsOffRule: number;
  pkStepsWrongSide: number;
  pkRecordsNotCharged: number;
  pkWrongWinner: number;
  pkEndsNotRecorded: number;
  pksWithoutRow: number;
  /** PK rooms of the run without any PK in t_living_pk. */
  pkRoomsWithoutPk: number;
  samples: string[];
}

async function judgePks(
  ds: DataSource,
  redis: RedisGet,
  keyPrefix: string,
  pk: AuditedPk,
  rule: PkRule,
): Promise<PkTally> {
  const t: PkTally = {
    pks: 0,
    pksEnded: 0,
    pkGiftsCharged: 0,
    pkStepsMoved: 0,
    pkStepSum: 0,
    pkMismatches: 0,
    pkStateLost: 0,
    pkStepsOffRule: 0,
    pkStepsWrongSide: 0,
    pkRecordsNotCharged: 0,
    pkWrongWinner: 0,
    pkEndsNotRecorded: 0,
    pksWithoutRow: 0,
    pkRoomsWithoutPk: 0,
    samples: [],
  };
  const sample = (line: string): void => void (t.samples.length < 20 && t.samples.push(line));
  // The hashes first, then the rows: an end reaches Redis before t_living_pk, so rows read after a hash are
  // at least as late as it (an end the hash shows and the rows do not yet is waited for: auditPk).
  const hashes = new Map<number, Record<string, string>>();
  const readHash = async (roomId: number): Promise<void> => {
    if (!hashes.has(roomId)) hashes.set(roomId, await redis.hgetall(new GiftRedisKeys(keyPrefix).roomPk(roomId)));
  };
  for (const roomId of pk.roomIds) await readHash(roomId);
  const rooms = pk.roomIds.length > 0 ? [...pk.roomIds] : [-1];
  const rows: PkRow[] = await ds.query(
    `SELECT pk_id, room_id, anchor_id, challenger_id, ended_at IS NOT NULL AS ended, winner_id, end_reason, final_progress
     FROM t_living_pk WHERE room_id IN (?) OR pk_id IN (?)`,
    [rooms, pk.pkIds.length > 0 ? [...pk.pkIds] : ['-']],
  );
  for (const r of rows) await readHash(Number(r.room_id));
  const recorded: { pk_id: string }[] = await ds.query(
    'SELECT DISTINCT pk_id FROM t_gift_record WHERE pk_id IS NOT NULL AND room_id IN (?)',
    [rooms],
  );
  const rowOf = new Map(rows.map((r) => [r.pk_id, r]));
  const roomsInPk = new Set(rows.map((r) => Number(r.room_id)));
  for (const roomId of pk.roomIds) {
    if (roomsInPk.has(roomId)) continue;
    t.pkRoomsWithoutPk += 1;
    sample(`room ${roomId}: no PK in t_living_pk`);
  }
  const ids = new Set([...pk.pkIds, ...rows.map((r) => r.pk_id), ...recorded.map((r) => r.pk_id)]);
  for (const h of hashes.values()) if (h.pkId) ids.add(h.pkId);
  for (const id of ids) {
    if (rowOf.has(id)) continue;
    t.pksWithoutRow += 1;
    sample(`${id}: no t_living_pk row`);
  }
  const gifts: PkGiftRow[] =
    rows.length === 0
      ? []
      : await ds.query(
          `SELECT g.pk_id, g.room_id, g.receiver_id, g.pk_step, g.price * g.count AS amount, d.id IS NOT NULL AS charged
           FROM t_gift_record g
           LEFT JOIN t_qiyu_currency_trade d ON d.request_id = g.request_id AND d.type = 2 AND d.direction = 1 AND d.status = 1
           WHERE g.pk_id IN (?)`,
          [rows.map((r) => r.pk_id)],
        );
  const giftsOf = new Map<string, PkGiftRow[]>();
  for (const g of gifts) {
    if (!giftsOf.has(g.pk_id)) giftsOf.set(g.pk_id, []);
    giftsOf.get(g.pk_id)!.push(g);
  }

  for (const row of rows) {
    const id = row.pk_id;
    const [anchorId, challengerId] = [Number(row.anchor_id), Number(row.challenger_id)];
    const hash = hashes.get(Number(row.room_id));
    const current = hash?.pkId === id ? hash : undefined;
    t.pks += 1;
    let sum = 0;
    /** Steps short of the rule: only the move that hit the bound may be one (the bar is clamped to [0, 100]). */
    const short: number[] = [];
    for (const g of giftsOf.get(id) ?? []) {
      const step = Number(g.pk_step);
      const charged = Number(g.charged) === 1;
      sum += step;
      if (charged) t.pkGiftsCharged += 1;
      else {
        t.pkRecordsNotCharged += 1;
        sample(`${id}: a record (step ${step}) without a charged debit`);
      }
      if (step === 0) continue;
      t.pkStepsMoved += 1;
      const receiver = Number(g.receiver_id);
      if (Number(g.room_id) !== Number(row.room_id) || receiver !== (step > 0 ? anchorId : challengerId)) {
        t.pkStepsWrongSide += 1;
        sample(`${id}: step ${step} on a gift to ${receiver} (anchor ${anchorId}, challenger ${challengerId})`);
      }
      const due = Math.min(rule.maxStep, Math.ceil(Number(g.amount) / rule.coinsPerPoint));
      if (Math.abs(step) > due) {
        t.pkStepsOffRule += 1;
        sample(`${id}: step ${step} for ${g.amount} coins (the rule: ${due})`);
      } else if (Math.abs(step) < due) short.push(step);
    }
    t.pkStepSum += sum;

    // The end, from t_living_pk when it recorded one, else from the hash (checked against each other).
    const hashEnded = current !== undefined && Boolean(current.endReason);
    const rowEnded = Number(row.ended) === 1;
    if (hashEnded && !rowEnded) {
      t.pkEndsNotRecorded += 1;
      sample(`${id}: ended in Redis (${current.endReason}) but not in t_living_pk`);
    }
    if (
      hashEnded &&
      rowEnded &&
      (current.endReason !== row.end_reason ||
        Number(current.winnerId || 0) !== Number(row.winner_id ?? 0) ||
        Number(current.progress) !== Number(row.final_progress))
    ) {
      t.pkEndsNotRecorded += 1;
      sample(`${id}: t_living_pk's end differs from the hash's`);
    }
    const end = rowEnded
      ? { reason: row.end_reason ?? '', winner: Number(row.winner_id ?? 0), progress: Number(row.final_progress) }
      : hashEnded
        ? { reason: current.endReason, winner: Number(current.winnerId || 0), progress: Number(current.progress) }
        : null;
    if (end) {
      t.pksEnded += 1;
      const expected = expectedWinner(end.reason, end.progress, anchorId, challengerId);
      if (expected === undefined || expected !== end.winner) {
        t.pkWrongWinner += 1;
        sample(
          `${id}: ended by ${end.reason} at ${end.progress}, winner ${end.winner} (expected ${expected ?? 'none'})`,
        );
      }
    }
    // A short step is the one that hit the bound: one at most, toward the bound the PK ended at.
    const bound = end?.reason === 'bound' ? end.progress : null;
    const towardTheBound = (step: number): boolean => bound !== null && (bound >= 100 ? step > 0 : step < 0);
    const shortOk = short.length === 0 || (short.length === 1 && towardTheBound(short[0]));
    if (!shortOk) {
      t.pkStepsOffRule += short.length;
      sample(`${id}: steps short of the rule ${JSON.stringify(short)} (end: ${end?.reason ?? 'running'})`);
    }

    // The bar: 50 + the sum of its records' steps, in the hash of the room's current PK and in an ended row.
    const bars = [
      ...(current ? [Number(current.progress)] : []),
      ...(rowEnded && row.final_progress !== null ? [Number(row.final_progress)] : []),
    ];
    if (bars.length === 0) {
      t.pkStateLost += 1;
      sample(
        `${id}: running in t_living_pk, no hash names it (its state is gone): bar of its records ${PK_START + sum}`,
      );
    } else if (bars.some((b) => b !== PK_START + sum)) {
      t.pkMismatches += 1;
      sample(`${id}: bar ${bars.join(' / ')}, 50 + its records' steps = ${PK_START + sum}`);
    }
  }
  return t;
}

/**
 * The PK check (issue 21), over the run's PK rooms and the pkIds its load saw (and every t_living_pk row and
 * record of those rooms): for each PK, its bar (the room's hash when it is the room's current PK,
 * final_progress when it ended) = 50 + the sum of pk_step of its records; every record of a PK has a charged
 * debit (a refused gift: no record, no step); every nonzero step on a gift to the side its sign names (+ the
 * anchor, - the challenger) in the PK's room, of the rule's size for price x count (short of it only for the
 * one move that hit the bound of a PK that ended there); an ended PK's winner fits its end reason and bar;
 * an end in the hash is in t_living_pk too; every pkId has its row. `stateLossAllowed`: PKs whose state may
 * be gone with Redis' data (chaos flushes it once: the PK then running keeps its row, running, and no hash),
 * counted apart. Waits (up to `waitMs`) for an end the hash shows to reach t_living_pk.
 */
export async function auditPk(opts: {
  ds: DataSource;
  redis: RedisGet;
  keyPrefix: string;
  pk: AuditedPk;
  rule?: PkRule;
  stateLossAllowed?: number;
  waitMs?: number;
}): Promise<AuditCheck[]> {
  const deadline = Date.now() + (opts.waitMs ?? 10_000);
  let t = await judgePks(opts.ds, opts.redis, opts.keyPrefix, opts.pk, opts.rule ?? PK_RULE);
  while (t.pkEndsNotRecorded > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    t = await judgePks(opts.ds, opts.redis, opts.keyPrefix, opts.pk, opts.rule ?? PK_RULE);
  }
  const allowed = opts.stateLossAllowed ?? 0;
  const withSamples = (c: AuditCheck, ok: boolean): AuditCheck => (ok ? c : { ...c, samples: t.samples });
  const checks: [string, boolean, Record<string, number>][] = [
    [
      'PK: the PK rooms were in PK and their bars moved',
      t.pkRoomsWithoutPk === 0 && (opts.pk.roomIds.length === 0 || t.pkStepsMoved > 0),
      {
        pkRooms: opts.pk.roomIds.length,
        pkRoomsWithoutPk: t.pkRoomsWithoutPk,
        pks: t.pks,
        pksEnded: t.pksEnded,
        pkStepsMoved: t.pkStepsMoved,
      },
    ],
    [
      'PK: bar = 50 + the steps of its records',
      t.pkMismatches === 0,
      { pkGiftsCharged: t.pkGiftsCharged, pkStepSum: t.pkStepSum, pkMismatches: t.pkMismatches },
    ],
    [
      `PK: a bar known for every PK (its hash or its ended row; ${allowed} may be gone with Redis' data)`,
      t.pkStateLost <= allowed,
      { pkStateLost: t.pkStateLost, pkStateLossAllowed: allowed },
    ],
    [
      'PK: steps of the rule, on charged gifts, to the side of their sign',
      t.pkStepsOffRule === 0 && t.pkStepsWrongSide === 0 && t.pkRecordsNotCharged === 0,
      {
        pkStepsOffRule: t.pkStepsOffRule,
        pkStepsWrongSide: t.pkStepsWrongSide,
        pkRecordsNotCharged: t.pkRecordsNotCharged,
      },
    ],
    [
      'PK: the winner of each ended PK fits its end and bar; every end and pkId in t_living_pk',
      t.pkWrongWinner === 0 && t.pkEndsNotRecorded === 0 && t.pksWithoutRow === 0,
      { pkWrongWinner: t.pkWrongWinner, pkEndsNotRecorded: t.pkEndsNotRecorded, pksWithoutRow: t.pksWithoutRow },
    ],
  ];
  return checks.map(([name, ok, figures]) => withSamples(check(name, ok, figures), ok));
}

/** LIKE patterns ('%' and '_') as one regular expression. */
function likeMatcher(patterns: readonly string[]): (id: string) => boolean {
  if (patterns.length === 0) return () => false;
  const alt = patterns.map((p) =>
    p
      .split('')
      .map((ch) => (ch === '%' ? '.*' : ch === '_' ? '.' : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join(''),
  );
  const re = new RegExp(`^(?:${alt.join('|')})$`);
  return (id) => re.test(id);
}

interface PairTally {
  judged: number;
  excluded: number;
  /** Judged pairs of the gifts `judgedLate` picks (judgePushes). */
  judgedLate: number;
  lost: number;
  duplicated: number;
  /** Pairs lost or duplicated, by the second (UTC) their gift was sent. */
  bySecond: Map<string, { lost: number; duplicated: number }>;
}

/** The fewest (seat, gift) pairs of a kind that make its push checks mean something when most were excluded. */
const MIN_PAIRS_JUDGED = 10;

const newTally = (): PairTally => ({
  judged: 0,
  excluded: 0,
  judgedLate: 0,
  lost: 0,
  duplicated: 0,
  bySecond: new Map(),
});

function samplesOf(t: PairTally): string[] {
  return [...t.bySecond]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([second, n]) => `gifts sent at ${second}: ${n.lost} pair(s) lost, ${n.duplicated} duplicated`);
}

/** Receipts of an open socket, indexed by msgId. */
interface Judged {
  loginAt: number;
  effects: Map<string, number>;
  failures: Map<string, number>;
}

/** Tallies one gift's pushes over the seats it was due to (room members for 5556, its sender for 5557). */
function tally(
  t: PairTally,
  seats: ReadonlySet<number> | undefined,
  open: ReadonlyMap<number, Judged>,
  gift: AuditedGift,
  kind: 'effects' | 'failures',
  late: (gift: AuditedGift) => boolean,
): void {
  for (const seat of seats ?? []) {
    const socket = open.get(seat);
    if (!socket || socket.loginAt > gift.sentAt) {
      t.excluded += 1;
      continue;
    }
    t.judged += 1;
    if (late(gift)) t.judgedLate += 1;
    const times = socket[kind].get(gift.requestId) ?? 0;
    if (times === 1) continue;
    const second = new Date(gift.sentAt).toISOString().slice(11, 19);
    const at = t.bySecond.get(second) ?? { lost: 0, duplicated: 0 };
    t.bySecond.set(second, at);
    if (times === 0) {
      t.lost += 1;
      at.lost += 1;
    } else {
      t.duplicated += times - 1;
      at.duplicated += times - 1;
    }
  }
}

/**
 * The push half, over what the observers recorded (`sockets`, with indexed receipts) and each gift's
 * outcome (auditMoney). `requestIdLike`: the harness' ids; pushes of other ids (not the harness' traffic)
 * are ignored.
 */
export function judgePushes(
  gifts: readonly AuditedGift[],
  outcomes: ReadonlyMap<string, GiftOutcome>,
  sockets: readonly ObservedSocket[],
  requestIdLike: readonly string[],
  /** Also count the failure pairs judged of the gifts it picks (failurePairsJudgedLate). */
  judgedLate?: (gift: AuditedGift) => boolean,
): AuditCheck[] {
  const seatsOfRoom = new Map<number, Set<number>>();
  const seatsOfUser = new Map<number, Set<number>>();
  const openBySeat = new Map<number, ObservedSocket>();
  const seatsWithAClose = new Set<number>();
  for (const s of sockets) {
    if (!seatsOfRoom.has(s.roomId)) seatsOfRoom.set(s.roomId, new Set());
    seatsOfRoom.get(s.roomId)!.add(s.seat);
    if (!seatsOfUser.has(s.userId)) seatsOfUser.set(s.userId, new Set());
    seatsOfUser.get(s.userId)!.add(s.seat);
    if (s.closedAt === null) openBySeat.set(s.seat, s);
    else seatsWithAClose.add(s.seat);
  }
  const open = new Map<number, Judged>();
  for (const [seat, x] of openBySeat)
    open.set(seat, { loginAt: x.loginAt, effects: new Map(x.effects), failures: new Map(x.failures) });
  const effects = newTally();
  const failures = newTally();
  const giftById = new Map(gifts.map((g) => [g.requestId, g]));
  const late = judgedLate ?? ((): boolean => false);
  for (const g of giftById.values()) {
    const outcome = outcomes.get(g.requestId);
    if (outcome === 'charged') tally(effects, seatsOfRoom.get(g.roomId), open, g, 'effects', late);
    if (outcome === 'refused') tally(failures, seatsOfUser.get(g.senderId), open, g, 'failures', late);
  }
  const ours = likeMatcher(requestIdLike);
  let unexpectedEffects = 0;
  let unexpectedFailures = 0;
  let foreignRoom = 0;
  for (const s of openBySeat.values()) {
    foreignRoom += s.foreignRoom;
    for (const [msgId, times] of s.effects) {
      const g = giftById.get(msgId);
      if (g ? outcomes.get(msgId) !== 'charged' || g.roomId !== s.roomId : ours(msgId)) unexpectedEffects += times;
    }
    for (const [msgId, times] of s.failures) {
      const g = giftById.get(msgId);
      if (g ? outcomes.get(msgId) !== 'refused' || g.senderId !== s.userId : ours(msgId)) unexpectedFailures += times;
    }
  }
  // The exclusions must not hollow the push checks out: most pairs judged, or at least MIN_PAIRS_JUDGED of
  // them and a tenth of all (refused gifts are few; chaos spreads them over the run, most after its last fault).
  // No pair at all is enough only with nothing due: a charged gift is due to its room's sockets, and observers
  // that saw none of the run's rooms judged nothing; a refused gift's sender may have no socket (anchors).
  const charged = [...giftById.keys()].some((id) => outcomes.get(id) === 'charged');
  const judgedEnough = (t: PairTally, due: boolean): boolean =>
    (t.judged + t.excluded === 0 && !due) ||
    t.judged > t.excluded ||
    (t.judged >= MIN_PAIRS_JUDGED && t.judged * 10 >= t.judged + t.excluded);
  return [
    {
      ...check('every charged gift 5556 reached every judged room socket', effects.lost === 0, {
        effectPairsJudged: effects.judged,
        effectsLost: effects.lost,
      }),
      samples: samplesOf(effects),
    },
    {
      ...check('no 5556 delivered twice to a socket', effects.duplicated === 0, {
        effectsDuplicated: effects.duplicated,
      }),
      samples: samplesOf(effects),
    },
    {
      ...check('every refused gift 5557 reached its judged sender socket', failures.lost === 0, {
        failurePairsJudged: failures.judged,
        ...(judgedLate === undefined ? {} : { failurePairsJudgedLate: failures.judgedLate }),
        failuresLost: failures.lost,
      }),
      samples: samplesOf(failures),
    },
    {
      ...check('no 5557 delivered twice to a socket', failures.duplicated === 0, {
        failuresDuplicated: failures.duplicated,
      }),
      samples: samplesOf(failures),
    },
    check(
      'no push to a socket it was not due to',
      unexpectedEffects === 0 && unexpectedFailures === 0 && foreignRoom === 0,
      { unexpectedEffects, unexpectedFailures, effectsOfAnotherRoom: foreignRoom },
    ),
    check(
      `sockets connected the whole time: most (seat, gift) pairs judged, or ${MIN_PAIRS_JUDGED}+ and a tenth`,
      judgedEnough(effects, charged) && judgedEnough(failures, false),
      {
        effectPairsJudged: effects.judged,
        failurePairsJudged: failures.judged,
        seats: new Set(sockets.map((x) => x.seat)).size,
        seatsReconnected: seatsWithAClose.size,
        effectPairsExcluded: effects.excluded,
        failurePairsExcluded: failures.excluded,
      },
    ),
  ];
}

/** A socket the observers keep open: a user in a room (a viewer, or a sender waiting for its 5557). */
export interface ObserverSeat {
  userId: number;
  roomId: number;
}

/**
 * WebSocket observers spread over worker threads (push-observers.worker). `token(userId)` issues a fresh
 * single-use IM token (every login, and every reconnect, uses one). With `reconnect` (the default), a
 * socket the server closed is replaced in its seat by a new one as soon as a login succeeds again; the
 * closed one is not judged any more.
 */
export class PushObservers {
  private closing = false;
  private reconnects = 0;
  private readonly attempts = new Map<number, number>();

  private constructor(
    private readonly workers: Worker[],
    private readonly seats: ObserverSeat[],
    private readonly opts: PushObserversOptions,
  ) {}

  static async open(opts: PushObserversOptions): Promise<PushObservers> {
    const n = Math.max(1, Math.min(opts.workers ?? 2, opts.seats.length));
    const workers = Array.from({ length: n }, () => new Worker(join(__dirname, 'push-observers.worker.js')));
    const o = new PushObservers(workers, opts.seats, opts);
    const urls = await Promise.all(opts.seats.map((_, seat) => o.url(seat)));
    const failed = await Promise.all(
      workers.map(
        (w, k) =>
          new Promise<number[]>((resolve, reject) => {
            w.once('error', reject);
            w.on('message', (m: { type: string; failed?: number[]; seat?: number; ok?: boolean }) => {
              if (m.type === 'opened') resolve(m.failed ?? []);
              if (m.type === 'closed' || (m.type === 'reopened' && !m.ok)) o.replace(m.seat!);
            });
            const seats = opts.seats
              .map((s, seat) => ({ ...s, seat, url: urls[seat], batch: o.batching(seat) }))
              .filter((s) => s.seat % n === k);
            w.postMessage({ type: 'open', seats });
          }),
      ),
    );
    const all = failed.flat();
    if (all.length > 0) throw new Error(`${all.length} of ${opts.seats.length} observer sockets could not log in`);
    return o;
  }

  /** A login URL for a seat: the seats spread over the nodes; each reopen of a seat tries the next node. */
  private async url(seat: number): Promise<string> {
    const nodes = typeof this.opts.wsUrl === 'string' ? [this.opts.wsUrl] : this.opts.wsUrl;
    const attempt = this.attempts.get(seat) ?? 0;
    this.attempts.set(seat, attempt + 1);
    const { userId, roomId } = this.seats[seat];
    const batch = this.batching(seat) ? '&batch=1' : '';
    return `${nodes[(seat + attempt) % nodes.length]}?token=${await this.opts.token(userId)}&roomId=${roomId}${batch}`;
  }

  /** Whether a seat announces batch frames (PushObserversOptions.batch; by default every other seat). */
  batching(seat: number): boolean {
    const mode = this.opts.batch ?? 'half';
    return mode === 'all' || (mode === 'half' && seat % 2 === 1);
  }

  /** Opens a new socket in a seat whose socket closed (after a pause; again until one logs in). */
  private replace(seat: number): void {
    if (this.closing || this.opts.reconnect === false) return;
    this.reconnects += 1;
    setTimeout(() => {
      if (this.closing) return;
      this.url(seat).then(
        (url) =>
          this.workers[seat % this.workers.length].postMessage({
            type: 'reopen',
            seat,
            url,
            batch: this.batching(seat),
            ...this.seats[seat],
          }),
        () => this.replace(seat),
      );
    }, 500);
  }

  /** Reopen attempts so far (a seat whose server is down is tried again every half second). */
  get reopenAttempts(): number {
    return this.reconnects;
  }

  /** What every socket, open or closed, saw so far. */
  async collect(): Promise<ObservedSocket[]> {
    const parts = await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<ObservedSocket[]>((resolve) => {
            const on = (m: { type: string; sockets?: ObservedSocket[] }): void => {
              if (m.type !== 'record') return;
              w.off('message', on);
              resolve(m.sockets ?? []);
            };
            w.on('message', on);
            w.postMessage({ type: 'collect' });
          }),
      ),
    );
    return parts.flat();
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const w of this.workers) w.postMessage({ type: 'close' });
    await new Promise((r) => setTimeout(r, 200));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

export interface PushObserversOptions {
  /** ws://host:port/ws of one im-core node, or of several (the seats spread over them); token and room go in the query. */
  wsUrl: string | string[];
  seats: ObserverSeat[];
  token: (userId: number) => Promise<string>;
  /** Worker threads (default 2). */
  workers?: number;
  /** Replace a socket the server closed (default true). */
  reconnect?: boolean;
  /**
   * Which seats announce batch frames (1006; the others read one 1003 per message): 'half' (the default:
   * every other seat, so an audit judges both kinds), 'all' or 'none'.
   */
  batch?: 'half' | 'all' | 'none';
}

/**
 * Money, the PK bars (with `pk`), then pushes: waits (up to `pushWaitMs`, default 30 s) until no judged push
 * is missing, then `settleMs` (default 3.5 s, longer than im-core's resend interval) for late duplicates, and judges.
 */
export async function auditGifts(opts: {
  ds: DataSource;
  redis: RedisGet;
  keyPrefix: string;
  gifts: readonly AuditedGift[];
  /** LIKE patterns matching every request id the harness may have produced (as answered: `<user>:<id>`). */
  requestIdLike: readonly string[];
  observers?: PushObservers;
  pushWaitMs?: number;
  settleMs?: number;
  /** The run's PK rooms and pkIds (PkLoad.audited()): the PK check (auditPk) enters the verdict. */
  pk?: AuditedPk;
  /** PKs whose state may be gone with Redis' data (auditPk). */
  pkStateLossAllowed?: number;
  /** The load sent sends of several gifts (auditMoney). */
  sentCounts?: boolean;
  /** judgePushes' judgedLate: the failure pairs judged of the gifts it picks are counted too. */
  judgedLate?: (gift: AuditedGift) => boolean;
}): Promise<AuditResult> {
  const money = await auditMoney({ ...opts, acceptedIds: opts.gifts.map((g) => g.requestId) });
  const pk = opts.pk ? await auditPk({ ...opts, pk: opts.pk, stateLossAllowed: opts.pkStateLossAllowed }) : [];
  if (!opts.observers) return verdict([...money.checks, ...pk]);
  const judge = async (): Promise<AuditCheck[]> =>
    judgePushes(opts.gifts, money.outcomes, await opts.observers!.collect(), opts.requestIdLike, opts.judgedLate);
  const deadline = Date.now() + (opts.pushWaitMs ?? 30_000);
  for (;;) {
    const missing = (await judge()).filter((c) => 'effectsLost' in c.figures || 'failuresLost' in c.figures);
    if (missing.every((c) => c.ok) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  await new Promise((r) => setTimeout(r, opts.settleMs ?? 3_500));
  return verdict([...money.checks, ...pk, ...(await judge())]);
}
