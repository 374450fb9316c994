/**
 * The audit of the cluster chaos run, once the load has stopped and settled: money (every accepted
 * request id charged once with one record, or refused; nothing charged that was not accepted; no
 * negative balance; balances + earnings = credits; ledger = balances; Redis's balance cache = the
 * database) and pushes (WebSocket observers in every room). Every figure has its verdict.
 */
import { parseCachedBalance } from '@live/contracts';
import { BankRedisKeys } from '@live/redis';
import type { Cluster } from 'ioredis';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DataSource } from 'typeorm';

export interface AuditLine {
  check: string;
  value: number | string;
  expected: number | string;
  ok: boolean;
}

const q = async (ds: DataSource, sql: string, params: unknown[] = []): Promise<number> =>
  Number(Object.values((await ds.query(sql, params))[0] as object)[0] ?? 0);

export async function moneyAudit(
  ds: DataSource,
  redis: Cluster,
  keyPrefix: string,
  acceptedIds: string[],
): Promise<AuditLine[]> {
  const unique = [...new Set(acceptedIds)];
  const ids = unique.length > 0 ? unique : ['-'];
  const trades: { request_id: string; n: string; charged: string }[] = await ds.query(
    'SELECT request_id, COUNT(*) AS n, SUM(status = 1) AS charged FROM t_qiyu_currency_trade WHERE request_id IN (?) GROUP BY request_id',
    [ids],
  );
  const records: { request_id: string; n: string }[] = await ds.query(
    'SELECT request_id, COUNT(*) AS n FROM t_gift_record WHERE request_id IN (?) GROUP BY request_id',
    [ids],
  );
  const recordOf = new Map(records.map((r) => [r.request_id, Number(r.n)]));
  const wrong = trades.filter(
    (t) =>
      Number(t.n) !== 1 || (Number(t.charged) === 1 ? recordOf.get(t.request_id) !== 1 : recordOf.has(t.request_id)),
  ).length;
  const keys = new BankRedisKeys(keyPrefix);
  const accounts: { user_id: string; current_balance: string }[] = await ds.query(
    'SELECT user_id, current_balance FROM t_qiyu_currency_account',
  );
  // One GET per key: an MGET must hold keys of one slot on a Redis Cluster.
  const cached = await Promise.all(accounts.map((a) => redis.get(keys.balance(Number(a.user_id)))));
  const cacheMismatch = accounts.filter((a, i) => {
    const c = parseCachedBalance(cached[i]);
    return c !== undefined && c !== Number(a.current_balance);
  }).length;
  const credited = await q(
    ds,
    'SELECT COALESCE(SUM(num), 0) FROM t_qiyu_currency_trade WHERE type IN (1, 3) AND status = 1',
  );
  const balances = await q(ds, 'SELECT COALESCE(SUM(current_balance), 0) FROM t_qiyu_currency_account');
  const charged = trades.filter((t) => Number(t.charged) === 1).length;
  const line = (check: string, value: number, expected: number): AuditLine => ({
    check,
    value,
    expected,
    ok: value === expected,
  });
  return [
    {
      check: 'accepted gift requests (charged / refused)',
      value: `${charged} / ${trades.length - charged}`,
      expected: `sum ${unique.length}`,
      ok: unique.length > 0,
    },
    line('accepted, never settled', unique.length - trades.length, 0),
    line('not once, or charged without one record', wrong, 0),
    line(
      'charged but never accepted',
      await q(
        ds,
        "SELECT COUNT(*) FROM t_qiyu_currency_trade WHERE type = 2 AND request_id LIKE '%:c-%' AND request_id NOT IN (?)",
        [ids],
      ),
      0,
    ),
    line(
      'negative balances or earnings',
      await q(ds, 'SELECT COUNT(*) FROM t_qiyu_currency_account WHERE current_balance < 0 OR earnings < 0'),
      0,
    ),
    line(
      'balances + earnings (= credits)',
      await q(ds, 'SELECT COALESCE(SUM(current_balance + earnings), 0) FROM t_qiyu_currency_account'),
      credited,
    ),
    line(
      'ledger (= balances)',
      await q(ds, 'SELECT COALESCE(SUM(num), 0) FROM t_qiyu_currency_trade WHERE status = 1'),
      balances,
    ),
    line('Redis balance cache entries unlike the database', cacheMismatch, 0),
  ];
}

/**
 * WebSocket viewers (bench/support/ws-observers.worker): each acks what it gets and counts gift
 * effects (5556), refusals (5557) and duplicates.
 */
export class PushObservers {
  private readonly worker = new Worker(join(__dirname, 'ws-observers.worker.js'), { workerData: { ackEveryMs: 100 } });
  effects = 0;
  failures = 0;
  duplicates = 0;
  private flushed: (() => void) | null = null;

  static async open(urls: string[]): Promise<PushObservers> {
    const o = new PushObservers();
    o.worker.on('message', (m: { type: string; effects?: number; failures?: number; duplicates?: number }) => {
      if (m.type !== 'samples') return;
      o.effects = m.effects ?? 0;
      o.failures = m.failures ?? 0;
      o.duplicates = m.duplicates ?? 0;
      o.flushed?.();
    });
    const failed = await new Promise<number>((resolve, reject) => {
      o.worker.once('error', reject);
      o.worker.on('message', (m: { type: string; failed?: number }) => m.type === 'opened' && resolve(m.failed ?? 0));
      o.worker.postMessage({ type: 'open', sockets: urls.map((url) => ({ url })) });
    });
    if (failed > 0) throw new Error(`${failed} of ${urls.length} WebSockets could not log in`);
    return o;
  }

  async flush(): Promise<void> {
    const done = new Promise<void>((r) => (this.flushed = r));
    this.worker.postMessage({ type: 'flush' });
    await done;
  }

  async close(): Promise<void> {
    this.worker.postMessage({ type: 'close' });
    await this.worker.terminate();
  }

  lines(): AuditLine[] {
    return [
      { check: 'gift effects (5556) seen by the viewers', value: this.effects, expected: '> 0', ok: this.effects > 0 },
      { check: 'refusals (5557) seen', value: this.failures, expected: '> 0', ok: this.failures > 0 },
      { check: 'messages received twice', value: this.duplicates, expected: 0, ok: this.duplicates === 0 },
    ];
  }
}
