/**
 * The steady load of the cluster chaos run: gifts at a fixed rate from senders spread over both
 * gateways (a sender whose gateway does not answer tries the other one with the same request id, as a
 * load balancer would), anchors among the senders (each gifts the next anchor's room), and a trickle of
 * reads that reach gift-service and bank-service over RPC (contribution boards, trade lists).
 */
import { GatewayRedisKeys } from '@live/redis';
import type { Cluster } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { httpPost, sleep, Viewer } from './bench-kit';
import type { AuditedGift } from './gift-audit';

export interface Sent {
  requestId: string | null;
  senderId: number;
  roomId: number;
  /** Epoch ms when the request left. */
  sentAt: number;
  status: number;
  code: number | null;
  at: number;
  /** The first gateway did not answer; the other one took the request. */
  failedOver: boolean;
}

/**
 * The rooms' anchors as senders too: wallets (with a recharge in the ledger) and login tokens; each
 * gifts the next anchor's room, so anchors both pay and earn in the same settlement runs.
 */
export async function seedAnchors(
  ds: DataSource,
  redis: Cluster,
  keyPrefix: string,
  viewers: readonly Viewer[],
  coins: number,
): Promise<Viewer[]> {
  const rooms = [...new Map(viewers.map((v) => [v.anchorId, v.roomId])).entries()];
  const anchors: Viewer[] = rooms.map(([anchorId], k) => {
    const [nextAnchor, nextRoom] = rooms[(k + 1) % rooms.length];
    return {
      userId: anchorId,
      token: randomBytes(24).toString('base64url'),
      imToken: randomBytes(24).toString('base64url'),
      roomId: nextRoom,
      anchorId: nextAnchor,
    };
  });
  await ds.query(
    `INSERT INTO t_qiyu_currency_account (user_id, current_balance, total_recharged) VALUES ${anchors.map(() => '(?, ?, ?)').join(', ')}`,
    anchors.flatMap((a) => [a.userId, coins, coins]),
  );
  await ds.query(
    `INSERT INTO t_qiyu_currency_trade (request_id, user_id, num, balance_after, type, status, remark) VALUES ${anchors.map(() => "(?, ?, ?, ?, 1, 1, 'bench seed')").join(', ')}`,
    anchors.flatMap((a) => [`seed:${a.userId}`, a.userId, coins, coins]),
  );
  const keys = new GatewayRedisKeys(keyPrefix);
  await Promise.all(anchors.map((a) => redis.set(keys.userToken(a.token), `${a.userId}:0`, 'EX', 7_200)));
  return anchors;
}

export class GiftLoad {
  readonly sent: Sent[] = [];
  private stopped = false;
  private loop: Promise<void> | null = null;
  private reads: Promise<void> | null = null;
  readErrors = 0;
  readsDone = 0;

  constructor(
    private readonly gateways: number[],
    private readonly senders: readonly Viewer[],
    private readonly rate: number,
  ) {}

  start(): void {
    this.loop = this.giftLoop();
    this.reads = this.readLoop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([this.loop, this.reads]);
  }

  accepted(): string[] {
    return this.sent.filter((s) => s.requestId).map((s) => s.requestId!);
  }

  /** The accepted gifts, for the audit. */
  gifts(): AuditedGift[] {
    return this.sent
      .filter((s) => s.requestId)
      .map((s) => ({ requestId: s.requestId!, senderId: s.senderId, roomId: s.roomId, sentAt: s.sentAt }));
  }

  /** Requests since index `from` that got no answer from either gateway, or a 5xx. */
  errorsSince(from: number): number {
    return this.sent.slice(from).filter((s) => s.status === 0 || s.status >= 500).length;
  }

  failoversSince(from: number): number {
    return this.sent.slice(from).filter((s) => s.failedOver).length;
  }

  private async send(n: number): Promise<void> {
    const v = this.senders[n % this.senders.length];
    const body = JSON.stringify({ giftId: 2, roomId: v.roomId, receiverId: v.anchorId, requestId: `c-${n}` });
    const first = n % this.gateways.length;
    const sentAt = Date.now();
    let failedOver = false;
    for (let k = 0; k < this.gateways.length; k++) {
      const port = this.gateways[(first + k) % this.gateways.length];
      try {
        const a = await httpPost(port, '/gift/send', body, { authorization: `Bearer ${v.token}` });
        const b = a.body as { code?: number; data?: { requestId?: string } } | undefined;
        this.sent.push({
          requestId: b?.code === 200 ? (b.data?.requestId ?? null) : null,
          senderId: v.userId,
          roomId: v.roomId,
          sentAt,
          status: a.status,
          code: b?.code ?? null,
          at: Date.now(),
          failedOver,
        });
        return;
      } catch {
        failedOver = true;
      }
    }
    this.sent.push({
      requestId: null,
      senderId: v.userId,
      roomId: v.roomId,
      sentAt,
      status: 0,
      code: null,
      at: Date.now(),
      failedOver,
    });
  }

  private async giftLoop(): Promise<void> {
    const interval = 1_000 / this.rate;
    let next = Date.now();
    let seq = 0;
    const inflight = new Set<Promise<void>>();
    while (!this.stopped) {
      next += interval;
      const p: Promise<void> = this.send(seq++).finally(() => inflight.delete(p));
      inflight.add(p);
      const wait = next - Date.now();
      if (wait > 0) await sleep(wait);
    }
    await Promise.all(inflight);
  }

  /** Boards (gift-service RPC) and trade lists (bank-service RPC), about 8 a second, alternating gateways. */
  private async readLoop(): Promise<void> {
    let n = 0;
    while (!this.stopped) {
      const v = this.senders[(n * 7) % this.senders.length];
      const port = this.gateways[n % this.gateways.length];
      const [path, body] =
        n % 2 === 0 ? ['/gift/contributionBoard', { roomId: v.roomId }] : ['/bank/trades', { page: 1, pageSize: 10 }];
      n += 1;
      await httpPost(port, path, JSON.stringify(body), { authorization: `Bearer ${v.token}` }).then(
        (a) => {
          this.readsDone += 1;
          if (a.status >= 500) this.readErrors += 1;
        },
        () => (this.readErrors += 1),
      );
      await sleep(125);
    }
  }
}

/** Seconds from `since` until a gift sent after now is settled (the path works again end to end). */
export async function timeToRecover(load: GiftLoad, ds: DataSource, since: number, limitMs = 180_000): Promise<number> {
  for (;;) {
    const probeStart = load.sent.length;
    await sleep(500);
    const fresh = load.sent
      .slice(probeStart)
      .filter((s) => s.requestId)
      .map((s) => s.requestId!);
    if (fresh.length > 0) {
      const [{ n }] = await ds.query('SELECT COUNT(*) AS n FROM t_qiyu_currency_trade WHERE request_id IN (?)', [
        fresh,
      ]);
      if (Number(n) > 0) return (Date.now() - since) / 1_000;
    }
    if (Date.now() - since > limitMs) throw new Error(`no recovery within ${limitMs / 1_000} s`);
  }
}
