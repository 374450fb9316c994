import { joinProblems, parseJsonWithin } from '@live/common';
import {
  IM_MAGIC,
  ImBizCode,
  ImClientAckBody,
  ImFrameCode,
  IM_MAX_FRAME_IDS_PER_ACK,
  ImLoginBody,
  REQUEST_ID_PATTERN,
} from '@live/contracts';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

/** A client frame, checked: the code is one a client may send, and its body fits the code. */
type ClientFrame =
  | { code: ImFrameCode.LOGIN; body: ImLoginBody }
  | { code: ImFrameCode.LOGOUT }
  | { code: ImFrameCode.HEARTBEAT }
  | { code: ImFrameCode.ACK; body: ImClientAckBody }
  /** A chat message (bizCode 5555): its data is checked by ChatService, which answers refusals with a code. */
  | { code: ImFrameCode.BIZ; body: { bizCode: ImBizCode.CHAT; data: unknown } };

type ParseResult = { ok: true; frame: ClientFrame } | { ok: false; error: string };

/**
 * An ack as clients write it (one per message per socket: the hot path skips JSON.parse): `{ msgId }`, or the
 * ImMsgBody fields without `data` in their usual order. Any other spelling (spaces, `data` echoed back)
 * takes the JSON.parse path below, with the same rules.
 */
const PLAIN_ACK =
  /^\{"magic":18673,"code":1005,"len":\d{1,5},"body":\{"msgId":"([A-Za-z0-9_\-:.]{1,64})"(?:,"appId":\d{1,10})?(?:,"userId":(\d{1,16}))?(?:,"bizCode":\d{1,10})?\}\}$/;

/** The ack of a batch frame as clients write it: `{ frameId }` alone (else the JSON.parse path). */
const PLAIN_FRAME_ACK = /^\{"magic":18673,"code":1005,"len":\d{1,5},"body":\{"frameId":([1-9]\d{0,14})\}\}$/;

/** The ack of several batch frames as clients write it: `{ frameIds: [...] }` alone (else the JSON.parse path). */
const PLAIN_FRAMES_ACK = new RegExp(
  `^\\{"magic":18673,"code":1005,"len":\\d{1,5},"body":\\{"frameIds":\\[([1-9]\\d{0,14}(?:,[1-9]\\d{0,14}){0,${IM_MAX_FRAME_IDS_PER_ACK - 1}})\\]\\}\\}$`,
);

/**
 * The frame as a JSON object, or why it is not one (not JSON, not an object, nested too deep, too many fields or
 * values), refused before anything walks it recursively (class-transformer overflowed the stack at ~1,500 levels:
 * 3 KB) or validates it field by field (an error per unknown field: 890 of them cost 1.4 ms and a 28 KB answer),
 * and before its parse when it is long (parseJsonWithin).
 */
function jsonObjectOf(raw: string): object | string {
  const parsed = parseJsonWithin(raw);
  if (!parsed.ok) return parsed.problem === undefined ? 'frame is not JSON' : `frame ${parsed.problem}`;
  const value = parsed.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'frame must be a JSON object';
  return value;
}

