import { BankErrorCode, BizException, ErrorAssert } from '@live/common';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { TradeStatus, TradeType } from '../account/entities/currency-trade.entity';
import { BalanceCacheService } from '../account/balance-cache.service';
import { withTransactionRetry } from '../account/transaction-retry';
import { PlannedResult, planSettlement, RecordedOutcome, SettlementItem, SettlementPlan } from './settlement-planner';

export const MAX_SETTLEMENT_BATCH = 1000;
const INSERT_CHUNK = 500;

interface LockedAccount {
  user_id: string | number;
  current_balance: string | number;
  version: string | number;
}

interface TradeRow {
  request_id: string;
  user_id: string | number;
  type: number;
  status: number;
  balance_after: string | number;
  remark: string | null;
  fingerprint: string | null;
}

/**
 * Settles gifts: ONE database transaction per batch. Locks every account the batch touches (senders
 * and receivers, in id order: no deadlock between batches), reads the ledger for request ids already
 * settled, applies the gifts in order (planSettlement), writes balances, earnings and one ledger row
 * per new request id (UNIQUE request_id) with the fingerprint of what it was for, commits, then
 * refreshes the Redis balance cache. A request id already in the ledger for something else (another
 * gift, price, room, receiver, sender, or not a gift) is answered `conflict` and changes nothing.
 */
@Injectable()
export class GiftSettlementService {
  private readonly logger = new Logger(GiftSettlementService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly balanceCache: BalanceCacheService,
  ) {}

  async settleBatch(items: readonly SettlementItem[]): Promise<PlannedResult[]> {
    ErrorAssert.isTrue(items.length > 0, BankErrorCode.BATCH_TOO_LARGE, 'settlement batch is empty');
    if (items.length > MAX_SETTLEMENT_BATCH) {
      throw new BizException(BankErrorCode.BATCH_TOO_LARGE, `settlement batch of ${items.length} > ${MAX_SETTLEMENT_BATCH}`);
    }
    const started = Date.now();
    const { plan, versions, senderBalances } = await withTransactionRetry(this.dataSource, 'gift settlement', (em) => this.settleInTransaction(em, items));
    // Every sender's balance as this transaction left it, not only the ones it changed: a batch that
    // committed but whose answer was lost (connection cut during COMMIT) comes back as replays, and
    // this is the refresh it missed.
    await this.balanceCache.refreshMany(
      [...senderBalances].map(([userId, before]) => ({ userId, balance: plan.balances.get(userId) ?? before, version: versions.get(userId) ?? 0 })),
    );
    const charged = plan.results.filter((r) => r.status === 'charged' && !r.replayed).length;
    const replayed = plan.results.filter((r) => r.replayed).length;
    const conflicts = plan.results.filter((r) => r.status === 'conflict');
    for (const c of conflicts) this.logger.warn(`request id ${c.requestId}: ${c.reason} (settled before for something else): nothing moved`);
    this.logger.debug(
      `settled ${items.length} gifts: ${charged} charged, ${plan.trades.length - charged} rejected, ${replayed} replayed, ${conflicts.length} conflicts in ${Date.now() - started} ms`,
    );
    return plan.results;
  }

