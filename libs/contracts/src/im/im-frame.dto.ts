import { Equals, IsIn, IsObject, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsEntityId, IsEnumValue, IsNonNegativeInt, IsRequestId } from '../validation';

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
  /** A client's ack: `{ msgId }` of a BIZ message, or `{ frameId }` of a BATCH frame (all its messages). */
  ACK = 1005,
  /**
   * Several business messages in one frame (server -> client), body ImBatchBody; only to a socket that
   * announced it at login (`batch: 1`). The client acks the whole frame with ACK + frameId.
   */
  BATCH = 1006,
}

/** `batch` of a login: 0 (the default) single-message frames (1003) only; 1 also batch frames (1006). */
export const IM_BATCH_VERSIONS = [0, 1] as const;

/** What a BIZ message is about (ImMsgBody.bizCode). */
export enum ImBizCode {
  /**
   * A chat message of a live room. Client -> im-core (in a 1003): data ChatSendData; im-core -> everyone in the
   * room (the sender included, and replayed from the room's recent history on joining): data ChatMessageData.
   */
  CHAT = 5555,
  /** A gift's effect, to everyone in the room: data GiftEffectData. */
  GIFT_SUCCESS = 5556,
  /** A gift that was not charged, to its sender only: data GiftFailData. */
  GIFT_FAIL = 5557,
  /** A PK bar move (with the gift that moved it), or a joining socket's snapshot: data PkProgressData. */
  PK_PROGRESS = 5558,
  /** A challenger took (online) or left (offline) the PK seat of the room: data PkOnlineData. */
  PK_ONLINE = 5559,
  /** A PK ended, naming its winner (0: a draw): data PkEndedData. */
  PK_ENDED = 5561,
}

/** The application a message belongs to (the original AppIdEnum). */
export enum ImAppId {
  LIVE_BIZ = 10001,
}

/** Body of a BIZ frame. `userId` is the recipient; `msgId` is what the client's ACK carries back. */
export class ImMsgBody<D extends object = Record<string, unknown>> {
  @IsRequestId()
  msgId!: string;

  @IsEnumValue(ImAppId)
  appId!: ImAppId;

  @IsEntityId()
  userId!: number;

  @IsEnumValue(ImBizCode)
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

  /**
   * 1: this client understands batch frames (1006); 0: it does not. Absent: unchanged on a later login of
   * the same socket, 0 on its first.
   */
  @IsOptional()
  @IsIn(IM_BATCH_VERSIONS)
  batch?: (typeof IM_BATCH_VERSIONS)[number];
}

/**
 * Body of a BATCH frame: business messages of one tick to one socket, in the order they were pushed (at
 * most IM_MAX_BATCH_MESSAGES). `frameId` (a positive integer, unique on the node) is what the client's ACK
 * carries back; it acks every message of the frame.
 */
export class ImBatchBody {
  frameId!: number;
  msgs!: ImMsgBody[];
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

/** Body of an ACK of a BATCH frame: `{ frameId }` (and no msgId); acks every message of the frame. */
export class ImFrameAckBody {
  frameId!: number;

  /** As sent; the receiver compares it with the connection's user. */
  userId?: unknown;
}

/** The most frameIds one ACK may carry (ImFramesAckBody). */
export const IM_MAX_FRAME_IDS_PER_ACK = 64;

/**
 * Body of an ACK of several BATCH frames at once: `{ frameIds: [F, ...] }` (1..IM_MAX_FRAME_IDS_PER_ACK positive
 * integers, and no msgId or frameId); the same as one `{ frameId }` ack per id, in one frame: a client that acks
 * what it got in the last second writes one frame, not one per 1006.
 */
export class ImFramesAckBody {
  frameIds!: number[];

  /** As sent; the receiver compares it with the connection's user. */
  userId?: unknown;
}

/** Any ACK a client sends: of a message (msgId), of a batch frame (frameId), of several (frameIds). */
export type ImClientAckBody = ImAckBody | ImFrameAckBody | ImFramesAckBody;

/** One frame. `len` is the UTF-8 byte length of JSON.stringify(body) (0 without a body). */
export class ImFrame<B extends object = Record<string, unknown>> {
  @Equals(IM_MAGIC)
  magic!: typeof IM_MAGIC;

  @IsEnumValue(ImFrameCode)
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

/**
 * The JSON text of a frame whose body is already serialized (`bodyJson` = JSON.stringify(body)): the same
 * text as JSON.stringify(buildImFrame(code, body)), without serializing the body twice.
 */
export function encodeImFrame(code: ImFrameCode, bodyJson: string): string {
  return `{"magic":${IM_MAGIC},"code":${code},"len":${Buffer.byteLength(bodyJson, 'utf8')},"body":${bodyJson}}`;
}
