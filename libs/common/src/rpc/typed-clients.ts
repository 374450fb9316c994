import {
  AccountResponse,
  PkOfflineResponse,
  PkOnlineResponse,
  PkSeatRequest,
  PkSessionEndedResponse,
  PkStateResponse,
  AccountStatusResponse,
  BalanceResponse,
  EarningsResponse,
  BankRpc,
  BankRpcContract,
  BatchConsumeForSendGiftResponse,
  ContributionBoardRequest,
  ContributionBoardResponse,
  CreatePayOrderRequest,
  CreatePayOrderResponse,
  CreateWithdrawalRequest,
  DevPayRequest,
  ListWithdrawalsRequest,
  RejectWithdrawalRequest,
  WithdrawalDto,
  WithdrawalIdRequest,
  WithdrawalPage,
  GetGiftConfigResponse,
  GiftConfigResponse,
  GiftHistoryByRoomRequest,
  GiftHistoryByUserRequest,
  GiftHistoryPage,
  GiftRpc,
  GiftRpcContract,
  GiftSettlementItem,
  ImCorePushRequest,
  ImCorePushResponse,
  ImCorePushToRoomRequest,
  ImCoreRpc,
  ImCoreRpcContract,
  ImRoomMembersResponse,
  ImRouteResponse,
  ImRouterRpc,
  ImRouterRpcContract,
  ImSendMsgRequest,
  ImSendToRoomRequest,
  ImSendToRoomsResponse,
  InsertGiftConfigRequest,
  ListGiftPanelResponse,
  ListPayProductsResponse,
  ListTradesRequest,
  PayNotifyRequest,
  PayNotifyResponse,
  RefundOrderRequest,
  RefundOrderResponse,
  RpcRequestOf,
  RpcResponseOf,
  SetAccountStatusRequest,
  TradePage,
  UpdateGiftConfigRequest,
} from '@live/contracts';
import { ClientProxy } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { RpcBalancer } from './rpc-balancer';
import { DEFAULT_RPC_TIMEOUT_MS, rpcCall } from './rpc-call';
import { RPC_RETRY_AFTER_SEND } from './rpc-retry';

export { RPC_RETRY_AFTER_SEND };

/** What a typed client sends through: one signed connection, or every instance of the service (RpcBalancer). */
export type RpcTransport = ClientProxy | RpcBalancer;

/**
 * The one piece of code that talks to a remote service: it holds the transport (a signed TCP ClientProxy
 * from createRpcClient, or RpcClientsModule's RpcBalancer over every instance), the pattern strings and
 * the timeout; its subclasses' methods are typed by the service's contract (libs/contracts
 * rpc/contract.ts). A remote BizException comes back as the same BizException; a timeout or a dead peer
 * becomes SERVICE_UNAVAILABLE (rpcCall, RpcBalancer).
 */
export abstract class TypedRpcClient<C> {
  constructor(
    private readonly transport: RpcTransport,
    readonly timeoutMs: number = DEFAULT_RPC_TIMEOUT_MS,
  ) {}

  protected call<P extends keyof C & string>(pattern: P, request: RpcRequestOf<C, P>): Promise<RpcResponseOf<C, P>> {
    if (this.transport instanceof RpcBalancer)
      return this.transport.call(pattern, request, this.timeoutMs, RPC_RETRY_AFTER_SEND.has(pattern));
    return rpcCall<RpcResponseOf<C, P>, RpcRequestOf<C, P>>(this.transport, pattern, request, this.timeoutMs);
  }

  /** Closes the connection(s) (the next call would open new ones). */
  async close(): Promise<void> {
    await this.transport.close();
  }
}

/** A typed client class as RpcClientsModule builds it: the transport and the caller's timeout. */
export type TypedRpcClientClass = new (transport: RpcTransport, timeoutMs: number) => object;

