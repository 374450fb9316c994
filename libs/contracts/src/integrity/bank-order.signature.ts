import { createHmac, timingSafeEqual } from 'node:crypto';
import { BankRpc } from '../rpc/patterns';
import { canonicalFields } from './canonical';
import { SignatureCheck, SigningKey } from './send-gift.signature';

/**
 * The bank-service calls that move money or a wallet's rights on a user's or an admin's word, which only
 * api-gateway (the one service that authenticates users and admins) may make: a withdrawal, its review
 * (approve, reject, mark paid), a recharge's refund, a freeze and an unfreeze. bank-service carries one out
 * only with api-gateway's signature of it (`authority`), as it charges a gift only with the gateway's
 * signature of the gift: holding the internal RPC key (every service holds it) is not enough.
 */
export const BANK_ORDER_PATTERNS = [
  BankRpc.CREATE_WITHDRAWAL,
  BankRpc.APPROVE_WITHDRAWAL,
  BankRpc.REJECT_WITHDRAWAL,
  BankRpc.MARK_WITHDRAWAL_PAID,
  BankRpc.REFUND_ORDER,
  BankRpc.FREEZE_ACCOUNT,
  BankRpc.UNFREEZE_ACCOUNT,
] as const;
export type BankOrderPattern = (typeof BANK_ORDER_PATTERNS)[number];

/** How far a signed order's time may be from bank-service's clock (either way), in ms. */
export const BANK_ORDER_MAX_SKEW_MS = 60_000;

/** `v1.<key id>.<signed at, epoch ms>.<HMAC-SHA256, base64url>`: one field, checked by its pattern first. */
export const BANK_ORDER_AUTHORITY_PATTERN = /^v1\.([A-Za-z0-9_.-]{1,32})\.(\d{13})\.([A-Za-z0-9_-]{43})$/;

type OrderFields = Record<string, unknown>;

/**
 * The signed bytes: the tag, the key id, the pattern (an approval's signature is not a rejection's), the
 * time, then every field of the request but `authority` (undefined ones left out), sorted by name, as
 * [name, value] pairs: a field added to a request later is signed without a change here.
 */
function mac(pattern: BankOrderPattern, order: OrderFields, keyId: string, signedAt: string, secret: string): Buffer {
  const fields = Object.keys(order)
    .filter((name) => name !== 'authority' && order[name] !== undefined)
    .sort()
    .map((name) => JSON.stringify([name, order[name]]));
  return createHmac('sha256', secret)
    .update(canonicalFields('bank_order/v1', [keyId, pattern, signedAt, ...fields]))
    .digest();
}

/** The order with api-gateway's signature (`authority`) under `key`, made at `now`. */
export function signBankOrder<T extends OrderFields>(
  pattern: BankOrderPattern,
  order: T,
  key: SigningKey,
  now = Date.now(),
): T & { authority: string } {
  const signedAt = String(now);
  const sig = mac(pattern, order, key.id, signedAt, key.secret).toString('base64url');
  return { ...order, authority: `v1.${key.id}.${signedAt}.${sig}` };
}

/**
 * Checks an order's `authority` against the keys bank-service accepts (GIFT_MSG_VERIFY_KEYS: the gateway's
 * signing keys) and its time against `now` (BANK_ORDER_MAX_SKEW_MS). Constant-time; never throws; the
 * reason names what is wrong, never a secret.
 */
export function verifyBankOrder(
  pattern: BankOrderPattern,
  order: OrderFields,
  keys: ReadonlyMap<string, string>,
  now = Date.now(),
): SignatureCheck {
  const authority = order.authority;
  if (authority === undefined) return { ok: false, reason: 'signature missing' };
  const parts = typeof authority === 'string' ? BANK_ORDER_AUTHORITY_PATTERN.exec(authority) : null;
  if (!parts) return { ok: false, reason: 'signature malformed' };
  const [, keyId, signedAt, sig] = parts;
  const secret = keys.get(keyId);
  if (secret === undefined) return { ok: false, reason: `signature under an unknown key id ${JSON.stringify(keyId)}` };
  if (Math.abs(now - Number(signedAt)) > BANK_ORDER_MAX_SKEW_MS)
    return { ok: false, reason: `signed at ${signedAt}, more than ${BANK_ORDER_MAX_SKEW_MS} ms from now` };
  if (!timingSafeEqual(mac(pattern, order, keyId, signedAt, secret), Buffer.from(sig, 'base64url')))
    return { ok: false, reason: `signature does not match (key id ${keyId})` };
  return { ok: true, keyId };
}
