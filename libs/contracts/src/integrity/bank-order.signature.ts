import { BankRpc } from '../rpc/patterns';
import { ORDER_AUTHORITY_PATTERN, ORDER_MAX_SKEW_MS, orderKind } from './order.signature';

/**
 * The bank-service calls that move money or a wallet's rights on a user's or an admin's word, which only
 * api-gateway (the one service that authenticates users and admins) may make: a withdrawal, its review
 * (approve, reject, mark paid), a recharge's refund, a freeze and an unfreeze; and a recharge order's creation (an
 * RPC-key review, 2026-12-01: any holder made orders for any user, filling their BANK_MAX_OPEN_ORDERS so their
 * own recharges were refused, and rows kept for good). bank-service carries one out
 * only with api-gateway's signature of it (`authority`), as it charges a gift only with the gateway's
 * signature of the gift: holding the internal RPC key (every service holds it) is not enough.
 */
export const BANK_ORDER_PATTERNS = [
  BankRpc.CREATE_PAY_ORDER,
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
export const BANK_ORDER_MAX_SKEW_MS = ORDER_MAX_SKEW_MS;

/** `v2.<key id>.<signed at, epoch ms>.<nonce>.<HMAC-SHA256, base64url>`: one field, checked by its pattern first. */
export const BANK_ORDER_AUTHORITY_PATTERN = ORDER_AUTHORITY_PATTERN;

const bankOrders = orderKind<BankOrderPattern>('bank_order/v1');

/** The order with api-gateway's signature (`authority`) under `key` (BANK_ORDER_SIGNING_KEY), made at `now`. */
export const signBankOrder = bankOrders.sign;

/** Checks a bank order's `authority` against the keys bank-service accepts (BANK_ORDER_VERIFY_KEYS). */
export const verifyBankOrder = bankOrders.verify;
