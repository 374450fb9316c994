import { Matches } from 'class-validator';
import { ORDER_AUTHORITY_PATTERN } from '../../integrity/order.signature';

/** A request its service carries out only with api-gateway's signature of it (a bank order, a catalogue change). */
export class SignedOrderRequest {
  /** The gateway's `v2.<key id>.<epoch ms>.<nonce>.<mac>` (signOrder); checked by the service (verifyOrder). */
  @Matches(ORDER_AUTHORITY_PATTERN, { message: 'authority must be api-gateway signature of the order' })
  authority!: string;
}

/** A signed order as the service that carries it out uses it, and as the gateway has it before signing. */
export type Unsigned<T> = Omit<T, 'authority'>;