/** bank-service: wallets, the ledger, gift settlement, recharge. */
export class BankClient extends TypedRpcClient<BankRpcContract> {
  /** Idempotent: an existing wallet is returned as is. */
  createAccount(userId: number): Promise<AccountResponse> {
    return this.call(BankRpc.CREATE_ACCOUNT, { userId });
  }

  balance(userId: number): Promise<BalanceResponse> {
    return this.call(BankRpc.GET_BALANCE, { userId });
  }

  earnings(userId: number): Promise<EarningsResponse> {
    return this.call(BankRpc.GET_EARNINGS, { userId });
  }

  trades(request: ListTradesRequest): Promise<TradePage> {
    return this.call(BankRpc.LIST_TRADES, request);
  }

  /** One database transaction; results[i] answers items[i] (see BatchConsumeForSendGiftRequest). */
  settleBatch(items: GiftSettlementItem[]): Promise<BatchConsumeForSendGiftResponse> {
    return this.call(BankRpc.BATCH_CONSUME_FOR_SEND_GIFT, { items });
  }

  products(type: number): Promise<ListPayProductsResponse> {
    return this.call(BankRpc.LIST_PRODUCTS, { type });
  }

  createPayOrder(request: CreatePayOrderRequest): Promise<CreatePayOrderResponse> {
    return this.call(BankRpc.CREATE_PAY_ORDER, request);
  }

  payNotify(request: PayNotifyRequest): Promise<PayNotifyResponse> {
    return this.call(BankRpc.PAY_NOTIFY, request);
  }

  devPay(request: DevPayRequest): Promise<PayNotifyResponse> {
    return this.call(BankRpc.DEV_PAY, request);
  }

  /** An admin freezes a wallet (recorded with who and why). Not sent again after a timeout (each call is recorded). */
  freezeAccount(request: SetAccountStatusRequest): Promise<AccountStatusResponse> {
    return this.call(BankRpc.FREEZE_ACCOUNT, request);
  }

  unfreezeAccount(request: SetAccountStatusRequest): Promise<AccountStatusResponse> {
    return this.call(BankRpc.UNFREEZE_ACCOUNT, request);
  }

  /** Once per (user, requestId): the same key and amount answer the same order. */
  createWithdrawal(request: CreateWithdrawalRequest): Promise<WithdrawalDto> {
    return this.call(BankRpc.CREATE_WITHDRAWAL, request);
  }

  withdrawals(request: ListWithdrawalsRequest): Promise<WithdrawalPage> {
    return this.call(BankRpc.LIST_WITHDRAWALS, request);
  }

  approveWithdrawal(request: WithdrawalIdRequest): Promise<WithdrawalDto> {
    return this.call(BankRpc.APPROVE_WITHDRAWAL, request);
  }

  rejectWithdrawal(request: RejectWithdrawalRequest): Promise<WithdrawalDto> {
    return this.call(BankRpc.REJECT_WITHDRAWAL, request);
  }

  markWithdrawalPaid(request: WithdrawalIdRequest): Promise<WithdrawalDto> {
    return this.call(BankRpc.MARK_WITHDRAWAL_PAID, request);
  }

  /** Admins: a paid order's coins back out of the wallet, once per order. */
  refundOrder(request: RefundOrderRequest): Promise<RefundOrderResponse> {
    return this.call(BankRpc.REFUND_ORDER, request);
  }
}

/** gift-service: the gift catalogue, the contribution board and the gift history. */
export class GiftClient extends TypedRpcClient<GiftRpcContract> {
  /** `gift: null` when unknown or disabled. */
  config(giftId: number): Promise<GetGiftConfigResponse> {
    return this.call(GiftRpc.GET_CONFIG, { giftId });
  }

  panel(includeDisabled?: boolean): Promise<ListGiftPanelResponse> {
    return this.call(GiftRpc.LIST_PANEL, includeDisabled === undefined ? {} : { includeDisabled });
  }

  insert(request: InsertGiftConfigRequest): Promise<GiftConfigResponse> {
    return this.call(GiftRpc.INSERT, request);
  }

