import { IsEntityId } from '../../../validation';
import { Page, PageRequest } from '../common';

/** BankRpc.LIST_TRADES: the user's ledger, newest first. */
export class ListTradesRequest extends PageRequest {
  @IsEntityId()
  userId!: number;
}

/** One ledger row as the owner sees it. */
export class TradeDto {
  id!: number;
  requestId!: string;
  /** Signed: positive coins in, negative coins out, 0 for a recorded rejection. */
  num!: number;
  balanceAfter!: number;
  /** bank-service's TradeType. */
  type!: number;
  /** bank-service's TradeStatus. */
  status!: number;
  /** The other side of a gift (the receiver), null otherwise. */
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
