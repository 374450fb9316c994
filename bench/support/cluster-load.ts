/**
 * The steady load of the cluster chaos run: gifts at a fixed rate from senders spread over both
 * gateways (a sender whose gateway does not answer tries the other one with the same request id, as a
 * load balancer would), anchors among the senders (each gifts the next anchor's room), and a trickle of
 * reads that reach gift-service and bank-service over RPC (contribution boards, trade lists).
 */
import { DataSource } from 'typeorm';
import { benchGiftCount, httpPost, sleep, Viewer } from './bench-kit';
import type { AuditedGift } from './gift-audit';

/** How long a client keeps sending a gift again while it gets a 5xx or no answer. */
const RETRY_FOR_MS = 20_000;
const BURST = 4;
/** The gateway's answer to a gift its sender cannot afford (AppErrorCodes.INSUFFICIENT_BALANCE). */
const INSUFFICIENT_BALANCE = 12_001;

export interface Sent {
  requestId: string | null;
  senderId: number;
  roomId: number;
  /** Epoch ms when the request left. */
  sentAt: number;
  status: number;
  code: number | null;
  at: number;
  /** Attempts answered with a 5xx or not at all (each was sent again). */
  errors: number;
}

export class GiftLoad {
  readonly sent: Sent[] = [];
  private stopped = false;
  private loop: Promise<void> | null = null;
  private reads: Promise<void> | null = null;
  /** Senders the gateway told they cannot afford the gift: they stop sending, as a user would. */
  private readonly broke = new Set<number>();
  readErrors = 0;
  readsDone = 0;

  constructor(
    private readonly gateways: number[],
    private readonly senders: readonly Viewer[],
    private readonly rate: number,
    /** Senders whose turn sends BURST gifts at once (a few poor ones: some of a burst pass the gateway's check on the cached balance and are refused at settlement, 5557). */
    private readonly bursty: ReadonlySet<number> = new Set(),
    /** The receiver of a send (default the sender's anchor): a PK room's chooser picks the anchor or the challenger. */
    private readonly receiverOf: (sender: Viewer) => number = (v) => v.anchorId,
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

  /** Requests since index `from` that saw a 5xx or no answer at least once (and were sent again). */
  errorsSince(from: number): number {
    return this.sent.slice(from).filter((s) => s.errors > 0).length;
  }

  /** Requests since index `from` still without an answer (or with a 5xx) after every retry. */
  unansweredSince(from: number): number {
    return this.sent.slice(from).filter((s) => s.status === 0 || s.status >= 500).length;
  }

  /**
   * One gift, as a careful client sends it: a 5xx or no answer means "maybe" (the gift may be in Kafka
   * already), so it is sent again with the same request id (charged at most once), on the other gateway,
   * every half second for up to RETRY_FOR_MS.
   */
  private async send(n: number, v: Viewer): Promise<void> {
    const body = JSON.stringify({
      giftId: 2,
      roomId: v.roomId,
      receiverId: this.receiverOf(v),
      ...benchGiftCount(n),
      requestId: `c-${n}`,
    });
    const sentAt = Date.now();
    let errors = 0;
    let last = { status: 0, code: null as number | null, requestId: null as string | null };
    for (let k = 0; ; k++) {
      const port = this.gateways[(n + k) % this.gateways.length];
      try {
        const a = await httpPost(port, '/gift/send', body, { authorization: `Bearer ${v.token}` });
        const b = a.body as { code?: number; data?: { requestId?: string } } | undefined;
        last = {
          status: a.status,
          code: b?.code ?? null,
          requestId: b?.code === 200 ? (b.data?.requestId ?? null) : null,
        };
      } catch {
        last = { status: 0, code: null, requestId: null };
      }
      if (last.status !== 0 && last.status < 500) break;
      errors += 1;
      if (Date.now() - sentAt > RETRY_FOR_MS) break;
      await sleep(500);
    }
    if (last.code === INSUFFICIENT_BALANCE) this.broke.add(v.userId);
    this.sent.push({ ...last, senderId: v.userId, roomId: v.roomId, sentAt, at: Date.now(), errors });
  }

  private async giftLoop(): Promise<void> {
    const interval = 1_000 / this.rate;
    let next = Date.now();
    let seq = 0;
    let turn = 0;
    const inflight = new Set<Promise<void>>();
    while (!this.stopped) {
      const v = this.senders[turn++ % this.senders.length];
      if (this.broke.has(v.userId) && this.broke.size < this.senders.length) continue;
      next += interval;
      for (let k = this.bursty.has(v.userId) ? BURST : 1; k > 0; k--) {
        const p: Promise<void> = this.send(seq++, v).finally(() => inflight.delete(p));
        inflight.add(p);
      }
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
