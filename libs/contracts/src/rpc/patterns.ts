/**
 * Every TCP RPC message pattern, grouped by the service that answers it. Callers use the service's typed
 * client (BankClient... in @live/common); handlers use `@MessagePattern({ cmd: BankRpc.GET_BALANCE })`.
 * The request and response classes of each pattern are in ./dto; ./contract maps each pattern to them.
 */

/**
 * bank-service: wallets, the ledger, gift settlement, recharge. The only writer of money. There is no
 * manual credit or debit on the network: coins arrive by a paid recharge order, leave by a settled gift.
 */
export const BankRpc = {
  /** CreateAccountRequest -> AccountResponse (idempotent: an existing wallet is returned as is). */
  CREATE_ACCOUNT: 'bank.account.create',
  /** GetBalanceRequest -> BalanceResponse. */
  GET_BALANCE: 'bank.account.balance',
  /** GetEarningsRequest -> EarningsResponse (a receiver's gift earnings: held, withdrawable, totals). */
  GET_EARNINGS: 'bank.account.earnings',
  /** ListTradesRequest -> TradePage (newest first). */
  LIST_TRADES: 'bank.trade.list',
  /** BatchConsumeForSendGiftRequest -> BatchConsumeForSendGiftResponse (one transaction per batch). */
  BATCH_CONSUME_FOR_SEND_GIFT: 'bank.gift.batch-consume',
  /** ListPayProductsRequest -> ListPayProductsResponse. */
  LIST_PRODUCTS: 'bank.product.list',
  /** CreatePayOrderRequest -> CreatePayOrderResponse. */
  CREATE_PAY_ORDER: 'bank.order.create',
  /** PayNotifyRequest -> PayNotifyResponse (signed callback; credits once per order). */
  PAY_NOTIFY: 'bank.order.notify',
  /** DevPayRequest -> PayNotifyResponse (development payment provider only). */
  DEV_PAY: 'bank.order.dev-pay',
  /** SetAccountStatusRequest -> AccountStatusResponse (an admin freezes a wallet: no gift, no recharge). */
  FREEZE_ACCOUNT: 'bank.account.freeze',
  /** SetAccountStatusRequest -> AccountStatusResponse (an admin makes a frozen wallet active again). */
  UNFREEZE_ACCOUNT: 'bank.account.unfreeze',
  /** CreateWithdrawalRequest -> WithdrawalDto (once per user and requestId; the amount leaves earnings at once). */
  CREATE_WITHDRAWAL: 'bank.withdrawal.create',
  /** ListWithdrawalsRequest -> WithdrawalPage (newest first, keyset paged). */
  LIST_WITHDRAWALS: 'bank.withdrawal.list',
  /** WithdrawalIdRequest -> WithdrawalDto (requested -> approved; a repeat answers the order). */
  APPROVE_WITHDRAWAL: 'bank.withdrawal.approve',
  /** RejectWithdrawalRequest -> WithdrawalDto (requested | approved -> rejected, the amount back to earnings). */
  REJECT_WITHDRAWAL: 'bank.withdrawal.reject',
  /** WithdrawalIdRequest -> WithdrawalDto (approved -> paid). */
  MARK_WITHDRAWAL_PAID: 'bank.withdrawal.mark-paid',
  /** RefundOrderRequest -> RefundOrderResponse (admins; a paid order's coins clawed back, once per order). */
  REFUND_ORDER: 'bank.order.refund',
} as const;

/** gift-service: the gift catalogue, the contribution board, the gift history, PK battles. */
export const GiftRpc = {
  /** GetGiftConfigRequest -> GetGiftConfigResponse (`gift: null` when unknown or disabled). */
  GET_CONFIG: 'gift.config.get',
  /** ListGiftPanelRequest -> ListGiftPanelResponse (enabled gifts, in panel order). */
  LIST_PANEL: 'gift.config.panel',
  /** InsertGiftConfigRequest -> GiftConfigResponse. */
  INSERT: 'gift.config.insert',
  /** UpdateGiftConfigRequest -> GiftConfigResponse. */
  UPDATE: 'gift.config.update',
  /** ContributionBoardRequest -> ContributionBoardResponse. */
  CONTRIBUTION_BOARD: 'gift.board.contribution',
  /** GiftHistoryByUserRequest -> GiftHistoryPage (the gifts the user sent, newest first, keyset paged). */
  HISTORY_SENT: 'gift.history.sent',
  /** GiftHistoryByUserRequest -> GiftHistoryPage (the gifts the user received). */
  HISTORY_RECEIVED: 'gift.history.received',
  /** GiftHistoryByRoomRequest -> GiftHistoryPage (the gifts sent in the room). */
  HISTORY_ROOM: 'gift.history.room',
  /** PkSeatRequest -> PkOnlineResponse (the user takes the challenger seat of a PK room; issue 21). */
  PK_ONLINE: 'gift.pk.online',
  /** PkSeatRequest -> PkOfflineResponse (the challenger leaves: the PK ends, the anchor wins). */
  PK_OFFLINE: 'gift.pk.offline',
  /** PkStateRequest -> PkStateResponse (the room's running or last PK; a PK past its time is ended first). */
  PK_STATE: 'gift.pk.state',
  /** PkSessionEndedRequest -> PkSessionEndedResponse (im-core: the user's last socket closed; their PKs end). */
  PK_SESSION_ENDED: 'gift.pk.session-ended',
} as const;

/** im-router: finds the im-core node(s) holding a user or a room and forwards the message there. */
export const ImRouterRpc = {
  /** ImSendMsgRequest -> ImRouteResponse. */
  SEND_MSG: 'im-router.msg.send',
  /** ImSendToRoomsRequest -> ImSendToRoomsResponse: many room messages (a consumer batch) in one call, one RPC per node. */
  SEND_TO_ROOMS: 'im-router.msg.rooms',
  /** ImRoomMembersRequest -> ImRoomMembersResponse: who is connected to the room, on every node. */
  ROOM_MEMBERS: 'im-router.room.members',
} as const;

/** im-core: one node, addressed by the router at the RPC address the node registered in Redis. */
export const ImCoreRpc = {
  /** ImCorePushRequest -> ImCorePushResponse (to the listed users connected to this node). */
  PUSH: 'im-core.msg.push',
  /** ImCorePushToRoomsRequest -> ImCorePushResponse (many room messages, each to this node's members of its room). */
  PUSH_TO_ROOMS: 'im-core.msg.push-rooms',
  /** ImRoomMembersRequest -> ImRoomMembersResponse (members connected to this node). */
  ROOM_MEMBERS: 'im-core.room.members',
} as const;

type ValueOf<T> = T[keyof T];
export type BankRpcPattern = ValueOf<typeof BankRpc>;
export type GiftRpcPattern = ValueOf<typeof GiftRpc>;
export type ImRouterRpcPattern = ValueOf<typeof ImRouterRpc>;
export type ImCoreRpcPattern = ValueOf<typeof ImCoreRpc>;
export type RpcPattern = BankRpcPattern | GiftRpcPattern | ImRouterRpcPattern | ImCoreRpcPattern;