/** Parses one text frame from a client; never throws (a bad frame gets an error answer, never a crash). */
export function parseClientFrame(raw: string, maxBytes: number): ParseResult {
  const ack = raw.length < 240 ? PLAIN_ACK.exec(raw) : null;
  if (ack)
    return {
      ok: true,
      frame: {
        code: ImFrameCode.ACK,
        body: ack[2] === undefined ? { msgId: ack[1] } : { msgId: ack[1], userId: Number(ack[2]) },
      },
    };
  const frameAck = raw.length < 100 ? PLAIN_FRAME_ACK.exec(raw) : null;
  if (frameAck) return { ok: true, frame: { code: ImFrameCode.ACK, body: { frameId: Number(frameAck[1]) } } };
  const framesAck = raw.length < 1_200 && raw.length <= maxBytes ? PLAIN_FRAMES_ACK.exec(raw) : null;
  if (framesAck)
    return { ok: true, frame: { code: ImFrameCode.ACK, body: { frameIds: framesAck[1].split(',').map(Number) } } };
  if (Buffer.byteLength(raw, 'utf8') > maxBytes) return { ok: false, error: `frame larger than ${maxBytes} bytes` };
  const value = jsonObjectOf(raw);
  if (typeof value === 'string') return { ok: false, error: value };
  const f = value as { magic?: unknown; code?: unknown; body?: unknown };
  if (f.magic !== IM_MAGIC) return { ok: false, error: `magic must be ${IM_MAGIC}` };
  switch (f.code) {
    case ImFrameCode.HEARTBEAT:
      return { ok: true, frame: { code: ImFrameCode.HEARTBEAT } };
    case ImFrameCode.LOGOUT:
      return { ok: true, frame: { code: ImFrameCode.LOGOUT } };
    case ImFrameCode.LOGIN: {
      const body = checked(ImLoginBody, f.body);
      return typeof body === 'string'
        ? { ok: false, error: `login body: ${body}` }
        : { ok: true, frame: { code: ImFrameCode.LOGIN, body } };
    }
    case ImFrameCode.ACK: {
      // The hot path (one ack per message per socket): checked by hand, same rule as IsRequestId. The other
      // ImMsgBody fields may come along; userId is the caller's to check (it needs the connection).
      const body: AckFields = typeof f.body === 'object' && f.body !== null && !Array.isArray(f.body) ? f.body : {};
      if (body.frameIds !== undefined) return framesAckOf(body);
      if (body.frameId !== undefined) return frameAckOf(body);
      const msgId = body.msgId;
      if (typeof msgId !== 'string' || !REQUEST_ID_PATTERN.test(msgId)) {
        return {
          ok: false,
          error: 'ack body: must be an ImMsgBody whose msgId has 1-64 characters of A-Z a-z 0-9 _ - : .',
        };
      }
      return {
        ok: true,
        frame: { code: ImFrameCode.ACK, body: body.userId === undefined ? { msgId } : { msgId, userId: body.userId } },
      };
    }
    case ImFrameCode.BIZ:
      return chatOf(f.body) ?? { ok: false, error: `unknown or server-only code ${JSON.stringify(f.code)}` };
    default:
      return { ok: false, error: `unknown or server-only code ${JSON.stringify(f.code)}` };
  }
}

/**
 * A client's 1003: clients send one business message, chat (bizCode 5555; its data checked by ChatService).
 * Any other (null) stays what a client 1003 was before, a server-only code.
 */
function chatOf(body: unknown): ParseResult | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const { bizCode, data } = body as { bizCode?: unknown; data?: unknown };
  return bizCode === ImBizCode.CHAT ? { ok: true, frame: { code: ImFrameCode.BIZ, body: { bizCode, data } } } : null;
}

/** The fields of an ack body the parser looks at. */
type AckFields = { msgId?: unknown; frameId?: unknown; frameIds?: unknown; userId?: unknown };

/** An ack of a batch frame (1006): `{ frameId }`, a positive integer, and no msgId. */
function frameAckOf(body: AckFields): ParseResult {
  const frameId = body.frameId;
  if (body.msgId !== undefined) return { ok: false, error: 'ack body: a msgId or a frameId, not both' };
  if (!isFrameId(frameId))
    return { ok: false, error: 'ack body: frameId must be a positive integer (the frameId of a 1006)' };
  return {
    ok: true,
    frame: { code: ImFrameCode.ACK, body: body.userId === undefined ? { frameId } : { frameId, userId: body.userId } },
  };
}

/** An ack of several batch frames: `{ frameIds }`, 1..IM_MAX_FRAME_IDS_PER_ACK positive integers, nothing else acked. */
function framesAckOf(body: AckFields): ParseResult {
  const frameIds = body.frameIds;
  if (body.msgId !== undefined || body.frameId !== undefined)
    return { ok: false, error: 'ack body: frameIds alone, without a msgId or a frameId' };
  if (
    !Array.isArray(frameIds) ||
    frameIds.length === 0 ||
    frameIds.length > IM_MAX_FRAME_IDS_PER_ACK ||
    !frameIds.every(isFrameId)
  )
    return {
      ok: false,
      error: `ack body: frameIds must be 1-${IM_MAX_FRAME_IDS_PER_ACK} positive integers (frameIds of 1006 frames)`,
    };
  return {
    ok: true,
    frame: {
      code: ImFrameCode.ACK,
      body: body.userId === undefined ? { frameIds } : { frameIds, userId: body.userId },
    },
  };
}

function isFrameId(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
}

function checked<T extends object>(cls: new () => T, body: unknown): T | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'must be an object';
  const instance = plainToInstance(cls, body);
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length === 0) return instance;
  return joinProblems(errors.flatMap((e) => Object.values(e.constraints ?? {})));
}
