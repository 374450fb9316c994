import { GiftRpc } from '../rpc/patterns';
import { orderKind } from './order.signature';

/**
 * The gift-service calls that change the gift catalogue on an admin's word: adding a gift and changing one
 * (its price above all: every gift the gateway signs after it is charged at the catalogue's price, and the
 * sender never names a price). gift-service carries one out only with api-gateway's signature of it
 * (`authority`), made after the gateway authenticated the admin: holding the internal RPC key, which every
 * service holds (im-core and im-router face the internet), is not enough to reprice what viewers pay (a
 * reviewer's finding, 2026-12-01: a signed `gift.update` from any RPC-key holder repriced a gift within the
 * gateways' 5 s gift cache). Signed with a key of its own (CATALOGUE_ORDER_SIGNING_KEY, checked with
 * CATALOGUE_ORDER_VERIFY_KEYS, which gift-service alone holds): not the gift key, which bank-service holds too,
 * and an HMAC key that checks can also sign; the tag keeps the kinds of orders apart besides.
 */
export const CATALOGUE_ORDER_PATTERNS = [GiftRpc.INSERT, GiftRpc.UPDATE] as const;
export type CatalogueOrderPattern = (typeof CATALOGUE_ORDER_PATTERNS)[number];

const catalogueOrders = orderKind<CatalogueOrderPattern>('catalogue_order/v1');

/** The catalogue order with api-gateway's signature (`authority`) under `key` (CATALOGUE_ORDER_SIGNING_KEY), made at `now`. */
export const signCatalogueOrder = catalogueOrders.sign;

/** Checks a catalogue order's `authority` against the keys gift-service accepts (CATALOGUE_ORDER_VERIFY_KEYS). */
export const verifyCatalogueOrder = catalogueOrders.verify;

/**
 * gift-service's other calls on a user's word: taking and leaving a PK's challenger seat. The challenger is who
 * viewers' gifts "to the challenger" credit, so gift-service seats or unseats a user only with api-gateway's
 * signature of it, made for the token's user (an RPC-key review, 2026-12-01: any holder of the internal key
 * ended a PK and seated itself). Signed with gift-service's key (CATALOGUE_ORDER_SIGNING_KEY: the key of the
 * calls gift-service carries out only on the gateway's word) under a tag of its own.
 */
export const PK_SEAT_PATTERNS = [GiftRpc.PK_ONLINE, GiftRpc.PK_OFFLINE] as const;
export type PkSeatPattern = (typeof PK_SEAT_PATTERNS)[number];

const pkSeats = orderKind<PkSeatPattern>('pk_seat/v1');

/** The seat call with api-gateway's signature (`authority`) under `key` (CATALOGUE_ORDER_SIGNING_KEY), made at `now`. */
export const signPkSeatOrder = pkSeats.sign;

/** Checks a seat call's `authority` against the keys gift-service accepts (CATALOGUE_ORDER_VERIFY_KEYS). */
export const verifyPkSeatOrder = pkSeats.verify;
