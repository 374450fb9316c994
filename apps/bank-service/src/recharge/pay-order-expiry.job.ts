import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { BankServiceEnv } from '../config/bank-service.env';
import { PayOrderRepository } from './pay-order.repository';

/** Statements per round at most: a backlog larger than this many batches is worked off over the next rounds. */
export const MAX_BATCHES_PER_ROUND = 20;

/**
 * Expires, in batches, what `expireBatch` finds (each call: up to `batch` rows, answering how many it changed):
 * again while a batch comes back full, at most MAX_BATCHES_PER_ROUND times. The total expired.
 */
export async function expireInBatches(expireBatch: () => Promise<number>, batch: number): Promise<number> {
  let total = 0;
  for (let i = 0; i < MAX_BATCHES_PER_ROUND; i += 1) {
    const n = await expireBatch();
    total += n;
    if (n < batch) break;
  }
  return total;
}

/**
 * The recharge orders' expiry job: every BANK_ORDER_EXPIRY_INTERVAL_MS, the orders still unpaid
 * BANK_ORDER_TTL_MINUTES after they were made become EXPIRED (PayOrderRepository.expireOverdue: a
 * conditional UPDATE ... LIMIT, so every bank-service instance may run it at once). Rounds never overlap
 * in one process; a failed round (the database away) is logged and the next one tries again.
 */
@Injectable()
export class PayOrderExpiryJob implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PayOrderExpiryJob.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly orders: PayOrderRepository,
    private readonly env: BankServiceEnv,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.runOnce().catch(() => undefined), this.env.BANK_ORDER_EXPIRY_INTERVAL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One round (also what a test or an operator tool calls); a round already running is joined, not doubled. */
  runOnce(): Promise<number> {
    this.running ??= this.round().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async round(): Promise<number> {
    const { BANK_ORDER_TTL_MINUTES: ttl, BANK_ORDER_EXPIRY_BATCH: batch } = this.env;
    try {
      const expired = await expireInBatches(() => this.orders.expireOverdue(ttl, batch), batch);
      if (expired > 0) this.logger.log(`expired ${expired} recharge order(s) unpaid for ${ttl} minutes`);
      return expired;
    } catch (err: unknown) {
      this.logger.warn(`order expiry round failed, the next one tries again: ${String(err)}`);
      throw err;
    }
  }
}
