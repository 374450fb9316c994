import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { canonicalFields } from './canonical';
import { SignatureCheck, SigningKey } from './send-gift.signature';

/**
 * An internal RPC request that a service carries out only on api-gateway's word (the gateway being the one
 * service that authenticates users and admins), signed by the gateway in one field, `authority`:
 * `v2.<key id>.<signed at, epoch ms>.<nonce>.<HMAC-SHA256, base64url>`. Each kind of order has its own tag (bank
 * orders, catalogue orders), so a signature of one kind is never one of another, even under the same key. The
 * nonce (12 random bytes, signed too) makes every signature the gateway makes a new one, so the service that
 * carries an order out once per signature (SignedOrderReplays) never takes two identical calls of the same
 * millisecond (two taps, two gateways) for one call sent twice. v1 (no nonce, before 2026-12-02) is refused.
 */
export const ORDER_AUTHORITY_PATTERN =
  /^v2\.([A-Za-z0-9_.-]{1,32})\.(\d{13})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$/;

/** How far a signed order's time may be from the checking service's clock (either way), in ms. */
export const ORDER_MAX_SKEW_MS = 60_000;

/** The tags of the kinds of signed orders: part of what is signed. */
export type OrderTag = 'bank_order/v1' | 'catalogue_order/v1' | 'pk_seat/v1';

type OrderFields = Record<string, unknown>;

/**
 * The signed bytes: the tag, the key id, the pattern (an approval's signature is not a rejection's), the
 * time, the nonce, then every field of the request but `authority` (undefined ones left out), sorted by name, as
 * [name, value] pairs: a field added to a request later is signed without a change here.
 */
function mac(
  tag: OrderTag,
  pattern: string,
  order: OrderFields,
  signer: { keyId: string; signedAt: string; nonce: string },
  secret: string,
) {
  const fields = Object.keys(order)
    .filter((name) => name !== 'authority' && order[name] !== undefined)
    .sort()
    .map((name) => JSON.stringify([name, order[name]]));
  return createHmac('sha256', secret)
    .update(canonicalFields(tag, [signer.keyId, pattern, signer.signedAt, signer.nonce, ...fields]))
    .digest();
}

/** The order with api-gateway's signature (`authority`) under `key`, made at `now`. */
export function signOrder<T extends OrderFields>(
  tag: OrderTag,
  pattern: string,
  order: T,
  key: SigningKey,
  now = Date.now(),
): T & { authority: string } {
  const signer = { keyId: key.id, signedAt: String(now), nonce: randomBytes(12).toString('base64url') };
  const sig = mac(tag, pattern, order, signer, key.secret).toString('base64url');
  return { ...order, authority: `v2.${key.id}.${signer.signedAt}.${signer.nonce}.${sig}` };
}

/**
 * Checks an order's `authority` against the keys accepted for its kind and its time against `now`
 * (ORDER_MAX_SKEW_MS). Constant-time; never throws; the reason names what is wrong, never a secret.
 */
export function verifyOrder(
  tag: OrderTag,
  pattern: string,
  order: OrderFields,
  keys: ReadonlyMap<string, string>,
  now = Date.now(),
): SignatureCheck {
  const authority = order.authority;
  if (authority === undefined) return { ok: false, reason: 'signature missing' };
  const parts = typeof authority === 'string' ? ORDER_AUTHORITY_PATTERN.exec(authority) : null;
  if (!parts) return { ok: false, reason: 'signature malformed' };
  const [, keyId, signedAt, nonce, sig] = parts;
  const secret = keys.get(keyId);
  if (secret === undefined) return { ok: false, reason: `signature under an unknown key id ${JSON.stringify(keyId)}` };
  if (Math.abs(now - Number(signedAt)) > ORDER_MAX_SKEW_MS)
    return { ok: false, reason: `signed at ${signedAt}, more than ${ORDER_MAX_SKEW_MS} ms from now` };
  const given = Buffer.from(sig, 'base64url');
  // 43 characters carry 258 bits for 256: four spellings decode alike. Only the one the signer writes is taken,
  // so one signature has one text (SignedOrderReplays keys its record on the text).
  if (given.toString('base64url') !== sig) return { ok: false, reason: 'signature malformed' };
  if (!timingSafeEqual(mac(tag, pattern, order, { keyId, signedAt, nonce }, secret), given))
    return { ok: false, reason: `signature does not match (key id ${keyId})` };
  return { ok: true, keyId };
}

/** The signing and checking of one kind of order (its tag), typed by the patterns that kind covers. */
export function orderKind<P extends string>(tag: OrderTag) {
  return {
    /** The order with api-gateway's signature (`authority`) under `key`, made at `now`. */
    sign: <T extends OrderFields>(pattern: P, order: T, key: SigningKey, now = Date.now()) =>
      signOrder(tag, pattern, order, key, now),
    /** Checks an order's `authority` against the keys accepted for this kind (constant time, never throws). */
    verify: (pattern: P, order: OrderFields, keys: ReadonlyMap<string, string>, now = Date.now()): SignatureCheck =>
      verifyOrder(tag, pattern, order, keys, now),
  };
}
