import { BankClient, BaseErrorCode, BizException, ImRouterClient, RefusalLog } from '@live/common';
import {
  GiftSettlementItem,
  giftRequestFingerprint,
  KafkaTopic,
  NOT_SIGNED_BY_GATEWAY,
  SendGiftMq,
  SentGift,
  sentGiftOf,
  settlementItemOfMessageProblem,
} from '@live/contracts';
import { ConsumedBatch, ConsumedMessage, KafkaProducerService } from '@live/kafka';
import { Injectable, Logger } from '@nestjs/common';
import { GiftOutcomeService } from '../board/gift-outcome.service';
import { GiftServiceEnv } from '../config/gift-service.env';
import { GiftRecordService } from '../gift-record/gift-record.service';
import { boundEndOf } from '../pk/pk-end';
import { PkService } from '../pk/pk.service';
import { GiftEffectPusher } from './gift-effect.pusher';
import {
  Decoded,
  describeBatches,
  describeReport,
  firstOfEachRequest,
  parkedRecordOf,
  recordOf,
  SendGiftBatchReport,
  Settled,
  timed,
  toSettlementItem,
} from './send-gift.batch';
import { settlePoisoned } from './send-gift.poison';
import { Dispute, Refusal, SendGiftVerifier } from './send-gift.verifier';

/**
 * The work of one `send_gift` batch, in the order DESIGN.md gives, every step idempotent so a
 * redelivery (crash, failure, rebalance) repeats it harmlessly:
 *  1. park what cannot be used: undecodable; not signed by api-gateway under an accepted key; a price that
 *     is not the catalogue's or a receiver that is not the room's anchor (SendGiftVerifier; such a signed
 *     message is settled only as the replay of an earlier delivery, else refused: 5557 to its sender);
 *     not a valid settlement item (checked with the bank's own contract class, so the bank never refuses
 *     the batch for one gift); a request id the ledger holds for something else (`conflict`).
 *     Never blocks the partition;
 *  2. settle the whole batch in ONE bank-service call (one database transaction; replays answer as before);
 *  3. room-side outcome per gift in Redis (combo, contribution board), once per request id (whatever room);
 *     a replay whose gift record exists is done already (t_gift_record is the authority past the
 *     redelivery window, when its Redis keys are gone): no outcome, no push again;
 *  4. pushes through im-router: 5556 effects to the rooms in one call, 5557 to each refused sender;
 *     a gift already pushed by an earlier delivery is not pushed again (msgId = request id either way);
 *     one a node failed is not done and fails the run, so it is pushed again (GiftEffectPusher, bounded);
 *  5. the done gifts (pushed now or before, or given up): records for the charged ones (INSERT IGNORE on the
 *     request id; a record means "applied and pushed"), then their Redis keys are marked and cut to the
 *     redelivery window (GIFT_OUTCOME_WINDOW_MS);
 *  6. resolve: the consumer commits the offsets only after this returns.
 * Any step throwing fails the batch: it is redelivered and the steps run again.
 */
const REUSED = '(idempotency key reused)'; // how the reason of a parked reuse of a request id ends

@Injectable()
export class SendGiftPipeline {
  private readonly logger = new Logger(SendGiftPipeline.name);
  /** A parked message's line, 20 per 10 s then a count; reused ids (a client can have 100 a second) apart from the rest. */
  private readonly parkedLines = new RefusalLog(this.logger, 20, 10_000, 'parked messages');
  private readonly reusedLines = new RefusalLog(this.logger, 20, 10_000, 'parked messages (reused request ids)');
  private readonly pusher: GiftEffectPusher;

  constructor(
    private readonly bank: BankClient,
    private readonly imRouter: ImRouterClient,
    private readonly producer: KafkaProducerService,
    private readonly records: GiftRecordService,
    private readonly outcomes: GiftOutcomeService,
    private readonly verifier: SendGiftVerifier,
    private readonly env: GiftServiceEnv,
    private readonly pk: PkService,
  ) {
    this.pusher = new GiftEffectPusher(imRouter, env.GIFT_PUSH_MAX_ATTEMPTS);
  }

