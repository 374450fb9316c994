import { amountOfSend, giftRequestFingerprint, refusalForSender, spentOnDay } from '@live/contracts';

/**
 * The pure heart of gift settlement: given the locked balances of the senders and the outcomes already
 * recorded for some request ids, decide every gift of a batch in order. No I/O: the caller reads the
 * state inside its transaction, calls this, and writes the plan. The spending safeguards (a frozen
 * wallet, the daily spend cap) are decided here too, from the same locked rows: no query per gift.
 */

export interface SettlementItem {
  requestId: string;
  senderId: number;
  receiverId: number;
  roomId: number;
  giftId: number;
  /** The price of one. */
  price: number;
  /** How many of the gift (1..GIFT_COUNT_MAX; absent: 1): ONE trade of price x count. */
  count?: number;
  /** The PK a gift was sent in (issue 21; signed): part of its fingerprint. */
  pkId?: string;
  /** Replay only: with no outcome yet, rejected with this reason if one of GIFT_REFUSALS (refusalForSender). */
  refuseUnlessSettled?: string;
}

/** An outcome already in the ledger (from an earlier delivery of the same request id). */
export interface RecordedOutcome {
  status: 'charged' | 'rejected';
  balanceAfter: number;
  reason?: string;
  /** What the ledger row is: the same request id on another kind of trade is never a gift's replay. */
  isGift: boolean;
  /** The sender the row was written for. */
  senderId: number;
  /** giftRequestFingerprint of the first use; null on rows older than fingerprints (then trusted as before). */
  fingerprint: string | null;
  /** When the row was written (ms since the epoch). */
  settledAt: number;
}

export interface PlannedResult {
  requestId: string;
  /**
   * `conflict`: the request id was settled before FOR SOMETHING ELSE (another gift, price, room, receiver
   * or sender, or another kind of trade): nothing moves, nothing is written, and the caller must not treat
   * it as the gift it names (no record, no board, no push as charged).
   */
  status: 'charged' | 'rejected' | 'conflict';
  reason?: string;
  balanceAfter: number;
  /** True when the request id was already settled: the first answer is returned, nothing is written. */
  replayed: boolean;
  /** With a replay of an earlier batch: when that first answer was written (ms since the epoch). */
  settledAt?: number;
}

/**
 * One gift to write to the ledger: the sender's debit row (charged gifts move coins, rejected ones record
 * the decision with num 0) and, for a charged gift only, the receiver's credit row to earnings.
 */
interface PlannedTrade {
  requestId: string;
  senderId: number;
  counterpartyId: number;
  num: number;
  balanceAfter: number;
  status: 'charged' | 'rejected';
  reason?: string;
  fingerprint: string;
  /** Charged gifts: the receiver's earnings after this credit (the credit row's balance_after). */
  receiverEarningsAfter?: number;
}

/** A sender's locked wallet as the safeguards see it. */
export interface SenderSafeguardState {
  frozen: boolean;
  /** The UTC day ('YYYY-MM-DD') `spentToday` counts; null: never spent. */
  spentDay: string | null;
  spentToday: number;
}

/**
 * The spending safeguards of one settlement: the cap (coins per sender per UTC day, 0: none), the UTC day
 * it is now ('YYYY-MM-DD', the caller's clock) and each sender's locked state (absent: active, nothing spent).
 */
export interface SpendSafeguards {
  dailySpendCap: number;
  today: string;
  senders: ReadonlyMap<number, SenderSafeguardState>;
}

const NO_SAFEGUARDS: SpendSafeguards = { dailySpendCap: 0, today: '', senders: new Map() };

export interface SettlementPlan {
  results: PlannedResult[];
  trades: PlannedTrade[];
  /** Final balance of every sender whose balance changed. */
  balances: Map<number, number>;
  /** Coins spent per sender in this batch. */
  spent: Map<number, number>;
  /** Every charged sender's coins spent on `today` after this batch (the new spent_today, spent_day = today). */
  spentToday: Map<number, number>;
  /** Coins earned per receiver in this batch. */
  earnings: Map<number, number>;
}

export const REJECT_NO_ACCOUNT = 'no wallet: recharge first';
export const REJECT_SELF_GIFT = 'cannot send a gift to yourself';
export const CONFLICT_KEY_REUSED = 'idempotency key reused with different parameters';
export const REJECT_FROZEN = 'account is frozen';
export const REJECT_BAD_AMOUNT = 'not a valid amount: price x count';

/** The gift's amount: price x count. */
function insufficientReason(balance: number, amount: number): string {
  return `insufficient balance: ${balance} < ${amount}`;
}

function spendCapReason(spent: number, amount: number, cap: number): string {
  return `daily spend cap reached: ${spent} + ${amount} > ${cap} coins today (UTC)`;
}

/** What the sender spent on `today` before this batch (an earlier day counted: nothing; see spentOnDay). */
function spentOn(today: string, state: SenderSafeguardState | undefined): number {
  return state === undefined ? 0 : spentOnDay(today, state.spentDay, state.spentToday);
}

/**
 * @param items     the batch, in delivery order
 * @param balances  current (locked) balance per sender; a sender with no account is absent
 * @param recorded  outcomes already in the ledger, by request id
 * @param earnings  current (locked) earnings per receiver (absent: 0), for the credit rows' balance_after
 * @param safeguards the daily spend cap, today and each sender's frozen flag and spending (locked rows)
 */
