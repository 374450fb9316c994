import { Matches } from 'class-validator';
import { BANK_ORDER_AUTHORITY_PATTERN } from '../../../integrity/bank-order.signature';

/** A request bank-service carries out only with api-gateway's signature of it (see BANK_ORDER_PATTERNS). */
export class BankOrderRequest {
  /** signBankOrder's `v1.<key id>.<epoch ms>.<mac>`; checked by bank-service (verifyBankOrder). */
  @Matches(BANK_ORDER_AUTHORITY_PATTERN, { message: 'authority must be api-gateway signature of the order' })
  authority!: string;
}
