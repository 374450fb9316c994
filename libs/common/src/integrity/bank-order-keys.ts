import {
  BankOrderPattern,
  CatalogueOrderPattern,
  parseSigningKeys,
  PkSeatPattern,
  SignatureCheck,
  verifyBankOrder,
  verifyCatalogueOrder,
  verifyPkSeatOrder,
} from '@live/contracts';
import { Injectable } from '@nestjs/common';
import { BaseErrorCode, BizException } from '../errors';
import { SigningKeysSetting } from './gift-order-keys';

/** Checks api-gateway's signature of one kind of order against the keys of a setting (constant time, never throws). */
class SignedOrderKeys<P extends string> {
  private readonly keys: ReadonlyMap<string, string>;

  constructor(
    spec: string,
    private readonly check: (
      pattern: P,
      order: Record<string, unknown>,
      keys: ReadonlyMap<string, string>,
    ) => SignatureCheck,
  ) {
    this.keys = parseSigningKeys(spec);
  }

  verify(pattern: P, order: object): SignatureCheck {
    return this.check(pattern, order as Record<string, unknown>, this.keys);
  }

  /**
   * The order without its signature, if api-gateway signed it; else FORBIDDEN (nothing done) and `refused` told
   * why (for the log: a key id, a time; the answer, which the gateway may pass on to a client, names neither).
   */
  required<T extends { authority: string }>(
    pattern: P,
    order: T,
    refused: (reason: string) => void,
  ): Omit<T, 'authority'> {
    const check = this.verify(pattern, order);
    if (!check.ok) {
      refused(check.reason);
      throw new BizException(BaseErrorCode.FORBIDDEN, 'not signed by api-gateway: nothing done');
    }
    const { authority: _authority, ...unsigned } = order;
    return unsigned;
  }
}

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

/** Checks api-gateway's signature of a bank order. Provide with BankOrderKeysEnv. */
@Injectable()
export class BankOrderKeys extends SignedOrderKeys<BankOrderPattern> {
  constructor(env: BankOrderKeysEnv) {
    super(env.BANK_ORDER_VERIFY_KEYS, verifyBankOrder);
  }
}

/** The keys gift-service accepts api-gateway's catalogue changes under (an admin's insert or update of a gift). */
export class CatalogueOrderKeysEnv {
  /**
   * `id:secret,id2:secret2` (each secret 32+ bytes): api-gateway's current CATALOGUE_ORDER_SIGNING_KEY and, while
   * rotating, the previous one. Held by gift-service ONLY: not the gift key, which bank-service holds too (an
   * HMAC key that checks can also sign). No default: an unsigned change does nothing.
   */
  @SigningKeysSetting('CATALOGUE_ORDER_VERIFY_KEYS')
  CATALOGUE_ORDER_VERIFY_KEYS: string = '';
}

/**
 * Checks api-gateway's signature of a catalogue change, and (`pkSeats`) of a PK seat call: the two kinds of calls
 * gift-service carries out only on the gateway's word, under its keys. Provide with CatalogueOrderKeysEnv.
 */
@Injectable()
export class CatalogueOrderKeys extends SignedOrderKeys<CatalogueOrderPattern> {
  /** Taking and leaving a PK's challenger seat (PK_SEAT_PATTERNS), for the gateway's user. */
  readonly pkSeats: SignedOrderKeys<PkSeatPattern>;

  constructor(env: CatalogueOrderKeysEnv) {
    super(env.CATALOGUE_ORDER_VERIFY_KEYS, verifyCatalogueOrder);
    this.pkSeats = new SignedOrderKeys(env.CATALOGUE_ORDER_VERIFY_KEYS, verifyPkSeatOrder);
  }
}
