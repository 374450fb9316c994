import { SignedOrderRequest } from '../signed-order.dto';

/** A request bank-service carries out only with api-gateway's signature of it (see BANK_ORDER_PATTERNS). */
export class BankOrderRequest extends SignedOrderRequest {}
