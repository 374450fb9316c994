import { BankClient, describeError, ImRouterClient, isOutage } from '@live/common';
import {
  GIFT_REFUSALS,
  GiftFailData,
  GiftSettlementItem,
  GiftSettlementResult,
  ImBizCode,
  SendGiftMq,
  sentGiftOf,
  validatePayload,
} from '@live/contracts';
import { ConsumedMessage } from '@live/kafka';
import { Logger } from '@nestjs/common';
import { GiftOutcomeService } from '../board/gift-outcome.service';
import { GiftRecordService } from '../gift-record/gift-record.service';
import { boundEndOf } from '../pk/pk-end';
import type { PkService } from '../pk/pk.service';
import { recordOf, toSettlementItem } from './send-gift.batch';
import { Refusal } from './send-gift.verifier';

/**
 * What happens to a gift the consumer gives up on (it failed alone, again and again, and not for an
 * outage: kafka-batch.isolation.ts) before it is parked. Its sender was told "accepted" by the gateway,
 * so it must not stay undecided: it is settled once more, alone, as a refusal unless the ledger already
 * charged it (GiftSettlementItem.refuseUnlessSettled, the bank's own idempotency):
 * - refused now (or before): the refusal is in the ledger; its 5557 goes to the sender (best effort: the
 *   refusal itself is what counts, and it stays refused whatever comes later under that request id);
 * - charged before: its gift record is written (INSERT IGNORE), so ledger and records agree, with what an
 *   earlier delivery applied in its room (its applied marker: combo, PK step; none: combo 1, step 0) so a PK's
 *   audit sums the bar's real moves; a gift that ended its PK at a bound gets its PK's follow-up (finish);
 *   the effect and the board are skipped (logged);
 * - the bank will not take it (its signature, a reused id: `conflict`), or the message does not decode or
 *   validate: nothing was charged, nothing to record.
 * Then it is parked with the reason. An outage here throws (the batch is retried, nothing is parked); a bank
 * that fails even the refusal of this one gift leaves it undecided, parked whole for an operator, loudly.
 */
export async function settlePoisoned(
  deps: {
    bank: BankClient;
    imRouter: ImRouterClient;
    records: GiftRecordService;
    logger: Logger;
    outcomes: Pick<GiftOutcomeService, 'appliedOf'>;
    pk: Pick<PkService, 'finish'>;
  },
  { message, reason }: Refusal<ConsumedMessage<SendGiftMq>>,
): Promise<string> {
  if (message.value === undefined) return reason;
  const gift = sentGiftOf(message.value);
  const checked = validatePayload(GiftSettlementItem, toSettlementItem(gift, message.value, GIFT_REFUSALS.givenUp));
  if (!checked.ok) return `${reason}; not a valid settlement: ${checked.error}`;
  let result: GiftSettlementResult | undefined;
  try {
    [result] = (await deps.bank.settleBatch([checked.value])).results;
  } catch (err: unknown) {
    if (isOutage(err)) throw err;
    // The partition must move on: the gift is parked whole (raw value included) for an operator to replay.
    deps.logger.error(`gift ${gift.requestId} left undecided: its refusal could not be recorded: ${String(err)}`);
    return `${reason}; its refusal could not be recorded either (${describeError(err)}): undecided, replay it from the parked topic`;
  }
  if (result?.status === 'charged') {
    const applied = await deps.outcomes.appliedOf(gift);
    if (applied?.pk?.ended) await deps.pk.finish(boundEndOf(gift.roomId, applied.pk));
    await deps.records.recordCharged([recordOf({ gift, combo: applied?.combo ?? 1, pk: applied?.pk })]);
    deps.logger.error(`gift ${gift.requestId} was charged; its effect is not shown (parked: ${reason})`);
    return `charged before, recorded, effect not shown: ${reason}`;
  }
  if (result?.status === 'rejected') {
    const data: GiftFailData = { requestId: gift.requestId, msg: result.reason ?? 'gift not charged' };
    await deps.imRouter
      .sendToUser({ msgId: gift.requestId, userId: gift.senderId, bizCode: ImBizCode.GIFT_FAIL, data })
      .catch((err: unknown) => deps.logger.warn(`gift ${gift.requestId}: its 5557 was not pushed: ${String(err)}`));
    return `refused in the ledger: ${reason}`;
  }
  return `${reason}; the bank answered ${result?.status ?? 'nothing'}: ${result?.reason ?? ''}`;
}