  /**
   * One pipeline run over consumed batches (usually several partitions' batches merged by the
   * coalescer: one bank transaction for all of them). Each partition's messages stay in their order.
   */
  async process(batches: readonly ConsumedBatch<SendGiftMq>[]): Promise<SendGiftBatchReport> {
    const started = Date.now();
    const { valid, disputes, parked: early } = await this.admit(batches.flatMap((b) => b.messages));
    const t0 = Date.now();
    const { settled: answered, refused } = await this.settle(valid, disputes);
    const t1 = Date.now();
    const { shown, outcomes, late, parked } = await this.claimOutcomes(answered, disputes, started);
    await this.park([...refused, ...parked]);
    const t2 = Date.now();
    const [pushed, pushesMs] = await timed(this.pusher.push(shown, outcomes));
    // Done: pushed now or by an earlier delivery, or given up. Recorded (a record: applied and pushed) before
    // their Redis keys are cut to the window, so they are never without both.
    const done = shown
      .map((s, i) => ({ ...s, combo: outcomes[i].combo, pk: outcomes[i].pk }))
      .filter((s, i) => outcomes[i].pushed || pushed.done.has(s.gift.requestId));
    // A gift that took a PK's bar to a bound ended it (the room script decided, once): its 5561, its row. Before
    // the records: a failure redelivers the batch, whose applied markers answer `ended` again.
    for (const { gift, pk } of done)
      if (pk?.ended && pushed.done.has(gift.requestId)) await this.pk.finish(boundEndOf(gift.roomId, pk));
    const [recordsWritten, recordsMs] = await timed(
      this.records
        .recordCharged(done.filter((s) => s.result.status === 'charged').map(recordOf))
        .catch(async (err: unknown) => {
          // The pushes went out: say so before the batch fails, so its redelivery records them and never
          // pushes them again (their keys keep the message's life: nothing is cut before the record).
          await this.outcomes.markPushed([...pushed.done], true).catch(() => undefined);
          throw err;
        }),
    );
    await this.outcomes.done([
      ...done.map(({ gift, result }) => ({ ...gift, charged: result.status === 'charged' })),
      // Done before: their keys may still be held (a delivery that failed after its record): cut them too.
      ...late.map(({ gift }) => ({ ...gift, charged: true })),
    ]);
    if (pushed.failure) throw pushed.failure;
    const settled = answered.filter((s) => s.result.status !== 'conflict');
    const report: SendGiftBatchReport = {
      gifts: valid.length,
      charged: settled.filter((s) => s.result.status === 'charged' && !s.result.replayed).length,
      rejected: settled.filter((s) => s.result.status === 'rejected' && !s.result.replayed).length,
      replayed: settled.filter((s) => s.result.replayed).length,
      parked: early + refused.length + parked.length,
      recordsWritten,
      effectsPushed: pushed.effectsPushed,
      failuresPushed: pushed.failuresPushed,
    };
    const oldest = valid.reduce((age, m) => Math.max(age, started - m.value.sendTime), 0);
    const timings = `admit ${t0 - started}, bank ${t1 - t0}, outcomes ${t2 - t1}, pushes ${pushesMs}, records ${recordsMs}`;
    this.logger.log(
      `${describeBatches(batches)}: ${describeReport(report)}${late.length > 0 ? ` (${late.length} replays recorded before: no effect again)` : ''} in ${Date.now() - started} ms, oldest sent ${oldest} ms before (${timings})`,
    );
    return report;
  }

