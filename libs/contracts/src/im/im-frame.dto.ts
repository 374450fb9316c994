import { Equals, IsEnum, IsObject, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsEntityId, IsNonNegativeInt, IsRequestId } from '../validation';

/**
 * The WebSocket protocol between clients and im-core (public contract: API.md "WebSocket").
 * Each frame is one JSON text message: `{ magic: 18673, code, len, body }`.
 */
export const IM_MAGIC = 18673;

export enum ImFrameCode {
  LOGIN = 1001,
  LOGOUT = 1002,
  /** A business message (server -> client), body ImMsgBody; the client acks it with ACK + msgId. */
  BIZ = 1003,
  HEARTBEAT = 1004,
  ACK = 1005,
}

/** What a BIZ message is about (ImMsgBody.bizCode). */
export enum ImBizCode {
  /** A gift's effect, to everyone in the room: data GiftEffectData. */
  GIFT_SUCCESS = 5556,
  /** A gift that was not charged, to its sender only: data GiftFailData. */
  GIFT_FAIL = 5557,
}

/** The application a message belongs to (the original AppIdEnum). */
export enum ImAppId {
  LIVE_BIZ = 10001,
}

/** Body of a BIZ frame. `userId` is the recipient; `msgId` is what the client's ACK carries back. */
export class ImMsgBody<D extends object = Record<string, unknown>> {
  @IsRequestId()
  msgId!: string;

  @IsEnum(ImAppId)
  appId!: ImAppId;

  @IsEntityId()
  userId!: number;

  @IsEnum(ImBizCode)
  bizCode!: ImBizCode;

  @IsObject()
  data!: D;
}

/** Body of a LOGIN frame, for clients that cannot put `?token=&roomId=` on the URL. */
export class ImLoginBody {
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  token!: string;

  @IsOptional()
  @IsEntityId()
  roomId?: number;
}

/**
 * Body of an ACK frame (client -> server): an ImMsgBody carrying the msgId of the message acked. The other
 * ImMsgBody fields may come along (the original clients send `{ msgId, appId, userId, bizCode, data }`);
 * only `userId` is checked: when present it must be the connection's own user (or 0, the room broadcast's).
 */
export class ImAckBody {
  @IsRequestId()
  msgId!: string;

  /** As sent; the receiver compares it with the connection's user. */
  userId?: unknown;
}

/** One frame. `len` is the UTF-8 byte length of JSON.stringify(body) (0 without a body). */
export class ImFrame<B extends object = Record<string, unknown>> {
  @Equals(IM_MAGIC)
  magic!: typeof IM_MAGIC;

  @IsEnum(ImFrameCode)
  code!: ImFrameCode;

  @IsNonNegativeInt()
  len!: number;

  /** Checked per code by the receiver (ImLoginBody, ImAckBody, ImMsgBody...). */
  @IsOptional()
  @IsObject()
  body?: B;
}

/** Builds a frame with its `len` filled in. */
export function buildImFrame<B extends object>(code: ImFrameCode, body?: B): ImFrame<B> {
  const len = body === undefined ? 0 : Buffer.byteLength(JSON.stringify(body), 'utf8');
  return { magic: IM_MAGIC, code, len, body };
}
