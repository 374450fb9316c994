import { BankErrorCode, BizException } from '@live/common';
import {
  BalanceResponse,
  CachedAccount,
  giftAmount,
  GiftConfigDto,
  spentOnDay,
  wouldExceedDailySpendCap,
} from '@live/contracts';

/** Why the wallet refuses a send now (the metric's reason and the answer), or undefined when it may pay. */
export interface WalletRefusal {
  reason: 'frozen' | 'balance' | 'spend-cap';
  error: BizException;
}

/**
 * The gateway's cheap pre-check of a send of `count` x `gift` on the sender's cached wallet (today: the UTC
 * day): a frozen wallet, an obviously unaffordable send, one past the daily spend cap. Not a guarantee: the
 * settlement on the locked wallet is.
 */
export function walletRefusal(
  account: CachedAccount,
  gift: GiftConfigDto,
  count: number,
  today: string,
): WalletRefusal | undefined {
  if (account.frozen) return { reason: 'frozen', error: new BizException(BankErrorCode.ACCOUNT_FROZEN) };
  // One send costs price x count (the catalogue's prices are at most 10^9, the count 999: a safe integer).
  const amount = giftAmount(gift.price, count);
  if (account.balance < amount) {
    const msg =
      count === 1
        ? `balance ${account.balance} is less than the price ${gift.price}`
        : `balance ${account.balance} is less than ${count} x ${gift.price} = ${amount}`;
    return { reason: 'balance', error: new BizException(BankErrorCode.INSUFFICIENT_BALANCE, msg) };
  }
  if (wouldExceedDailySpendCap(account, today, amount)) {
    const spent = spentOnDay(today, account.spentDay, account.spentToday);
    return {
      reason: 'spend-cap',
      error: new BizException(
        BankErrorCode.DAILY_SPEND_CAP_EXCEEDED,
        `daily spend cap reached: ${spent} + ${amount} > ${account.dailySpendCap} coins today (UTC)`,
      ),
    };
  }
  return undefined;
}

/** bank-service's balance answer as a cached wallet (spending counted for today; an older bank-service: none). */
export function accountOf(answer: BalanceResponse, today: string): CachedAccount {
  return {
    balance: answer.balance,
    frozen: answer.frozen ?? false,
    spentDay: today,
    spentToday: answer.spentToday ?? 0,
    dailySpendCap: answer.dailySpendCap ?? 0,
  };
}
