import { Logger } from '@nestjs/common';

/**
 * Logs refusals of what anyone may send (RPC frames with the peer's address, unsigned payment callbacks): at
 * most `limit` lines per `periodMs`, then one line counting what was left out (`kind` names them), so a flood
 * of them cannot flood the log. The count is printed when its period ends (a timer that does not hold the
 * process open), whether or not another refusal follows.
 */
export class RefusalLog {
  private windowStart = 0;
  private logged = 0;
  private suppressed = 0;
  private countTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly limit = 20,
    private readonly periodMs = 10_000,
    private readonly kind = 'refused RPC frames',
  ) {}

  refused(what: string, now = Date.now()): void {
    if (now - this.windowStart >= this.periodMs) {
      this.printCount();
      this.windowStart = now;
      this.logged = 0;
    }
    if (this.logged < this.limit) {
      this.logged += 1;
      this.logger.warn(what);
      return;
    }
    this.suppressed += 1;
    if (this.countTimer === undefined) {
      // At most a period away, whatever the wall clock did since the period began.
      const delay = Math.min(this.periodMs, Math.max(0, this.windowStart + this.periodMs - now));
      this.countTimer = setTimeout(() => this.printCount(), delay);
      this.countTimer.unref();
    }
  }

  /** The line counting the refusals left out of the period (none: nothing). */
  private printCount(): void {
    clearTimeout(this.countTimer);
    this.countTimer = undefined;
    if (this.suppressed === 0) return;
    this.logger.warn(
      `${this.suppressed} more ${this.kind} in the last ${this.periodMs / 1000} s (not logged one by one)`,
    );
    this.suppressed = 0;
  }
}