export function planSettlement(
  items: readonly SettlementItem[],
  balances: ReadonlyMap<number, number>,
  recorded: ReadonlyMap<string, RecordedOutcome>,
  earnings: ReadonlyMap<number, number> = new Map(),
  safeguards: SpendSafeguards = NO_SAFEGUARDS,
): SettlementPlan {
  const live: Live = {
    balances: new Map(balances),
    earnings: new Map(earnings),
    spentToday: new Map(),
    safeguards,
  };
  const decided = new Map<string, { result: PlannedResult; senderId: number; fingerprint: string }>();
  const plan: SettlementPlan = {
    results: [],
    trades: [],
    balances: new Map(),
    spent: new Map(),
    spentToday: new Map(),
    earnings: new Map(),
  };

  for (const item of items) {
    const fingerprint = giftRequestFingerprint(item);
    const prior = recorded.get(item.requestId);
    if (prior) {
      const same =
        prior.isGift &&
        prior.senderId === item.senderId &&
        (prior.fingerprint === null || prior.fingerprint === fingerprint);
      plan.results.push(
        same
          ? {
              requestId: item.requestId,
              status: prior.status,
              balanceAfter: prior.balanceAfter,
              reason: prior.reason,
              replayed: true,
              settledAt: prior.settledAt,
            }
          : conflict(item, live.balances.get(item.senderId)),
      );
      continue;
    }
    const sameBatch = decided.get(item.requestId);
    if (sameBatch) {
      const same = sameBatch.senderId === item.senderId && sameBatch.fingerprint === fingerprint;
      plan.results.push(
        same ? { ...sameBatch.result, replayed: true } : conflict(item, live.balances.get(item.senderId)),
      );
      continue;
    }
    const result = decide(item, live);
    decided.set(item.requestId, { result, senderId: item.senderId, fingerprint });
    plan.results.push(result);
    apply(plan, item, result, fingerprint, live);
  }
  return plan;
}

/** The running state of a batch: balances, earnings and today's spending as the gifts decided so far left them. */
interface Live {
  balances: Map<number, number>;
  earnings: Map<number, number>;
  /** Senders charged in this batch: their spending today so far (others: spentOn their locked row). */
  spentToday: Map<number, number>;
  safeguards: SpendSafeguards;
}

function spentTodayOf(live: Live, senderId: number): number {
  return live.spentToday.get(senderId) ?? spentOn(live.safeguards.today, live.safeguards.senders.get(senderId));
}

/** A new decision into the plan: its ledger rows, and for a charged gift the coins it moves (live: the running state). */
function apply(
  plan: SettlementPlan,
  item: SettlementItem,
  result: PlannedResult,
  fingerprint: string,
  live: Live,
): void {
  const charged = result.status === 'charged';
  // Charged: decide() computed the amount, so it is a safe integer here.
  const amount = charged ? amountOfSend(item) : 0;
  const receiverEarningsAfter = charged ? (live.earnings.get(item.receiverId) ?? 0) + amount : undefined;
  plan.trades.push({
    requestId: item.requestId,
    senderId: item.senderId,
    counterpartyId: item.receiverId,
    num: charged ? -amount : 0,
    balanceAfter: result.balanceAfter,
    status: charged ? 'charged' : 'rejected',
    reason: result.reason,
    fingerprint,
    ...(receiverEarningsAfter === undefined ? {} : { receiverEarningsAfter }),
  });
  if (receiverEarningsAfter === undefined) return;
  live.earnings.set(item.receiverId, receiverEarningsAfter);
  live.balances.set(item.senderId, result.balanceAfter);
  const spentToday = spentTodayOf(live, item.senderId) + amount;
  live.spentToday.set(item.senderId, spentToday);
  plan.spentToday.set(item.senderId, spentToday);
  plan.balances.set(item.senderId, result.balanceAfter);
  plan.spent.set(item.senderId, (plan.spent.get(item.senderId) ?? 0) + amount);
  plan.earnings.set(item.receiverId, (plan.earnings.get(item.receiverId) ?? 0) + amount);
}

/** A reused request id: nothing planned; the answer names the reuse (balanceAfter: the sender's balance now, 0 without a wallet). */
function conflict(item: SettlementItem, balance: number | undefined): PlannedResult {
  return {
    requestId: item.requestId,
    status: 'conflict',
    reason: CONFLICT_KEY_REUSED,
    balanceAfter: balance ?? 0,
    replayed: false,
  };
}

function decide(item: SettlementItem, live: Live): PlannedResult {
  const balance = live.balances.get(item.senderId);
  const base = { requestId: item.requestId, replayed: false };
  const reject = (reason: string): PlannedResult => ({
    ...base,
    status: 'rejected',
    reason,
    balanceAfter: balance ?? 0,
  });
  // Only the words of GIFT_REFUSALS reach the sender: another text from an internal caller is not shown.
  if (item.refuseUnlessSettled !== undefined) return reject(refusalForSender(item.refuseUnlessSettled));
  if (balance === undefined) return reject(REJECT_NO_ACCOUNT);
  if (live.safeguards.senders.get(item.senderId)?.frozen) return reject(REJECT_FROZEN);
  if (item.senderId === item.receiverId) return reject(REJECT_SELF_GIFT);
  const amount = amountOf(item);
  if (amount === null) return reject(REJECT_BAD_AMOUNT);
  if (balance < amount) return reject(insufficientReason(balance, amount));
  const cap = live.safeguards.dailySpendCap;
  const spent = spentTodayOf(live, item.senderId);
  if (cap > 0 && spent + amount > cap) return reject(spendCapReason(spent, amount, cap));
  return { ...base, status: 'charged', balanceAfter: balance - amount };
}

/** The coins the gift moves, price x count, or null when that is no safe whole amount (never charged, never rounded). */
function amountOf(item: SettlementItem): number | null {
  try {
    return amountOfSend(item);
  } catch {
    return null;
  }
}