  /**
   * Step 1: parks what is undecodable or not signed as it must be; the rest is settled in delivery order,
   * a disputed one (signed, but no longer checking out) only as the replay of an earlier delivery.
   */
  private async admit(messages: ConsumedMessage<SendGiftMq>[]): Promise<{
    valid: Decoded[];
    disputes: Map<ConsumedMessage<SendGiftMq>, Dispute<ConsumedMessage<SendGiftMq>>>;
    parked: number;
  }> {
    const decoded = messages.filter((m): m is Decoded => m.value !== undefined);
    const undecodable = messages.filter((m) => m.value === undefined);
    const { accepted, refused: unauthentic, disputed } = await this.verifier.check(decoded);
    await this.park([
      ...undecodable.map((m) => ({ message: m, reason: `undecodable: ${m.decodeError}` })),
      ...unauthentic,
    ]);
    const disputes = new Map<ConsumedMessage<SendGiftMq>, Dispute<ConsumedMessage<SendGiftMq>>>(
      disputed.map((d) => [d.message, d]),
    );
    const admitted = new Set<Decoded>(accepted);
    return {
      valid: decoded.filter((m) => admitted.has(m) || disputes.has(m)),
      disputes,
      parked: undecodable.length + unauthentic.length,
    };
  }

  /**
   * Step 3: the room-side outcome of each request id once (combo, board; GiftOutcomeService), for the
   * gifts to show. Not shown, and parked: a disputed message refused now; a request id the ledger or the
   * outcome record or the gift record holds for something else. Not shown, not parked (`late`): a charged
   * replay whose gift record exists (done: applied and pushed; t_gift_record is the authority once its Redis
   * keys expired after the redelivery window); a refused replay settled before the window (its 5557 went then).
   */
  private async claimOutcomes(
    answered: Settled[],
    disputes: ReadonlyMap<ConsumedMessage<SendGiftMq>, Dispute<ConsumedMessage<SendGiftMq>>>,
    now: number,
  ) {
    const conflicts = answered.filter((s) => s.result.status === 'conflict');
    const stale = answered
      .filter((s) => disputes.has(s.message) && !s.result.replayed && s.result.status !== 'conflict')
      .map((s) => disputes.get(s.message)!);
    const settled = answered.filter((s) => s.result.status !== 'conflict');
    const { late, reusedLate, skipped } = await this.doneBefore(settled, now);
    const claimed = firstOfEachRequest(
      settled.filter((s) => !late.includes(s) && !reusedLate.includes(s) && !skipped.has(s)),
    );
    const claims = await this.outcomes.apply(
      claimed.map(({ gift, result }) => ({
        ...gift,
        charged: result.status === 'charged',
        fingerprint: giftRequestFingerprint(gift),
      })),
      this.env.GIFT_COMBO_WINDOW_MS,
    );
    // The outcome record (or past the window the gift record) is the second line: a reused id the ledger
    // could not tell (a row older than fingerprints).
    const reused = [...conflicts, ...reusedLate, ...claimed.filter((_, i) => claims[i].conflict)];
    const parked = [
      ...stale,
      ...reused.map(({ message, gift, result }) => ({
        message,
        // The bank's own word when it gave one (e.g. a signature it does not accept), else the reuse.
        reason: result.reason?.startsWith('not charged')
          ? result.reason
          : `not charged: request id ${gift.requestId} was already used with different parameters ${REUSED}`,
      })),
    ];
    return {
      shown: claimed.filter((_, i) => !claims[i].conflict),
      outcomes: claims.filter((c) => !c.conflict),
      late,
      parked,
    };
  }

  /**
   * Replays done by an earlier delivery, by the database's word: a charged replay whose gift record exists
   * (written only once its outcome was applied and pushed). One query per batch holding charged replays,
   * none on the normal path (first deliveries are never replays). A charged replay without a record is a
   * delivery that never finished: its Redis keys are held until it does (however long), so it is applied
   * and pushed at most once. A refused replay settled before the redelivery window (its keys may have
   * expired) is skipped: its 5557 went with its first delivery (or, if that delivery died before pushing
   * and came back only after the window, a refusal notice that late is dropped: never sent twice).
   */
  private async doneBefore(
    settled: Settled[],
    now: number,
  ): Promise<{ late: Settled[]; reusedLate: Settled[]; skipped: Set<Settled> }> {
    const window = this.env.GIFT_OUTCOME_WINDOW_MS;
    const skipped = new Set(
      settled.filter(
        (s) =>
          s.result.replayed &&
          s.result.status === 'rejected' &&
          s.result.settledAt !== undefined &&
          now - s.result.settledAt > window,
      ),
    );
    const charged = settled.filter((s) => s.result.replayed && s.result.status === 'charged');
    if (charged.length === 0) return { late: [], reusedLate: [], skipped };
    const recorded = await this.records.recorded([...new Set(charged.map((s) => s.gift.requestId))]);
    const done = charged.filter((s) => recorded.has(s.gift.requestId));
    // A record of another gift under this request id: a reuse, parked as the outcome record would have it.
    const same = (s: Settled) => recorded.get(s.gift.requestId) === giftRequestFingerprint(s.gift);
    return { late: done.filter(same), reusedLate: done.filter((s) => !same(s)), skipped };
  }

