import { ArrayMaxSize, IsArray, IsObject, IsOptional } from 'class-validator';
import { ImBizCode, ImBizData } from '../../../im';
import { IsBatchOf, IsEntityId, IsEnumValue, IsRequestId } from '../../../validation';

/** The most users one push to a node or one room exclusion list may name. */
export const IM_MAX_BATCH_USERS = 1000;

/** The most room messages one SEND_TO_ROOMS / PUSH_TO_ROOMS call may carry. */
export const IM_MAX_BATCH_MESSAGES = 1000;

/** ImRouterRpc.SEND_MSG: one user, on whichever im-core node holds the user's socket. */
export class ImSendMsgRequest<C extends ImBizCode = ImBizCode> {
  @IsEntityId()
  userId!: number;

  /**
   * Optional: the caller's id for this message (e.g. derived from a gift's requestId), so a re-sent
   * message carries the same msgId and clients drop the duplicate. Default: a new id.
   */
  @IsOptional()
  @IsRequestId()
  msgId?: string;

  @IsEnumValue(ImBizCode)
  bizCode!: C;

  /** GiftEffectData, GiftFailData... as the bizCode says (ImBizData). */
  @IsObject()
  data!: ImBizData[C];
}

/** A message to everyone in a room (on every node that has members), but the excluded. */
export class ImRoomMessage<C extends ImBizCode = ImBizCode> {
  @IsEntityId()
  roomId!: number;

  @IsEnumValue(ImBizCode)
  bizCode!: C;

  @IsObject()
  data!: ImBizData[C];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(IM_MAX_BATCH_USERS)
  @IsEntityId({ each: true })
  excludeUserIds?: number[];
}

/** One message of ImRouterRpc.SEND_TO_ROOMS. */
export class ImSendToRoomRequest<C extends ImBizCode = ImBizCode> extends ImRoomMessage<C> {
  /**
   * Optional: the caller's id for this message (e.g. derived from a gift's requestId), so a re-sent
   * message carries the same msgId and clients drop the duplicate. Default: a new id.
   */
  @IsOptional()
  @IsRequestId()
  msgId?: string;
}

/** Answer of every ImRouterRpc pattern. Pushed is not acked: the node resends until acked or it gives up. */
export class ImRouteResponse {
  /** The message id the clients see (and ack). */
  msgId!: string;
  /** Sockets the message was written to. */
  pushed!: number;
  /** Addressed users with no live socket on any node (not sent; nothing is queued for them). */
  offline!: number[];
  /**
   * Nodes holding the addressed users (or room members) whose call failed (timeout, error, connection
   * lost): their sockets may not have the message. Push it again with the same msgId (a node writes a
   * msgId at most once per room or user, so the nodes that got it do not repeat it). A node that is gone
   * (not registered, or refusing connections: no process, hence no sockets) is not listed. Absent: none.
   */
  failedNodes?: string[];
}

/** ImRouterRpc.SEND_TO_ROOMS: several room messages at once (e.g. the gift effects of one consumer batch). */
export class ImSendToRoomsRequest {
  @IsBatchOf(ImSendToRoomRequest, IM_MAX_BATCH_MESSAGES)
  messages!: ImSendToRoomRequest[];
}

export class ImSendToRoomsResponse {
  /** One per message, in the same order. */
  results!: ImRouteResponse[];
}
