import { BankRpc, BankRpcPattern, GiftRpc, GiftRpcPattern, ImRouterRpc, ImRouterRpcPattern } from '@live/contracts';

/**
 * The patterns a balanced call may send again to another instance after the first instance may have
 * received them (a timeout, a connection dropped mid-call): doing them twice has the effect of once.
 * Every other pattern is retried only when its request surely never left (no connection). The rule:
 *   - reads: balance, trades, products, gift config, panel, board, gift history, room members;
 *   - bank.account.create: an existing wallet is returned as is;
 *   - bank.gift.batch-consume: settled once per request id (a replay answers its recorded result);
 *   - bank.order.notify / dev-pay: an order is credited once (a second answers credited: false);
 *   - bank.withdrawal.*: an order is made once per (user, key) and each transition happens once (a
 *     repeat answers the order);
 *   - bank.order.refund: an order is refunded once (a second answers refunded: false);
 *   - im-router pushes: ImRouterClient gives every message a msgId, and an im-core node writes a msgId
 *     once per room and user (a second delivery reaches nobody twice).
 * Not retried after sending: bank.order.create (each call makes a new order), gift.config.insert (a new gift),
 * gift.config.update (a late first attempt could land after a newer update and undo it).
 */
export const RPC_RETRY_AFTER_SEND: ReadonlySet<string> = new Set<BankRpcPattern | GiftRpcPattern | ImRouterRpcPattern>([
  BankRpc.CREATE_ACCOUNT,
  BankRpc.GET_BALANCE,
  BankRpc.GET_EARNINGS,
  BankRpc.LIST_TRADES,
  BankRpc.BATCH_CONSUME_FOR_SEND_GIFT,
  BankRpc.LIST_PRODUCTS,
  BankRpc.PAY_NOTIFY,
  BankRpc.DEV_PAY,
  BankRpc.CREATE_WITHDRAWAL,
  BankRpc.LIST_WITHDRAWALS,
  BankRpc.APPROVE_WITHDRAWAL,
  BankRpc.REJECT_WITHDRAWAL,
  BankRpc.MARK_WITHDRAWAL_PAID,
  BankRpc.REFUND_ORDER,
  GiftRpc.GET_CONFIG,
  GiftRpc.LIST_PANEL,
  GiftRpc.CONTRIBUTION_BOARD,
  GiftRpc.HISTORY_SENT,
  GiftRpc.HISTORY_RECEIVED,
  GiftRpc.HISTORY_ROOM,
  // PK calls are idempotent: the same challenger gets its seat's pkId again, an ended PK ends once.
  GiftRpc.PK_ONLINE,
  GiftRpc.PK_OFFLINE,
  GiftRpc.PK_STATE,
  GiftRpc.PK_SESSION_ENDED,
  ImRouterRpc.SEND_MSG,
  ImRouterRpc.SEND_TO_ROOMS,
  ImRouterRpc.ROOM_MEMBERS,
]);
