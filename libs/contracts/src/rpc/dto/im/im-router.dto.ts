import { ArrayMaxSize, ArrayMinSize, IsArray, IsEnum, IsObject, IsOptional } from 'class-validator';
import { ImBizCode } from '../../../im';
import { IsEntityId } from '../../../validation';

/** The most users one batch message or one room exclusion list may name. */
export const IM_MAX_BATCH_USERS = 1000;

/** ImRouterRpc.SEND_MSG: one user, on whichever im-core node holds the user's socket. */
export class ImSendMsgRequest {
  @IsEntityId()
  userId!: number;

  @IsEnum(ImBizCode)
  bizCode!: ImBizCode;

  /** GiftEffectData, GiftFailData... as the bizCode says. */
  @IsObject()
  data!: Record<string, unknown>;
}

/** ImRouterRpc.BATCH_SEND_MSG: the same message to several users. */
export class ImBatchSendMsgRequest {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(IM_MAX_BATCH_USERS)
  @IsEntityId({ each: true })
  userIds!: number[];

  @IsEnum(ImBizCode)
  bizCode!: ImBizCode;

  @IsObject()
  data!: Record<string, unknown>;
}

/** ImRouterRpc.SEND_TO_ROOM: everyone in the room (on every node that has members), but the excluded. */
export class ImSendToRoomRequest {
  @IsEntityId()
  roomId!: number;

  @IsEnum(ImBizCode)
  bizCode!: ImBizCode;

  @IsObject()
  data!: Record<string, unknown>;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(IM_MAX_BATCH_USERS)
  @IsEntityId({ each: true })
  excludeUserIds?: number[];
}

/** Answer of every ImRouterRpc pattern. Pushed is not acked: the node resends until acked or it gives up. */
export class ImRouteResponse {
  /** The message id the clients see (and ack). */
  msgId!: string;
  /** Sockets the message was written to. */
  pushed!: number;
  /** Addressed users with no live socket on any node (not sent; nothing is queued for them). */
  offline!: number[];
}
