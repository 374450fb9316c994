/**
 * A token bucket for one socket's frames of one kind (chat messages, room switches): `burst` at once, refilled
 * at `perSecond`. Two numbers on the connection, nothing else: bounded by the sockets.
 */
export class FrameBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    now = Date.now(),
  ) {
    this.tokens = burst;
    this.refilledAt = now;
  }

  /** Takes one token: false when none is left (the frame is refused). */
  take(now = Date.now()): boolean {
    return this.takeMany(1, now);
  }

  /** Takes `count` tokens (bytes, say): false when fewer are left (nothing taken). */
  takeMany(count: number, now = Date.now()): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1_000) * this.perSecond);
    this.refilledAt = now;
    if (this.tokens < count) return false;
    this.tokens -= count;
    return true;
  }
}
