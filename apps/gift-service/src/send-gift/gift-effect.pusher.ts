import { BaseErrorCode, BizException, ImRouterClient } from '@live/common';
import {
  GiftFailData,
  IM_MAX_BATCH_MESSAGES,
  ImBizCode,
  ImRouteResponse,
  ImSendMsgRequest,
  ImSendToRoomRequest,
  SentGift,
} from '@live/contracts';
import { Logger } from '@nestjs/common';
import { GiftOutcome } from '../board/gift-outcome.service';
import { giftEffectData, Settled } from './send-gift.batch';

/** Request ids whose push attempts are counted at once; past it the oldest count is forgotten. */
const MAX_COUNTED = 100_000;

/**
 * Step 5 of the gift path: the 5556 effects of a run to their rooms (one SEND_TO_ROOMS per 1,000), a 5557
 * to each refused sender; msgId = request id. A gift is answered `done` (to be recorded and marked pushed by
 * the pipeline) only once im-router delivered it without a failed node. One that a node failed
 * (`failedNodes`) is not done and the run fails with `failure`, SERVICE_UNAVAILABLE (an outage: retried,
 * never parked), after the done ones are recorded and marked, so the redelivery pushes it again; im-core writes
 * a msgId once per room and user, so the viewers who had it do not see it twice. Bounded: at the
 * `maxAttempts`-th delivery that still fails, the push is given up, the gift marked and an error logged
 * with its request id (the gift is charged; only its effect is lost). Attempts are counted in this
 * process (a restart or a partition moving to another instance counts afresh).
 */
export class GiftEffectPusher {
  private readonly logger = new Logger(GiftEffectPusher.name);
  private readonly attempts = new Map<string, number>();

  constructor(
    private readonly imRouter: ImRouterClient,
    private readonly maxAttempts: number,
  ) {}

  /**
   * Pushes what was not pushed yet. `done`: the request ids now delivered or given up (those pushed by an
   * earlier delivery are the caller's to add); `failure`: to throw once the done ones are recorded.
   */
  async push(
    settled: readonly Settled[],
    outcomes: readonly GiftOutcome[],
  ): Promise<{ effectsPushed: number; failuresPushed: number; done: Set<string>; failure?: BizException }> {
    const due = settled.map((s, i) => ({ ...s, outcome: outcomes[i] })).filter((s) => !s.outcome.pushed);
    const effects = due.filter((s) => s.result.status === 'charged');
    const failures = due.filter((s) => s.result.status === 'rejected');
    const roomMessages = effects.flatMap(({ gift, outcome }) => roomMessagesOf(gift, outcome));
    const answers: (ImRouteResponse | undefined)[] = [];
    for (let i = 0; i < roomMessages.length; i += IM_MAX_BATCH_MESSAGES) {
      const chunk = roomMessages.slice(i, i + IM_MAX_BATCH_MESSAGES).map((m) => m.message);
      const { results } = await this.imRouter.sendToRooms(chunk);
      answers.push(...chunk.map((m, j) => (results[j]?.msgId === m.msgId ? results[j] : undefined)));
    }
    const failed = new Map<string, string[]>();
    roomMessages.forEach(({ requestId }, i) => noteFailure(failed, requestId, answers[i]));
    await Promise.all(
      failures.map(async ({ gift, result }) => {
        const data: GiftFailData = { requestId: gift.requestId, msg: result.reason ?? 'gift not charged' };
        const request: ImSendMsgRequest<ImBizCode.GIFT_FAIL> = {
          msgId: gift.requestId,
          userId: gift.senderId,
          bizCode: ImBizCode.GIFT_FAIL,
          data,
        };
        noteFailure(failed, gift.requestId, await this.imRouter.sendToUser(request));
      }),
    );
    const again = this.pushAgain(failed);
    const done = new Set(due.map(({ gift }) => gift.requestId).filter((id) => !again.has(id)));
    const counts = { effectsPushed: effects.length, failuresPushed: failures.length, done };
    if (again.size === 0) return counts;
    const nodes = [...new Set([...again].flatMap((id) => failed.get(id) ?? []))].sort().join(', ');
    const failure = new BizException(
      BaseErrorCode.SERVICE_UNAVAILABLE,
      `${again.size} gift push(es) failed on im-core node(s) ${nodes}: pushed again on redelivery`,
    );
    return { ...counts, failure };
  }

  /** The request ids to push again (counted); a push failed `maxAttempts` times is given up, loudly. */
  private pushAgain(failed: ReadonlyMap<string, string[]>): Set<string> {
    const again = new Set<string>();
    for (const [requestId, nodes] of failed) {
      const attempts = (this.attempts.get(requestId) ?? 0) + 1;
      this.attempts.delete(requestId);
      if (attempts >= this.maxAttempts) {
        this.logger.error(
          `gift ${requestId}: its push failed on im-core node(s) ${nodes.join(', ')} ${attempts} times: given up ` +
            `(the gift is charged; only its effect is lost for the viewers on those nodes)`,
        );
        continue;
      }
      this.attempts.set(requestId, attempts);
      again.add(requestId);
      if (this.attempts.size > MAX_COUNTED) this.attempts.delete(this.attempts.keys().next().value as string);
    }
    return again;
  }
}

function noteFailure(failed: Map<string, string[]>, requestId: string, answer: ImRouteResponse | undefined): void {
  if (answer?.failedNodes && answer.failedNodes.length > 0) failed.set(requestId, answer.failedNodes);
}

/**
 * A charged gift's room messages: its 5556 effect, and when it moved a PK bar (issue 21) its 5558 right after,
 * msgId `<pkId>:<seq>` (the same on a redelivery: the applied marker gives the same seq back). Either failing
 * pushes the gift again.
 */
function roomMessagesOf(gift: SentGift, outcome: GiftOutcome): { requestId: string; message: ImSendToRoomRequest }[] {
  const effect: ImSendToRoomRequest<ImBizCode.GIFT_SUCCESS> = {
    msgId: gift.requestId,
    roomId: gift.roomId,
    bizCode: ImBizCode.GIFT_SUCCESS,
    data: giftEffectData(gift, outcome.combo),
  };
  const pk = outcome.pk;
  if (!pk) return [{ requestId: gift.requestId, message: effect }];
  const progress: ImSendToRoomRequest<ImBizCode.PK_PROGRESS> = {
    msgId: `${pk.pkId}:${pk.seq}`,
    roomId: gift.roomId,
    bizCode: ImBizCode.PK_PROGRESS,
    data: {
      pkId: pk.pkId,
      progress: pk.progress,
      seq: pk.seq,
      requestId: gift.requestId,
      step: pk.step,
      anchorId: pk.anchorId,
      challengerId: pk.challengerId,
      endsAt: pk.endsAt,
    },
  };
  return [
    { requestId: gift.requestId, message: effect },
    { requestId: gift.requestId, message: progress },
  ];
}
