import { BankErrorCode, BizException, ErrorAssert, RefusalLog } from '@live/common';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AccountStatus } from '../account/entities/currency-account.entity';
import { TradeDirection, TradeStatus, TradeType } from '../account/entities/currency-trade.entity';
import { BalanceCacheService, CachedBalance, cachedBalanceOf } from '../account/balance-cache.service';
import { CurrencyAccountRepository } from '../account/currency-account.repository';
import { CurrencyTradeRepository, NewTrade, TradeRecord } from '../account/currency-trade.repository';
import { withTransactionRetry } from '../account/transaction-retry';
import { BankServiceEnv } from '../config/bank-service.env';
import {
  PlannedResult,
  planSettlement,
  RecordedOutcome,
  SenderSafeguardState,
  SettlementItem,
  SettlementPlan,
} from './settlement-planner';

const MAX_SETTLEMENT_BATCH = 1000;

/**
 * Settles gifts: ONE database transaction per batch. Missing receiver wallets are opened first, outside
 * it (autocommit, id order). Then it locks every account the batch touches (senders and receivers, in one
 * SELECT ... FOR UPDATE in id order, before any write: no deadlock between batches), reads the ledger for request ids already
 * settled, applies the gifts in order (planSettlement), writes balances, earnings and the ledger rows of
 * each new request id with the fingerprint of what it was for: the sender's debit and, when charged, the
 * receiver's credit to earnings (UNIQUE (request_id, direction): one of each at most), in multi-row
 * INSERTs; commits, then refreshes the Redis balance cache. The spending safeguards are decided on the
 * same locked rows (no query per gift): a frozen sender's gifts and a gift past BANK_DAILY_SPEND_CAP for
 * the sender's UTC day (the database's clock) are refused like an unaffordable one; each charged sender's
 * spent_today / spent_day is written in the balance UPDATE. A request id already in the ledger for
 * something else (another gift, price, room, receiver, sender, or not a gift) is answered `conflict` and
 * changes nothing.
 */
