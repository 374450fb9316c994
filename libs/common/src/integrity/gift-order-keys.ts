import {
  parseSigningKeys,
  SendGiftMq,
  SignatureCheck,
  SIGNING_KEYS_SPEC_PATTERN,
  verifySendGift,
} from '@live/contracts';
import { applyDecorators, Injectable } from '@nestjs/common';
import { Matches } from 'class-validator';
import { Secret } from '../config';

/**
 * A setting holding verification keys, `id:secret,id2:secret2` (each secret 32+ bytes): each secret checked
 * as a secret (production: set, long enough, not published), the whole as id:secret pairs.
 */
export function SigningKeysSetting(name: string): PropertyDecorator {
  return applyDecorators(
    Secret({ parts: (raw) => raw.split(',').map((pair) => pair.slice(pair.indexOf(':') + 1).trim()) }),
    Matches(SIGNING_KEYS_SPEC_PATTERN, {
      message: `${name} must be id:secret pairs separated by commas, ids of 1-32 of A-Z a-z 0-9 _ . -, secrets of 32+ characters`,
    }),
  );
}

/** The keys a service accepts api-gateway's gift orders (send_gift messages) under. */
export class GiftOrderKeysEnv {
  /**
   * `id:secret,id2:secret2` (each secret 32+ bytes): api-gateway's current GIFT_MSG_SIGNING_KEY and, while
   * rotating, the previous one. No default: an unsigned or otherwise signed gift order is never charged.
   * gift-service checks it on every send_gift message, bank-service again on every gift it settles.
   */
  @SigningKeysSetting('GIFT_MSG_VERIFY_KEYS')
  GIFT_MSG_VERIFY_KEYS: string = '';
}

/** Checks api-gateway's signature of a gift order (constant time, never throws). Provide with GiftOrderKeysEnv. */
@Injectable()
export class GiftOrderKeys {
  private readonly keys: ReadonlyMap<string, string>;

  constructor(env: GiftOrderKeysEnv) {
    this.keys = parseSigningKeys(env.GIFT_MSG_VERIFY_KEYS);
  }

  verify(order: SendGiftMq): SignatureCheck {
    return verifySendGift(order, this.keys);
  }
}
