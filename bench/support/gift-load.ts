/**
 * A steady load of gifts for chaos and cluster chaos, as a careful client sends them: each gift has its
 * own request id; an answer that is not definite (no answer, or 5xx: "maybe", README) is sent again with
 * the same request id a second later, until a definite answer (200, or a 4xx refusal), so that every
 * charged gift was accepted. What it keeps feeds the audit (bench/support/gift-audit.ts):
 * `accepted()` gives the AuditedGift of every id answered 200, `undecided()` the ids still without a
 * definite answer, and `attempts` every attempt (client errors per fault window).
 *
 *   const load = new GiftLoad({ ports: [gatewayPort], rate: 40, pick: (n) => senders[n % senders.length],
 *                               receiverOf: (v) => pk.receiverOf(v) });
 *   load.start(); ... faults ...; await load.stop();
 */
import { AuditedGift } from './gift-audit';
import { benchGiftCount, httpPost, sleep, Viewer } from './bench-kit';

export interface GiftAttempt {
  /** 0: no answer. */
  status: number;
  code: number | null;
  at: number;
  retry: boolean;
}

interface Pending {
  sender: Viewer;
  body: string;
  sentAt: number;
}

export interface GiftLoadOptions {
  /** Gateway ports, used in turn (a retry goes to the next one). */
  ports: number[];
  /** Gifts per second. */
  rate: number;
  /** The sender of the n-th gift (it gifts in `roomId`). */
  pick: (n: number) => Viewer;
  /**
   * The receiver of a send by `sender` (default its `anchorId`): a PK room's chooser (PkLoad.receiverOf) picks
   * the anchor or the challenger. Asked once per gift: a retry sends the same body.
   */
  receiverOf?: (sender: Viewer) => number;
  /** Request ids are `<tag>-<n>` (answered as `<userId>:<tag>-<n>`); default 'c'. */
  tag?: string;
  giftId?: number;
  /** The `count` of the n-th gift (default benchGiftCount). */
  countOf?: (n: number) => { count?: number };
  /**
   * Whether the n-th gift leaves in the same tick as the next one (default never): one sender's gifts sent at once
   * all pass the gateway's cached balance, and the settlement refuses those it cannot pay (5557).
   */
  withNext?: (n: number) => boolean;
}

export class GiftLoad {
  readonly attempts: GiftAttempt[] = [];
  private readonly gifts: AuditedGift[] = [];
  private readonly pending = new Set<Pending>();
  private stopped = false;
  private givenUp = false;
  private seq = 0;
  private turn = 0;
  private loop: Promise<void> = Promise.resolve();
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly opts: GiftLoadOptions) {}

  start(): void {
    this.loop = (async () => {
      const interval = 1_000 / this.opts.rate;
      let next = Date.now();
      while (!this.stopped) {
        next += interval;
        const n = this.seq++;
        const sender = this.opts.pick(n);
        const body = JSON.stringify({
          giftId: this.opts.giftId ?? 2,
          roomId: sender.roomId,
          receiverId: this.opts.receiverOf?.(sender) ?? sender.anchorId,
          ...(this.opts.countOf ?? benchGiftCount)(n),
          requestId: `${this.opts.tag ?? 'c'}-${n}`,
        });
        this.send({ sender, body, sentAt: Date.now() }, false);
        if (this.opts.withNext?.(n)) continue;
        const wait = next - Date.now();
        if (wait > 0) await sleep(wait);
      }
    })();
  }

  /** Stops sending new gifts; waits (up to `decideMs`) until every gift has a definite answer. */
  async stop(decideMs = 60_000): Promise<void> {
    this.stopped = true;
    await this.loop;
    const deadline = Date.now() + decideMs;
    while ((this.inflight.size > 0 || this.pending.size > 0) && Date.now() < deadline) await sleep(200);
    this.givenUp = true;
  }

  /** Every gift answered 200, with the request id the gateway answered. */
  accepted(): AuditedGift[] {
    return [...this.gifts];
  }

  /** Gifts still without a definite answer. */
  undecided(): number {
    return this.pending.size;
  }

  private send(p: Pending, retry: boolean): void {
    this.pending.add(p);
    const port = this.opts.ports[this.turn++ % this.opts.ports.length];
    const job = httpPost(port, '/gift/send', p.body, { authorization: `Bearer ${p.sender.token}` })
      .then(
        (a) => {
          const b = a.body as { code?: number; data?: { requestId?: string } } | undefined;
          this.attempts.push({ status: a.status, code: b?.code ?? null, at: Date.now(), retry });
          return a.status >= 500 ? 'maybe' : b?.code === 200 ? (b.data?.requestId ?? 'maybe') : 'refused';
        },
        () => {
          this.attempts.push({ status: 0, code: null, at: Date.now(), retry });
          return 'maybe';
        },
      )
      .then((answer) => {
        if (answer === 'maybe') {
          if (!this.givenUp) setTimeout(() => !this.givenUp && this.send(p, true), 1_000);
          return;
        }
        this.pending.delete(p);
        if (answer !== 'refused')
          this.gifts.push({ requestId: answer, senderId: p.sender.userId, roomId: p.sender.roomId, sentAt: p.sentAt });
      })
      .finally(() => this.inflight.delete(job));
    this.inflight.add(job);
  }
}
