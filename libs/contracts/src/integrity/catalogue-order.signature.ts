import { GiftRpc } from '../rpc/patterns';
import { orderKind } from './order.signature';

/**
 * The gift-service calls that change the gift catalogue on an admin's word: adding a gift and changing one
 * (its price above all: every gift the gateway signs after it is charged at the catalogue's price, and the
 * sender never names a price). gift-service carries one out only with api-gateway's signature of it
 * (`authority`), made after the gateway authenticated the admin: holding the internal RPC key, which every
 * service holds (im-core and im-router face the internet), is not enough to reprice what viewers pay (a
 * reviewer's finding, 2026-12-01: a signed `gift.update` from any RPC-key holder repriced a gift within the
 * gateways' 5 s gift cache). Signed with the gateway's gift key (GIFT_MSG_SIGNING_KEY, checked with
 * GIFT_MSG_VERIFY_KEYS, held by gift-service and bank-service only) under a tag of its own: a catalogue
 * signature is never a gift's.
 */
export const CATALOGUE_ORDER_PATTERNS = [GiftRpc.INSERT, GiftRpc.UPDATE] as const;
export type CatalogueOrderPattern = (typeof CATALOGUE_ORDER_PATTERNS)[number];

const catalogueOrders = orderKind<CatalogueOrderPattern>('catalogue_order/v1');

/** The catalogue order with api-gateway's signature (`authority`) under `key` (GIFT_MSG_SIGNING_KEY), made at `now`. */
export const signCatalogueOrder = catalogueOrders.sign;

/** Checks a catalogue order's `authority` against the gateway's gift keys (GIFT_MSG_VERIFY_KEYS). */
export const verifyCatalogueOrder = catalogueOrders.verify;
