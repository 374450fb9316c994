import {
  AccountResponse,
  AccountStatusResponse,
  BalanceResponse,
  EarningsResponse,
  BatchConsumeForSendGiftRequest,
  BatchConsumeForSendGiftResponse,
  ContributionBoardRequest,
  ContributionBoardResponse,
  CreateAccountRequest,
  CreateWithdrawalRequest,
  ListWithdrawalsRequest,
  RejectWithdrawalRequest,
  WithdrawalDto,
  WithdrawalIdRequest,
  WithdrawalPage,
  CreatePayOrderRequest,
  CreatePayOrderResponse,
  DevPayRequest,
  GetBalanceRequest,
  GetEarningsRequest,
  GetGiftConfigRequest,
  GetGiftConfigResponse,
  GiftConfigResponse,
  GiftHistoryByRoomRequest,
  GiftHistoryByUserRequest,
  GiftHistoryPage,
  ImCorePushRequest,
  ImCorePushResponse,
  ImCorePushToRoomsRequest,
  ImRoomMembersRequest,
  ImRoomMembersResponse,
  ImRouteResponse,
  ImSendMsgRequest,
  ImSendToRoomsRequest,
  ImSendToRoomsResponse,
  InsertGiftConfigRequest,
  ListGiftPanelRequest,
  ListGiftPanelResponse,
  ListPayProductsRequest,
  ListPayProductsResponse,
  ListTradesRequest,
  PayNotifyRequest,
  PayNotifyResponse,
  SetAccountStatusRequest,
  RefundOrderRequest,
  RefundOrderResponse,
  TradePage,
  UpdateGiftConfigRequest,
  PkOfflineResponse,
  PkOnlineResponse,
  PkSeatRequest,
  PkSessionEndedRequest,
  PkSessionEndedResponse,
  PkStateRequest,
  PkStateResponse,
} from './dto';
import {
  BankRpc,
  BankRpcPattern,
  GiftRpc,
  GiftRpcPattern,
  ImCoreRpc,
  ImCoreRpcPattern,
  ImRouterRpc,
  ImRouterRpcPattern,
} from './patterns';

/** A class: what the contract names for a request or a response. */
type Class<T> = abstract new (...args: never[]) => T;

/** One pattern's request and response classes. */
export interface RpcEndpoint<Req extends object = object, Res extends object = object> {
  request: Class<Req>;
  response: Class<Res>;
}

/** Every pattern of one service mapped to its endpoint (a missing pattern is a compile error). */
export type RpcContract<P extends string> = { readonly [K in P]: RpcEndpoint };

/** The request type of `pattern` in `contract`: `RpcRequestOf<typeof BankRpcContract, 'bank.account.balance'>`. */
export type RpcRequestOf<C, P extends keyof C> = C[P] extends RpcEndpoint<infer Req, object> ? Req : never;
/** The response type of `pattern` in `contract`. */
export type RpcResponseOf<C, P extends keyof C> = C[P] extends RpcEndpoint<object, infer Res> ? Res : never;

function contract<P extends string>() {
  return <const C extends RpcContract<P>>(map: C & Record<Exclude<keyof C, P>, never>): C => map;
}

