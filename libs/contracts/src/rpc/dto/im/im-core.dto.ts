import { ArrayMaxSize, ArrayMinSize, IsArray, IsObject } from 'class-validator';
import { ImBizCode, ImBizData } from '../../../im';
import { IsBatchOf, IsEntityId, IsEnumValue, IsRequestId } from '../../../validation';
import { IM_MAX_BATCH_MESSAGES, IM_MAX_BATCH_USERS, ImRoomMessage } from './im-router.dto';

/** ImCoreRpc.PUSH: write one message to the listed users' sockets on this node (each gets its own ImMsgBody, userId = recipient). */
export class ImCorePushRequest<C extends ImBizCode = ImBizCode> {
  /** Chosen by im-router; the same for every recipient (acks are tracked per user + msgId). */
  @IsRequestId()
  msgId!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(IM_MAX_BATCH_USERS)
  @IsEntityId({ each: true })
  userIds!: number[];

  @IsEnumValue(ImBizCode)
  bizCode!: C;

  @IsObject()
  data!: ImBizData[C];
}

/** One message of PUSH_TO_ROOMS: the router's room request with the message id it chose, for this node's members. */
export class ImCorePushToRoomRequest<C extends ImBizCode = ImBizCode> extends ImRoomMessage<C> {
  @IsRequestId()
  msgId!: string;
}

/** ImCoreRpc.PUSH_TO_ROOMS: several room messages at once, each to this node's members of its room. */
export class ImCorePushToRoomsRequest {
  @IsBatchOf(ImCorePushToRoomRequest, IM_MAX_BATCH_MESSAGES)
  messages!: ImCorePushToRoomRequest[];
}

export class ImCorePushResponse {
  /** Sockets written to. */
  pushed!: number;
  /** Addressed users (PUSH) with no socket on this node: the router may drop its stale user -> node binding. */
  offline!: number[];
  /** PUSH_TO_ROOMS: sockets written to per message, in the order of the request. */
  perMessage?: number[];
}

/** ImCoreRpc.ROOM_MEMBERS */
export class ImRoomMembersRequest {
  @IsEntityId()
  roomId!: number;
}

export class ImRoomMembersResponse {
  /** Members of the room connected to this node. */
  userIds!: number[];
}
