import { giftRequestFingerprint } from '@live/contracts';

/**
 * The pure heart of gift settlement: given the locked balances of the senders and the outcomes already
 * recorded for some request ids, decide every gift of a batch in order. No I/O: the caller reads the
 * state inside its transaction, calls this, and writes the plan.
 */

export interface SettlementItem {
  requestId: string;
  senderId: number;
  receiverId: number;
  roomId: number;
  giftId: number;
  price: number;
  /** Replay only: when the request id has no outcome yet, reject it with this reason (GiftSettlementItem). */
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

export interface SettlementPlan {
  results: PlannedResult[];
  trades: PlannedTrade[];
  /** Final balance of every sender whose balance changed. */
  balances: Map<number, number>;
  /** Coins spent per sender in this batch. */
  spent: Map<number, number>;
  /** Coins earned per receiver in this batch. */
  earnings: Map<number, number>;
}

export const REJECT_NO_ACCOUNT = 'no wallet: recharge first';
export const REJECT_SELF_GIFT = 'cannot send a gift to yourself';
export const CONFLICT_KEY_REUSED = 'idempotency key reused with different parameters';

function insufficientReason(balance: number, price: number): string {
  return `insufficient balance: ${balance} < ${price}`;
}

/**
 * @param items     the batch, in delivery order
 * @param balances  current (locked) balance per sender; a sender with no account is absent
 * @param recorded  outcomes already in the ledger, by request id
 * @param earnings  current (locked) earnings per receiver (absent: 0), for the credit rows' balance_after
 */
export function planSettlement(
  items: readonly SettlementItem[],
  balances: ReadonlyMap<number, number>,
  recorded: ReadonlyMap<string, RecordedOutcome>,
  earnings: ReadonlyMap<number, number> = new Map(),
): SettlementPlan {
  const live = new Map(balances);
  const liveEarnings = new Map(earnings);
  const decided = new Map<string, { result: PlannedResult; senderId: number; fingerprint: string }>();
  const plan: SettlementPlan = { results: [], trades: [], balances: new Map(), spent: new Map(), earnings: new Map() };

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
          : conflict(item, live.get(item.senderId)),
      );
      continue;
    }
    const sameBatch = decided.get(item.requestId);
    if (sameBatch) {
      const same = sameBatch.senderId === item.senderId && sameBatch.fingerprint === fingerprint;
      plan.results.push(same ? { ...sameBatch.result, replayed: true } : conflict(item, live.get(item.senderId)));
      continue;
    }
    const result = decide(item, live.get(item.senderId));
    decided.set(item.requestId, { result, senderId: item.senderId, fingerprint });
    plan.results.push(result);
    apply(plan, item, result, fingerprint, live, liveEarnings);
  }
  return plan;
}

/** A new decision into the plan: its ledger rows, and for a charged gift the coins it moves (live: running balances and earnings). */
function apply(
  plan: SettlementPlan,
  item: SettlementItem,
  result: PlannedResult,
  fingerprint: string,
  live: Map<number, number>,
  liveEarnings: Map<number, number>,
): void {
  const charged = result.status === 'charged';
  const receiverEarningsAfter = charged ? (liveEarnings.get(item.receiverId) ?? 0) + item.price : undefined;
  plan.trades.push({
    requestId: item.requestId,
    senderId: item.senderId,
    counterpartyId: item.receiverId,
    num: charged ? -item.price : 0,
    balanceAfter: result.balanceAfter,
    status: charged ? 'charged' : 'rejected',
    reason: result.reason,
    fingerprint,
    ...(receiverEarningsAfter === undefined ? {} : { receiverEarningsAfter }),
  });
  if (receiverEarningsAfter === undefined) return;
  liveEarnings.set(item.receiverId, receiverEarningsAfter);
  live.set(item.senderId, result.balanceAfter);
  plan.balances.set(item.senderId, result.balanceAfter);
  plan.spent.set(item.senderId, (plan.spent.get(item.senderId) ?? 0) + item.price);
  plan.earnings.set(item.receiverId, (plan.earnings.get(item.receiverId) ?? 0) + item.price);
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

function decide(item: SettlementItem, balance: number | undefined): PlannedResult {
  const base = { requestId: item.requestId, replayed: false };
  if (item.refuseUnlessSettled !== undefined)
    return { ...base, status: 'rejected', reason: item.refuseUnlessSettled, balanceAfter: balance ?? 0 };
  if (balance === undefined) return { ...base, status: 'rejected', reason: REJECT_NO_ACCOUNT, balanceAfter: 0 };
  if (item.senderId === item.receiverId)
    return { ...base, status: 'rejected', reason: REJECT_SELF_GIFT, balanceAfter: balance };
  if (balance < item.price)
    return { ...base, status: 'rejected', reason: insufficientReason(balance, item.price), balanceAfter: balance };
  return { ...base, status: 'charged', balanceAfter: balance - item.price };
}