/** bank-service. */
export const BankRpcContract = contract<BankRpcPattern>()({
  [BankRpc.CREATE_ACCOUNT]: { request: CreateAccountRequest, response: AccountResponse },
  [BankRpc.GET_BALANCE]: { request: GetBalanceRequest, response: BalanceResponse },
  [BankRpc.GET_EARNINGS]: { request: GetEarningsRequest, response: EarningsResponse },
  [BankRpc.LIST_TRADES]: { request: ListTradesRequest, response: TradePage },
  [BankRpc.BATCH_CONSUME_FOR_SEND_GIFT]: {
    request: BatchConsumeForSendGiftRequest,
    response: BatchConsumeForSendGiftResponse,
  },
  [BankRpc.LIST_PRODUCTS]: { request: ListPayProductsRequest, response: ListPayProductsResponse },
  [BankRpc.CREATE_PAY_ORDER]: { request: CreatePayOrderRequest, response: CreatePayOrderResponse },
  [BankRpc.PAY_NOTIFY]: { request: PayNotifyRequest, response: PayNotifyResponse },
  [BankRpc.DEV_PAY]: { request: DevPayRequest, response: PayNotifyResponse },
  [BankRpc.FREEZE_ACCOUNT]: { request: SetAccountStatusRequest, response: AccountStatusResponse },
  [BankRpc.UNFREEZE_ACCOUNT]: { request: SetAccountStatusRequest, response: AccountStatusResponse },
  [BankRpc.CREATE_WITHDRAWAL]: { request: CreateWithdrawalRequest, response: WithdrawalDto },
  [BankRpc.LIST_WITHDRAWALS]: { request: ListWithdrawalsRequest, response: WithdrawalPage },
  [BankRpc.APPROVE_WITHDRAWAL]: { request: WithdrawalIdRequest, response: WithdrawalDto },
  [BankRpc.REJECT_WITHDRAWAL]: { request: RejectWithdrawalRequest, response: WithdrawalDto },
  [BankRpc.MARK_WITHDRAWAL_PAID]: { request: WithdrawalIdRequest, response: WithdrawalDto },
  [BankRpc.REFUND_ORDER]: { request: RefundOrderRequest, response: RefundOrderResponse },
});

/** gift-service. */
export const GiftRpcContract = contract<GiftRpcPattern>()({
  [GiftRpc.GET_CONFIG]: { request: GetGiftConfigRequest, response: GetGiftConfigResponse },
  [GiftRpc.LIST_PANEL]: { request: ListGiftPanelRequest, response: ListGiftPanelResponse },
  [GiftRpc.INSERT]: { request: InsertGiftConfigRequest, response: GiftConfigResponse },
  [GiftRpc.UPDATE]: { request: UpdateGiftConfigRequest, response: GiftConfigResponse },
  [GiftRpc.CONTRIBUTION_BOARD]: { request: ContributionBoardRequest, response: ContributionBoardResponse },
  [GiftRpc.HISTORY_SENT]: { request: GiftHistoryByUserRequest, response: GiftHistoryPage },
  [GiftRpc.HISTORY_RECEIVED]: { request: GiftHistoryByUserRequest, response: GiftHistoryPage },
  [GiftRpc.HISTORY_ROOM]: { request: GiftHistoryByRoomRequest, response: GiftHistoryPage },
  [GiftRpc.PK_ONLINE]: { request: PkSeatRequest, response: PkOnlineResponse },
  [GiftRpc.PK_OFFLINE]: { request: PkSeatRequest, response: PkOfflineResponse },
  [GiftRpc.PK_STATE]: { request: PkStateRequest, response: PkStateResponse },
  [GiftRpc.PK_SESSION_ENDED]: { request: PkSessionEndedRequest, response: PkSessionEndedResponse },
});

/** im-router. */
export const ImRouterRpcContract = contract<ImRouterRpcPattern>()({
  [ImRouterRpc.SEND_MSG]: { request: ImSendMsgRequest, response: ImRouteResponse },
  [ImRouterRpc.SEND_TO_ROOMS]: { request: ImSendToRoomsRequest, response: ImSendToRoomsResponse },
  [ImRouterRpc.ROOM_MEMBERS]: { request: ImRoomMembersRequest, response: ImRoomMembersResponse },
});

/** One im-core node. */
export const ImCoreRpcContract = contract<ImCoreRpcPattern>()({
  [ImCoreRpc.PUSH]: { request: ImCorePushRequest, response: ImCorePushResponse },
  [ImCoreRpc.PUSH_TO_ROOMS]: { request: ImCorePushToRoomsRequest, response: ImCorePushResponse },
  [ImCoreRpc.ROOM_MEMBERS]: { request: ImRoomMembersRequest, response: ImRoomMembersResponse },
});

export type BankRpcContract = typeof BankRpcContract;
export type GiftRpcContract = typeof GiftRpcContract;
export type ImRouterRpcContract = typeof ImRouterRpcContract;
export type ImCoreRpcContract = typeof ImCoreRpcContract;