  update(request: UpdateGiftConfigRequest): Promise<GiftConfigResponse> {
    return this.call(GiftRpc.UPDATE, request);
  }

  board(request: ContributionBoardRequest): Promise<ContributionBoardResponse> {
    return this.call(GiftRpc.CONTRIBUTION_BOARD, request);
  }

  /** The gifts `userId` sent, newest first (GiftHistoryPage.nextCursor continues). */
  historySent(request: GiftHistoryByUserRequest): Promise<GiftHistoryPage> {
    return this.call(GiftRpc.HISTORY_SENT, request);
  }

  /** The gifts `userId` received, newest first. */
  historyReceived(request: GiftHistoryByUserRequest): Promise<GiftHistoryPage> {
    return this.call(GiftRpc.HISTORY_RECEIVED, request);
  }

  /** The gifts sent in `roomId`, newest first (the caller decides who may read them). */
  historyRoom(request: GiftHistoryByRoomRequest): Promise<GiftHistoryPage> {
    return this.call(GiftRpc.HISTORY_ROOM, request);
  }

  /** The user takes the challenger seat of a PK room (PkErrorCode when it cannot). */
  pkOnline(request: PkSeatRequest): Promise<PkOnlineResponse> {
    return this.call(GiftRpc.PK_ONLINE, request);
  }

  /** The challenger leaves: the PK ends, the anchor wins. */
  pkOffline(request: PkSeatRequest): Promise<PkOfflineResponse> {
    return this.call(GiftRpc.PK_OFFLINE, request);
  }

  pkState(roomId: number): Promise<PkStateResponse> {
    return this.call(GiftRpc.PK_STATE, { roomId });
  }

  /** im-core: the user's last socket closed; the PKs they challenge end. */
  pkSessionEnded(userId: number): Promise<PkSessionEndedResponse> {
    return this.call(GiftRpc.PK_SESSION_ENDED, { userId });
  }
}

/** im-router: pushes to users and rooms on whichever im-core nodes hold them. */
export class ImRouterClient extends TypedRpcClient<ImRouterRpcContract> {
  /** A message without a msgId gets one here, so a retried call carries the same (RPC_RETRY_AFTER_SEND). */
  sendToUser(request: ImSendMsgRequest): Promise<ImRouteResponse> {
    return this.call(ImRouterRpc.SEND_MSG, { ...request, msgId: request.msgId ?? randomUUID() });
  }

  /** One room message: a SEND_TO_ROOMS of one. */
  async sendToRoom(request: ImSendToRoomRequest): Promise<ImRouteResponse> {
    return (await this.sendToRooms([request])).results[0];
  }

  /** At most IM_MAX_BATCH_MESSAGES messages; results[i] answers messages[i]. */
  sendToRooms(messages: ImSendToRoomRequest[]): Promise<ImSendToRoomsResponse> {
    const identified = messages.map((m) => (m.msgId === undefined ? { ...m, msgId: randomUUID() } : m));
    return this.call(ImRouterRpc.SEND_TO_ROOMS, { messages: identified });
  }

  roomMembers(roomId: number): Promise<ImRoomMembersResponse> {
    return this.call(ImRouterRpc.ROOM_MEMBERS, { roomId });
  }
}

/** One im-core node (im-router holds one per node it finds in the registry). */
export class ImCoreClient extends TypedRpcClient<ImCoreRpcContract> {
  pushToUsers(request: ImCorePushRequest): Promise<ImCorePushResponse> {
    return this.call(ImCoreRpc.PUSH, request);
  }

  /** perMessage[i] counts the sockets messages[i] was written to. */
  pushToRooms(messages: ImCorePushToRoomRequest[]): Promise<ImCorePushResponse> {
    return this.call(ImCoreRpc.PUSH_TO_ROOMS, { messages });
  }

  roomMembers(roomId: number): Promise<ImRoomMembersResponse> {
    return this.call(ImCoreRpc.ROOM_MEMBERS, { roomId });
  }
}
