import { IsEntityId } from '../../../validation';
import { Page, PageRequest } from '../common';

/** BankRpc.LIST_TRADES: the user's ledger, newest first. */
export class ListTradesRequest extends PageRequest {
  @IsEntityId()
  userId!: number;
}

/** The side of the owner's account a ledger row is on. */
export type TradeDirectionName = 'debit' | 'credit';

/** One ledger row as the owner sees it: a gift shows as the sender's debit and the receiver's credit. */
export class TradeDto {
  id!: number;
  requestId!: string;
  /**
   * `debit`: coins out of the owner's wallet (or a refused gift; a withdrawal's: out of earnings); `credit`: coins
   * in (a gift's and a rejected withdrawal's: to earnings).
   */
  direction!: TradeDirectionName;
  /** Signed: positive coins in, negative coins out, 0 for a recorded rejection. */
  num!: number;
  /** The wallet's balance after the row; on a gift's credit and a withdrawal's rows, the earnings after it. */
  balanceAfter!: number;
  /** bank-service's TradeType. */
  type!: number;
  /** bank-service's TradeStatus. */
  status!: number;
  /** The other side of a gift (the receiver on a debit, the sender on a credit), null otherwise. */
  counterpartyId!: number | null;
  remark!: string | null;
  /** Epoch milliseconds (a Date does not survive JSON). */
  createTime!: number;
}

/** Answer of BankRpc.LIST_TRADES. */
export class TradePage implements Page<TradeDto> {
  list!: TradeDto[];
  hasNext!: boolean;
}
