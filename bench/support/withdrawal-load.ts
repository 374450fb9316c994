/** One anchor as the load knows it: its user id and login token (in Redis, as the gateway wrote it). */
export interface WithdrawingAnchor {
  userId: number;
  token: string;
}

/**
 * A few withdrawals by anchors through the gateway while a chaos load runs: every `everyMs` one anchor (in
 * turn) asks for 1..5 coins with a fresh Idempotency-Key, and an order it gets is reviewed at once by an
 * admin: approved, rejected (the coins back to earnings) or approved and marked paid, in turn. Faults may
 * fail any call: the money audit (gift-audit's withdrawal checks) judges what reached the database, this
 * only counts. The run's BANK_WITHDRAW_MIN must be 1 and EARNINGS_HOLD_DAYS 0 for orders to be made.
 */
export class WithdrawalLoad {
  readonly counts = { made: 0, refused: 0, failed: 0, reviewed: 0 };
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private n = 0;

  constructor(
    private readonly opts: {
      baseUrl: string;
      anchors: readonly WithdrawingAnchor[];
      /** An admin's token, written again before each review (a fault may have flushed Redis). */
      adminToken: () => Promise<string>;
      everyMs: number;
    },
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      const p = this.once((this.n += 1)).finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }, this.opts.everyMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  private async once(n: number): Promise<void> {
    const anchor = this.opts.anchors[n % this.opts.anchors.length];
    try {
      const made = await this.post('/bank/withdraw', { amount: 1 + (n % 5) }, anchor.token, `chaos-w-${n}`);
      if (made.code !== 200) {
        this.counts[made.code > 0 && made.code < 100_000 ? 'refused' : 'failed'] += 1;
        return;
      }
      this.counts.made += 1;
      const { withdrawalId } = made.data as { withdrawalId: number };
      const admin = await this.opts.adminToken();
      const fate = n % 3;
      const steps = fate === 0 ? ['approve'] : fate === 1 ? ['reject'] : ['approve', 'markPaid'];
      for (const step of steps) {
        const body = step === 'reject' ? { withdrawalId, reason: 'chaos review' } : { withdrawalId };
        const res = await this.post(`/bank/admin/withdrawal/${step}`, body, admin);
        if (res.code !== 200) throw new Error(`${step}: ${res.code}`);
      }
      this.counts.reviewed += 1;
    } catch {
      this.counts.failed += 1;
    }
  }

  private async post(
    path: string,
    body: object,
    token: string,
    key?: string,
  ): Promise<{ code: number; data: unknown }> {
    const res = await fetch(`${this.opts.baseUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        ...(key === undefined ? {} : { 'idempotency-key': key }),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    return (await res.json()) as { code: number; data: unknown };
  }
}