  private async settleInTransaction(
    em: EntityManager,
    items: readonly SettlementItem[],
  ): Promise<{ plan: SettlementPlan; versions: Map<number, number>; senderBalances: Map<number, number> }> {
    const receivers = [...new Set(items.map((i) => i.receiverId))].sort((a, b) => a - b);
    // A receiver may have no wallet yet: open one so its earnings have somewhere to land.
    await em.query(
      `INSERT INTO t_qiyu_currency_account (user_id) VALUES ${receivers.map(() => '(?)').join(',')}
       ON DUPLICATE KEY UPDATE user_id = user_id`,
      receivers,
    );
    const userIds = [...new Set([...items.map((i) => i.userId), ...receivers])].sort((a, b) => a - b);
    const locked: LockedAccount[] = await em.query(
      `SELECT user_id, current_balance, version FROM t_qiyu_currency_account
       WHERE user_id IN (${userIds.map(() => '?').join(',')}) ORDER BY user_id FOR UPDATE`,
      userIds,
    );
    const senders = new Set(items.map((i) => i.userId));
    const balances = new Map<number, number>();
    const versions = new Map<number, number>();
    for (const row of locked) {
      const userId = Number(row.user_id);
      if (senders.has(userId)) balances.set(userId, Number(row.current_balance));
      versions.set(userId, Number(row.version));
    }

    const plan = planSettlement(items, balances, await this.recordedOutcomes(em, items));
    if (plan.balances.size > 0) {
      const ids = [...plan.balances.keys()];
      await em.query(
        `UPDATE t_qiyu_currency_account
         SET current_balance = CASE user_id ${ids.map(() => 'WHEN ? THEN ?').join(' ')} END,
             total_spent = total_spent + CASE user_id ${ids.map(() => 'WHEN ? THEN ?').join(' ')} END,
             version = version + 1
         WHERE user_id IN (${ids.map(() => '?').join(',')})`,
        [...ids.flatMap((id) => [id, plan.balances.get(id)]), ...ids.flatMap((id) => [id, plan.spent.get(id)]), ...ids],
      );
      for (const id of ids) versions.set(id, (versions.get(id) ?? 0) + 1);
    }
    if (plan.earnings.size > 0) {
      const ids = [...plan.earnings.keys()];
      await em.query(
        `UPDATE t_qiyu_currency_account
         SET earnings = earnings + CASE user_id ${ids.map(() => 'WHEN ? THEN ?').join(' ')} END
         WHERE user_id IN (${ids.map(() => '?').join(',')})`,
        [...ids.flatMap((id) => [id, plan.earnings.get(id)]), ...ids],
      );
    }
    for (let i = 0; i < plan.trades.length; i += INSERT_CHUNK) {
      const chunk = plan.trades.slice(i, i + INSERT_CHUNK);
      await em.query(
        `INSERT INTO t_qiyu_currency_trade (request_id, user_id, counterparty_id, num, balance_after, type, status, remark, fingerprint)
         VALUES ${chunk.map(() => '(?,?,?,?,?,?,?,?,?)').join(',')}`,
        chunk.flatMap((t) => [
          t.requestId,
          t.userId,
          t.counterpartyId,
          t.num,
          t.balanceAfter,
          TradeType.GIFT,
          t.status === 'charged' ? TradeStatus.SUCCESS : TradeStatus.REJECTED,
          t.reason ?? null,
          t.fingerprint,
        ]),
      );
    }
    return { plan, versions, senderBalances: balances };
  }

  /** Outcomes already in the ledger. READ COMMITTED + the sender locks held: a concurrent batch with the same id has committed. */
  private async recordedOutcomes(em: EntityManager, items: readonly SettlementItem[]): Promise<Map<string, RecordedOutcome>> {
    const ids = [...new Set(items.map((i) => i.requestId))];
    const rows: TradeRow[] = await em.query(
      `SELECT request_id, user_id, type, status, balance_after, remark, fingerprint FROM t_qiyu_currency_trade
       WHERE request_id IN (${ids.map(() => '?').join(',')})`,
      ids,
    );
    return new Map(
      rows.map((r) => {
        const what = { isGift: Number(r.type) === TradeType.GIFT, userId: Number(r.user_id), fingerprint: r.fingerprint };
        return [
          r.request_id,
          r.status === TradeStatus.SUCCESS
            ? { status: 'charged' as const, balanceAfter: Number(r.balance_after), ...what }
            : { status: 'rejected' as const, balanceAfter: Number(r.balance_after), reason: r.remark ?? 'rejected', ...what },
        ];
      }),
    );
  }
}
