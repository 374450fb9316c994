import { GiftOrderKeys } from '@live/common';
import {
  GiftSettlementItem,
  GiftSettlementResult,
  NOT_SIGNED_BY_GATEWAY,
  isGiftRefusal,
  REFUSAL_NOT_CHECKED_OUT,
  settlementFingerprintParameters,
  signedOrderOf,
} from '@live/contracts';
import { Injectable, Logger } from '@nestjs/common';
import { GiftSettlementService } from './gift-settlement.service';

/**
 * The RPC face of gift settlement: bank-service, the only writer of money, charges a gift only when
 * api-gateway signed it (the send_gift signature, GIFT_MSG_VERIFY_KEYS), whoever calls. Holding the
 * internal RPC key (any service does) is not enough to move anyone's coins. An item without a valid
 * signature is answered `conflict` (not charged, nothing written: its request id stays free) and logged.
 */
@Injectable()
export class SignedGiftSettlement {
  private readonly logger = new Logger(SignedGiftSettlement.name);

  constructor(
    private readonly keys: GiftOrderKeys,
    private readonly settlement: GiftSettlementService,
  ) {}

  async settle(items: readonly GiftSettlementItem[]): Promise<GiftSettlementResult[]> {
    const verdicts = items.map((item) => this.keys.verify(signedOrderOf(item)));
    // A PK gift's pkId (signed) is part of what its request id is for: the planner's fingerprint takes it.
    const genuine = items.filter((_, i) => verdicts[i].ok).map(settlementFingerprintParameters);
    const refused = verdicts.flatMap((v, i) => (v.ok ? [] : [`${items[i].requestId} (${v.reason})`]));
    if (refused.length > 0) {
      this.logger.warn(
        `${refused.length} of ${items.length} gifts not signed by api-gateway, not charged: ${refused.slice(0, 3).join(', ')}`,
      );
    }
    const foreign = genuine.filter((g) => g.refuseUnlessSettled !== undefined && !isGiftRefusal(g.refuseUnlessSettled));
    if (foreign.length > 0)
      this.logger.warn(
        `${foreign.length} refusals asked with words not of GIFT_REFUSALS (kept as "${REFUSAL_NOT_CHECKED_OUT}" unless settled before): ${foreign
          .slice(0, 3)
          .map((g) => g.requestId)
          .join(', ')}`,
      );
    const settled = genuine.length > 0 ? await this.settlement.settleBatch(genuine) : [];
    let next = 0;
    return items.map((item, i) => {
      const verdict = verdicts[i];
      if (verdict.ok) return settled[next++];
      return {
        requestId: item.requestId,
        status: 'conflict',
        reason: `${NOT_SIGNED_BY_GATEWAY} (${verdict.reason})`,
        balanceAfter: 0,
        replayed: false,
      };
    });
  }
}