  /**
   * One bank call for the batch. Each item is first checked against GiftSettlementItem, the class the
   * bank validates the batch with (settlementItemOfMessageProblem: what that class adds to SendGiftMq's
   * checks): an item it would refuse is parked with the reason instead of being sent, so one bad message
   * never blocks the others. Any error of the call fails the batch (retried).
   */
  private async settle(
    messages: Decoded[],
    disputes: ReadonlyMap<ConsumedMessage<SendGiftMq>, Dispute<ConsumedMessage<SendGiftMq>>>,
  ): Promise<{ settled: Settled[]; refused: Refusal<ConsumedMessage<SendGiftMq>>[] }> {
    const sendable: { message: Decoded; gift: SentGift; item: GiftSettlementItem }[] = [];
    const refused: Refusal<ConsumedMessage<SendGiftMq>>[] = [];
    for (const message of messages) {
      const gift = sentGiftOf(message.value);
      const item = toSettlementItem(gift, message.value, disputes.get(message)?.senderReason);
      // The message passed SendGiftMq's validation: only what the item adds is checked (no class-validator per gift).
      const problem = settlementItemOfMessageProblem(item);
      if (problem === null) sendable.push({ message, gift, item });
      else refused.push({ message, reason: `not a valid settlement: ${problem}` });
    }
    if (sendable.length === 0) return { settled: [], refused };
    const { results } = await this.bank.settleBatch(sendable.map((s) => s.item));
    if (results.length !== sendable.length)
      throw new Error(`bank answered ${results.length} results for ${sendable.length} gifts`);
    // This instance accepted their signatures, the bank did not: the two hold different keys (a rotation
    // half done). Retried until they agree, never parked: these gifts are genuine, and their senders were told "accepted".
    const disowned = results.find((r) => r.status === 'conflict' && r.reason?.startsWith(NOT_SIGNED_BY_GATEWAY));
    if (disowned) {
      // SERVICE_UNAVAILABLE: an outage of configuration, retried with backoff and never parked.
      throw new BizException(
        BaseErrorCode.SERVICE_UNAVAILABLE,
        `bank-service refuses a signature gift-service accepts (${disowned.reason}): GIFT_MSG_VERIFY_KEYS differ between them`,
      );
    }
    return { settled: sendable.map(({ message, gift }, i) => ({ message, gift, result: results[i] })), refused };
  }

  /** The consumer's poison path: a gift it gives up on gets a decided outcome first (settlePoisoned), then is parked. */
  async parkPoisoned(message: ConsumedMessage<SendGiftMq>, reason: string): Promise<void> {
    const { bank, imRouter, records, logger, outcomes, pk } = this;
    const deps = { bank, imRouter, records, logger, outcomes, pk };
    await this.park([{ message, reason: await settlePoisoned(deps, { message, reason }) }]);
  }

  /** Parking is durable before the offsets move: awaited like every other step. */
  async park(items: Refusal<ConsumedMessage<SendGiftMq>>[]): Promise<void> {
    if (items.length === 0) return;
    for (const { message, reason } of items)
      (reason.endsWith(REUSED) ? this.reusedLines : this.parkedLines).refused(
        `${message.topic}[${message.partition}]@${message.offset} parked: ${reason}`,
      );
    await this.producer.send(KafkaTopic.SEND_GIFT_PARKED, items.map(parkedRecordOf));
  }
}
