import { BankOrderPattern, parseSigningKeys, SignatureCheck, verifyBankOrder } from '@live/contracts';
import { Injectable } from '@nestjs/common';
import { SigningKeysSetting } from './gift-order-keys';

/** The keys bank-service accepts api-gateway's bank orders under (a withdrawal, its review, a refund, a freeze). */
export class BankOrderKeysEnv {
  /**
   * `id:secret,id2:secret2` (each secret 32+ bytes): api-gateway's current BANK_ORDER_SIGNING_KEY and, while
   * rotating, the previous one. Held by bank-service ONLY, apart from the gift keys: an HMAC key that checks
   * can also sign, and gift-service holds GIFT_MSG_VERIFY_KEYS. No default: an unsigned order does nothing.
   */
  @SigningKeysSetting('BANK_ORDER_VERIFY_KEYS')
  BANK_ORDER_VERIFY_KEYS: string = '';
}

/** Checks api-gateway's signature of a bank order (constant time, never throws). Provide with BankOrderKeysEnv. */
@Injectable()
export class BankOrderKeys {
  private readonly keys: ReadonlyMap<string, string>;

  constructor(env: BankOrderKeysEnv) {
    this.keys = parseSigningKeys(env.BANK_ORDER_VERIFY_KEYS);
  }

  verify(pattern: BankOrderPattern, order: object): SignatureCheck {
    return verifyBankOrder(pattern, order as Record<string, unknown>, this.keys);
  }
}
