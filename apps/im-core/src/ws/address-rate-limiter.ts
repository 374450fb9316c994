interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per remote address (new WebSocket connections): `burst` at once, refilled at `perSecond`.
 * The table is bounded: an address whose bucket is full again holds nothing worth keeping and is dropped
 * (sweep, run by the owner's timer), and past `maxAddresses` the least recently seen address goes first.
 */
export class AddressRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly maxAddresses = 100_000,
  ) {}

  /** Takes one token for `address`; false when it has none left. */
  take(address: string, now = Date.now()): boolean {
    const bucket = this.buckets.get(address);
    const tokens = bucket ? this.refilled(bucket, now) : this.burst;
    // Re-inserted on every visit: the Map's order is least recently seen first.
    this.buckets.delete(address);
    if (this.buckets.size >= this.maxAddresses) this.buckets.delete(this.buckets.keys().next().value as string);
    this.buckets.set(address, { tokens: tokens >= 1 ? tokens - 1 : tokens, at: now });
    return tokens >= 1;
  }

  /** Drops every bucket that is full again (it would start full anyway). */
  sweep(now = Date.now()): void {
    for (const [address, bucket] of this.buckets)
      if (this.refilled(bucket, now) >= this.burst) this.buckets.delete(address);
  }

  get size(): number {
    return this.buckets.size;
  }

  private refilled(bucket: Bucket, now: number): number {
    return Math.min(this.burst, bucket.tokens + ((now - bucket.at) * this.perSecond) / 1000);
  }
}

/** Connections refused by the limiter, logged at most once a second (a flood must not flood the log too), with the address and the count. */
export class RefusedConnects {
  private count = 0;
  private loggedAt = 0;

  constructor(private readonly logger: { warn(message: string): void }) {}

  note(address: string, now = Date.now()): void {
    this.count += 1;
    if (now - this.loggedAt < 1_000) return;
    this.loggedAt = now;
    this.logger.warn(
      `refused a WebSocket from ${address}: too many connections from this address (${this.count} refused in all)`,
    );
  }
}
