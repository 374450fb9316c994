import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SendGiftMq } from '../kafka/send-gift/send-gift.value';
import { canonicalFields } from './canonical';

/** A key id: 1..32 of A-Z a-z 0-9 _ . - (it travels in every message, so short). */
export const SIGNING_KEY_ID_PATTERN = /^[A-Za-z0-9_.-]{1,32}$/;
/** The shortest signing secret accepted, in bytes. */
export const SIGNING_SECRET_MIN_BYTES = 32;
/** A signature as written: HMAC-SHA256, base64url without padding. */
const SIGNATURE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** One signing key: its id (named in each message it signs) and its secret. */
export interface SigningKey {
  id: string;
  secret: string;
}

/** The fields of a send_gift message that carry its meaning: all of them but the signature. */
export type UnsignedSendGift = Omit<SendGiftMq, 'sigKeyId' | 'sig'>;

export type SignatureCheck = { ok: true; keyId: string } | { ok: false; reason: string };

/**
 * The signed bytes: `send_gift/v2` over the key id and every field for a gift of count 1 (with or without the
 * field: what every producer before `count` signed, so their messages and a new producer's single gifts read
 * alike to any consumer), `send_gift/v3` with the count appended for any other count. A count cannot be taken
 * off or changed without the signature failing (a v3 signature never matches the v2 bytes, nor another count).
 */
function mac(mq: UnsignedSendGift, keyId: string, secret: string): Buffer {
  const fields = [
    keyId,
    mq.userId,
    mq.giftId,
    mq.giftName,
    mq.price,
    mq.receiverId,
    mq.roomId,
    mq.url,
    mq.requestId,
    mq.type,
    mq.sendTime,
  ];
  const count = mq.count ?? 1;
  // A PK gift (issue 21): v4 with the count and the pkId appended; no older consumer accepts it (it would
  // charge it without knowing the PK). Every other gift signs as before.
  const signed =
    mq.pkId !== undefined
      ? canonicalFields('send_gift/v4', [...fields, count, mq.pkId])
      : count === 1
        ? canonicalFields('send_gift/v2', fields)
        : canonicalFields('send_gift/v3', [...fields, count]);
  return createHmac('sha256', secret).update(signed).digest();
}

/**
 * The message with its signature (api-gateway, the only producer of send_gift): HMAC-SHA256 under `key`
 * over the key id and every field, in a fixed order (canonicalFields). gift-service charges nothing else.
 */
export function signSendGift(mq: UnsignedSendGift, key: SigningKey): SendGiftMq {
  return { ...stripSignature(mq), sigKeyId: key.id, sig: mac(mq, key.id, key.secret).toString('base64url') };
}

/**
 * Checks a consumed message's signature against the keys this consumer accepts (id -> secret: the current
 * key and, while keys rotate, the previous one). Constant-time; never throws. The reason says what was
 * wrong (missing, unknown key id, malformed, does not match) without echoing any secret.
 */
export function verifySendGift(mq: SendGiftMq, keys: ReadonlyMap<string, string>): SignatureCheck {
  if (mq.sig === undefined || mq.sigKeyId === undefined) return { ok: false, reason: 'signature missing' };
  const secret = keys.get(mq.sigKeyId);
  if (secret === undefined)
    return { ok: false, reason: `signature under an unknown key id ${JSON.stringify(mq.sigKeyId.slice(0, 40))}` };
  if (!SIGNATURE_PATTERN.test(mq.sig)) return { ok: false, reason: 'signature malformed' };
  const expected = mac(mq, mq.sigKeyId, secret);
  if (!timingSafeEqual(expected, Buffer.from(mq.sig, 'base64url')))
    return { ok: false, reason: `signature does not match (key id ${mq.sigKeyId})` };
  return { ok: true, keyId: mq.sigKeyId };
}

/**
 * Parses a verification key set, `id1:secret1,id2:secret2` (a secret may hold ':' but not ','), or throws
 * naming what is wrong (never the secret). Every secret needs SIGNING_SECRET_MIN_BYTES bytes.
 */
export function parseSigningKeys(spec: string): Map<string, string> {
  const keys = new Map<string, string>();
  for (const entry of spec.split(',')) {
    const at = entry.indexOf(':');
    const id = entry.slice(0, at).trim();
    const secret = entry.slice(at + 1);
    if (at < 0 || !SIGNING_KEY_ID_PATTERN.test(id))
      throw new Error(
        `signing keys: "${entry.slice(0, 20)}..." is not id:secret with an id of 1-32 of A-Z a-z 0-9 _ . -`,
      );
    if (Buffer.byteLength(secret) < SIGNING_SECRET_MIN_BYTES)
      throw new Error(`signing keys: the secret of key ${id} is shorter than ${SIGNING_SECRET_MIN_BYTES} bytes`);
    if (keys.has(id)) throw new Error(`signing keys: key id ${id} is given twice`);
    keys.set(id, secret);
  }
  return keys;
}

/** `id:secret,...` with 1+ keys, each secret 32+ characters: for env validation (parseSigningKeys checks bytes). */
export const SIGNING_KEYS_SPEC_PATTERN = /^[A-Za-z0-9_.-]{1,32}:[^,]{32,}(,[A-Za-z0-9_.-]{1,32}:[^,]{32,})*$/;

function stripSignature(mq: UnsignedSendGift & Partial<Pick<SendGiftMq, 'sigKeyId' | 'sig'>>): UnsignedSendGift {
  const { userId, giftId, giftName, price, count, receiverId, roomId, url, requestId, type, sendTime, pkId } = mq;
  const unsigned = { userId, giftId, giftName, price, receiverId, roomId, url, requestId, type, sendTime };
  return { ...unsigned, ...(count === undefined ? {} : { count }), ...(pkId === undefined ? {} : { pkId }) };
}