@Injectable()
export class GiftSettlementService {
  private readonly logger = new Logger(GiftSettlementService.name);
  /** Reused request ids (a client can send 100 a second of them): 20 lines per 10 s, then a count. */
  private readonly conflictLines = new RefusalLog(this.logger, 20, 10_000, 'settlements refused as reused request ids');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: CurrencyAccountRepository,
    private readonly trades: CurrencyTradeRepository,
    private readonly balanceCache: BalanceCacheService,
    private readonly env: BankServiceEnv,
  ) {}

  async settleBatch(items: readonly SettlementItem[]): Promise<PlannedResult[]> {
    ErrorAssert.isTrue(items.length > 0, BankErrorCode.BATCH_TOO_LARGE, 'settlement batch is empty');
    if (items.length > MAX_SETTLEMENT_BATCH) {
      throw new BizException(
        BankErrorCode.BATCH_TOO_LARGE,
        `settlement batch of ${items.length} > ${MAX_SETTLEMENT_BATCH}`,
      );
    }
    const started = Date.now();
    // A receiver may have no wallet yet: open it before the transaction, so its earnings have somewhere to
    // land and the transaction's only account locks are the ordered ones (see settleInTransaction).
    await this.accounts.openMissing(items.map((i) => i.receiverId));
    const { plan, senders } = await withTransactionRetry(this.dataSource, 'gift settlement', (em) =>
      this.settleInTransaction(em, items),
    );
    // Every sender's wallet as this transaction left it, not only the ones it changed: a batch that
    // committed but whose answer was lost (connection cut during COMMIT) comes back as replays, and
    // this is the refresh it missed.
    await this.balanceCache.refreshMany(senders);
    const charged = plan.results.filter((r) => r.status === 'charged' && !r.replayed).length;
    const replayed = plan.results.filter((r) => r.replayed).length;
    const conflicts = plan.results.filter((r) => r.status === 'conflict');
    for (const c of conflicts)
      this.conflictLines.refused(
        `request id ${c.requestId}: ${c.reason} (settled before for something else): nothing moved`,
      );
    this.logger.debug(
      `settled ${items.length} gifts: ${charged} charged, ${plan.trades.length - charged} rejected, ${replayed} replayed, ${conflicts.length} conflicts in ${Date.now() - started} ms`,
    );
    return plan.results;
  }

  private async settleInTransaction(
    em: EntityManager,
    items: readonly SettlementItem[],
  ): Promise<{ plan: SettlementPlan; senders: CachedBalance[] }> {
    // One global lock order: every account of the run, senders and receivers, in one SELECT ... FOR UPDATE
    // in user id order, before any write. Two runs never wait on each other in a cycle, whoever gifts whom.
    // The same statement names today's UTC date by the database's clock: the day spending counts on.
    const { accounts: locked, today } = await this.accounts.lockWithToday(em, [
      ...new Set(items.flatMap((i) => [i.senderId, i.receiverId])),
    ]);
    const senderIds = new Set(items.map((i) => i.senderId));
    const lockedSenders = locked.filter((a) => senderIds.has(a.userId));
    const balances = new Map(lockedSenders.map((a): [number, number] => [a.userId, a.currentBalance]));
    const earnings = new Map(locked.map((a): [number, number] => [a.userId, a.earnings]));
    const safeguards = new Map(
      lockedSenders.map((a): [number, SenderSafeguardState] => [
        a.userId,
        { frozen: a.status === AccountStatus.FROZEN, spentDay: a.spentDay, spentToday: a.spentToday },
      ]),
    );

    const plan = planSettlement(items, balances, await this.recordedOutcomes(em, items), earnings, {
      dailySpendCap: this.env.BANK_DAILY_SPEND_CAP,
      today,
      senders: safeguards,
    });
    if (plan.balances.size > 0)
      await this.accounts.applySpending(em, plan.balances, plan.spent, plan.spentToday, today);
    // Receivers' wallets were opened before the transaction: one missing now would take the sender's coins
    // and credit nobody (an UPDATE of no row). Never: the whole run rolls back instead.
    const lockedIds = new Set(locked.map((a) => a.userId));
    const unlocked = [...plan.earnings.keys()].filter((id) => !lockedIds.has(id));
    if (unlocked.length > 0) throw new Error(`receivers without a locked wallet: ${unlocked.join(', ')}`);
    // The run's clock, read under its locks: the create_time of its rows and the hour its credits are added to.
    const now = plan.trades.length > 0 ? await this.accounts.clock(em) : undefined;
    if (now !== undefined && plan.earnings.size > 0)
      await this.accounts.addEarnings(em, plan.earnings, `${now.slice(0, 13)}:00:00`);
    await this.trades.insert(em, ledgerRows(plan, now));
    const senders = lockedSenders.map((a) => {
      const balance = plan.balances.get(a.userId);
      if (balance === undefined) return cachedBalanceOf(a);
      const spentToday = plan.spentToday.get(a.userId) ?? a.spentToday;
      return cachedBalanceOf({ ...a, version: a.version + 1, spentDay: today, spentToday }, balance);
    });
    return { plan, senders };
  }

  /**
   * Outcomes already in the ledger. READ COMMITTED + the sender locks held: a concurrent batch with the same
   * id has committed. A gift's outcome is its debit row (the credit row repeats it); a request id with any
   * row that is not a gift's, or with a gift credit and no debit, is not this gift's: `isGift: false`.
   */
  private async recordedOutcomes(
    em: EntityManager,
    items: readonly SettlementItem[],
  ): Promise<Map<string, RecordedOutcome>> {
    const ids = [...new Set(items.map((i) => i.requestId))];
    const byId = new Map<string, TradeRecord[]>();
    for (const r of await this.trades.findByRequestIds(em, ids))
      byId.set(r.requestId, [...(byId.get(r.requestId) ?? []), r]);
    const outcomes = new Map<string, RecordedOutcome>();
    for (const [requestId, rows] of byId) {
      const debit = rows.find((r) => r.type === TradeType.GIFT && r.direction === TradeDirection.DEBIT);
      const foreign = rows.some((r) => r.type !== TradeType.GIFT);
      const r = debit && !foreign ? debit : rows[0];
      const what = {
        isGift: r === debit && !foreign,
        senderId: r.userId,
        fingerprint: r.fingerprint,
        settledAt: r.settledAt,
      };
      outcomes.set(
        requestId,
        r.status === TradeStatus.SUCCESS
          ? { status: 'charged' as const, balanceAfter: r.balanceAfter, ...what }
          : { status: 'rejected' as const, balanceAfter: r.balanceAfter, reason: r.remark ?? 'rejected', ...what },
      );
    }
    return outcomes;
  }
}

/**
 * The plan's ledger rows: every gift's debit from the sender, then every charged gift's credit to its receiver's
 * earnings; all written at `createTime` (the run's clock: the hour its credits were added to).
 */
function ledgerRows(plan: SettlementPlan, createTime: string | undefined): NewTrade[] {
  const debits = plan.trades.map((t): NewTrade => ({
    requestId: t.requestId,
    userId: t.senderId,
    direction: TradeDirection.DEBIT,
    counterpartyId: t.counterpartyId,
    num: t.num,
    balanceAfter: t.balanceAfter,
    type: TradeType.GIFT,
    status: t.status === 'charged' ? TradeStatus.SUCCESS : TradeStatus.REJECTED,
    remark: t.reason ?? null,
    fingerprint: t.fingerprint,
    createTime,
  }));
  const credits = plan.trades.flatMap((t): NewTrade[] => {
    if (t.status !== 'charged') return [];
    // A charge without its credit would take coins and credit nobody: the whole run rolls back instead.
    if (t.receiverEarningsAfter === undefined) throw new Error(`charged gift ${t.requestId} without its credit`);
    return [
      {
        requestId: t.requestId,
        userId: t.counterpartyId,
        direction: TradeDirection.CREDIT,
        counterpartyId: t.senderId,
        num: -t.num,
        balanceAfter: t.receiverEarningsAfter,
        type: TradeType.GIFT,
        status: TradeStatus.SUCCESS,
        remark: null,
        fingerprint: t.fingerprint,
        createTime,
      },
    ];
  });
  return [...debits, ...credits];
}
