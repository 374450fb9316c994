import { amountOfSend, ContributionEntryDto, SEND_GIFT_READABLE_MS, SentGift } from '@live/contracts';
import { callsPerSlotGroup, GiftRedisKeys, InjectRedis, RedisClient, settleAll, withScripts } from '@live/redis';
import { Injectable, Optional } from '@nestjs/common';
import { GiftServiceEnv } from '../config/gift-service.env';
import { appliedAnswerOf, PkMove } from './applied-answer';
import { GiftKeyLimits, limitsOf, PK_ENDED_TTL_SECONDS, seconds } from './gift-key-limits';
import { failure, groupOf, roomCalls } from './outcome-calls';
import {
  APPLY_ANSWER_WIDTH,
  APPLY_IN_ROOM,
  CLAIM_ANSWER_WIDTH,
  CLAIM_OUTCOME,
  MARK_PUSHED,
  RELEASE_APPLIED,
} from './gift-outcome.scripts';

export type { PkMove } from './applied-answer';

/**
 * How long a gift's per-gift keys (its outcome record, its applied marker) are held while the gift is NOT
 * yet done (applied, pushed and recorded in t_gift_record): as long as `send_gift` keeps the message (topic
 * retention and its last segment's life, SEND_GIFT_READABLE_MS), so a redelivery however late finds what was done. Only a gift whose delivery failed half way
 * is held that long; a done gift's keys are cut to the redelivery window (markPushed, releaseApplied).
 */
const UNCONFIRMED_TTL_SECONDS = SEND_GIFT_READABLE_MS / 1_000;

/** Most request ids per step-1 (claim) or mark-pushed call on one server (bounds how long one call holds Redis). */
const PER_GIFT_CHUNK = 256;
export { PK_ENDED_TTL_SECONDS } from './gift-key-limits';
export type { GiftKeyLimits } from './gift-key-limits';

/** A gift's fields the outcome needs; the board counts price x count (a count absent: 1). */
interface GiftOutcomeInput
  extends
    Pick<SentGift, 'requestId' | 'roomId' | 'senderId' | 'giftId' | 'price' | 'sendTime'>,
    Partial<Pick<SentGift, 'count' | 'receiverId' | 'pkId'>> {
  charged: boolean;
  /** giftRequestFingerprint of the message: what the request id is for. */
  fingerprint: string;
}

export interface GiftOutcome {
  /** 0 for a rejected gift (and a conflict). */
  combo: number;
  /** Its push was already done by an earlier delivery. */
  pushed: boolean;
  /** The request id's outcome was recorded for something else (another fingerprint): not this gift; do nothing for it. */
  conflict: boolean;
  /** The move this gift made on its PK's bar (issue 21), the same on every delivery; absent when it made none. */
  pk?: PkMove;
}

interface OutcomeCommands {
  /** One request id: its outcome key, the TTL s, its room and fingerprint (see CLAIM_OUTCOME). */
  claimGiftOutcome(outcomeKey: string, ttl: number, roomId: number, fingerprint: string): Promise<(string | number)[]>;
  /** numkeys, the outcome keys (one slot), the TTL s, then room and fingerprint per key. */
  claimGiftOutcomes(...args: (string | number)[]): Promise<(string | number)[]>;
  /** numkeys, the keys, then the arguments (see APPLY_IN_ROOM). */
  applyGiftInRoom(...args: (string | number)[]): Promise<(number | null)[]>;
  markGiftPushed(outcomeKey: string, ttl: number): Promise<number>;
  /** numkeys, the outcome keys (one slot), then the TTL s. */
  markGiftsPushed(...args: (string | number)[]): Promise<number>;
  /** numkeys, the applied markers, then the TTL s. */
  releaseGiftApplied(...args: (string | number)[]): Promise<number>;
}
type OutcomeRedis = RedisClient & OutcomeCommands;

/**
 * The room-side state of gifts in Redis: combos, the contribution board, and what was already pushed.
 * Two steps per batch (two round trips), because the request id's record and the room's board live in
 * different Cluster slots: step 1 claims the request id's outcome (one record whatever room a message
 * says), step 2 applies charged gifts in the room step 1 recorded, guarded by a marker in that room.
 * A crash between the two is harmless: the redelivery finds the claim and applies step 2 then.
 * Both records are held (UNCONFIRMED_TTL_SECONDS) until the gift is done, then kept only for the
 * redelivery window (GIFT_OUTCOME_WINDOW_MS): past it, t_gift_record is the authority (the pipeline).
 * Step 1 sends one script call per slot on a Cluster (mostly one per request id) and one per 256 on one
 * server, step 2 one per room (its gifts in order), each step's calls all at once: auto-pipelining writes
 * them in one pipeline per Redis node (a Cluster refuses one manual pipeline over keys of several nodes).
 */
@Injectable()
export class GiftOutcomeService {
  private readonly redis: OutcomeRedis;
  readonly limits: GiftKeyLimits;

  constructor(
    @InjectRedis() redis: RedisClient,
    private readonly keys: GiftRedisKeys,
    @Optional() env?: GiftServiceEnv,
  ) {
    this.limits = limitsOf(env);
    this.redis = withScripts<OutcomeCommands>(redis, {
      // One key: auto-pipelined on a Cluster too (the usual case there: a request id per slot).
      claimGiftOutcome: { numberOfKeys: 1, lua: CLAIM_OUTCOME },
      // As many keys as the call names (numkeys first): many request ids of one slot, one call per room.
      claimGiftOutcomes: { lua: CLAIM_OUTCOME },
      applyGiftInRoom: { lua: APPLY_IN_ROOM },
      markGiftPushed: { numberOfKeys: 1, lua: MARK_PUSHED },
      markGiftsPushed: { lua: MARK_PUSHED },
      releaseGiftApplied: { lua: RELEASE_APPLIED },
    });
  }

  /** Applies the gifts in order; the answers are in the same order. */
  async apply(gifts: readonly GiftOutcomeInput[], comboWindowMs: number): Promise<GiftOutcome[]> {
    if (gifts.length === 0) return [];
    const keys = gifts.map((g) => this.keys.giftOutcome(g.requestId));
    const { parts, calls } = callsPerSlotGroup(
      this.redis,
      keys,
      PER_GIFT_CHUNK,
      (i) => this.redis.claimGiftOutcome(keys[i], UNCONFIRMED_TTL_SECONDS, gifts[i].roomId, gifts[i].fingerprint),
      (part) =>
        this.redis.claimGiftOutcomes(
          part.length,
          ...part.map((i) => keys[i]),
          UNCONFIRMED_TTL_SECONDS,
          ...part.flatMap((i) => [gifts[i].roomId, gifts[i].fingerprint]),
        ),
    );
    const replies = await settleAll(
      calls,
      failure(
        parts.map((part) => groupOf(part.map((i) => gifts[i].requestId))),
        'claim',
      ),
    );
    const claims = new Array<(string | number)[]>(gifts.length);
    parts.forEach((part, g) =>
      part.forEach((i, k) => (claims[i] = replies[g].slice(k * CLAIM_ANSWER_WIDTH, (k + 1) * CLAIM_ANSWER_WIDTH))),
    );
    const claimed = claims.map(([room, fingerprint, pushed], i) => ({
      conflict: Number(room) !== gifts[i].roomId || fingerprint !== gifts[i].fingerprint,
      pushed: Number(pushed) === 1,
    }));

    const toApply = gifts.map((g, i) => ({ g, i })).filter(({ g, i }) => g.charged && !claimed[i].conflict);
    const { combos, moves } = await this.applyInRooms(toApply, comboWindowMs);
    return claimed.map((c, i) => {
      const pk = moves.get(i);
      return { ...c, combo: combos.get(i) ?? 0, ...(pk ? { pk } : {}) };
    });
  }

  /** Step 2: the charged gifts in their rooms (one script call per room, all at once): combos and PK moves by index. */
  private async applyInRooms(
    toApply: { g: GiftOutcomeInput; i: number }[],
    comboWindowMs: number,
  ): Promise<{ combos: Map<number, number>; moves: Map<number, PkMove> }> {
    const combos = new Map<number, number>();
    const moves = new Map<number, PkMove>();
    const calls = roomCalls(toApply);
    if (calls.length === 0) return { combos, moves };
    const applied = await settleAll(
      calls.map((call) => {
        const keys = [
          this.keys.roomContributionBoard(call[0].g.roomId),
          // Same slot, same call: a room without a PK pays nothing (the script reads it only for a gift naming a pkId).
          this.keys.roomPk(call[0].g.roomId),
          ...call.flatMap(({ g }) => [
            this.keys.roomGiftApplied(g.roomId, g.requestId),
            this.keys.comboState(g.roomId, g.senderId),
          ]),
        ];
        const args = call.flatMap(({ g }) => [
          g.giftId,
          g.sendTime,
          amountOfSend(g),
          g.senderId,
          g.receiverId ?? 0,
          g.pkId ?? '',
        ]);
        return this.redis.applyGiftInRoom(
          keys.length,
          ...keys,
          comboWindowMs,
          UNCONFIRMED_TTL_SECONDS,
          // A sender's last gift matters for GIFT_COMBO_WINDOW_MS (by send time): kept for the window past it.
          seconds(comboWindowMs + this.limits.outcomeWindowMs),
          seconds(this.limits.boardIdleTtlMs),
          this.limits.boardMaxMembers,
          this.limits.pkCoinsPerPoint,
          this.limits.pkMaxStep,
          PK_ENDED_TTL_SECONDS,
          Date.now(),
          ...args,
        );
      }),
      failure(
        calls.map((call) => call[0].g),
        'room',
      ),
    );
    calls.forEach((call, c) =>
      call.forEach(({ i, g }, k) => {
        const { combo, pk } = appliedAnswerOf(
          applied[c].slice(k * APPLY_ANSWER_WIDTH, (k + 1) * APPLY_ANSWER_WIDTH),
          g.pkId,
        );
        combos.set(i, combo);
        if (pk) moves.set(i, pk);
      }),
    );
    return { combos, moves };
  }

  /**
   * The gifts are done (pushed or given up; recorded when charged): marked pushed, and their outcome
   * records kept only for the redelivery window from now on. `keepLife`: pushed but not yet recorded (their
   * records failed): marked pushed, kept as long as the message, so the redelivery records them, never pushes again.
   */
  async markPushed(requestIds: readonly string[], keepLife = false): Promise<void> {
    if (requestIds.length === 0) return;
    const ttl = keepLife ? 0 : seconds(this.limits.outcomeWindowMs);
    const keys = requestIds.map((requestId) => this.keys.giftOutcome(requestId));
    const { parts, calls } = callsPerSlotGroup(
      this.redis,
      keys,
      PER_GIFT_CHUNK,
      (i) => this.redis.markGiftPushed(keys[i], ttl),
      (part) => this.redis.markGiftsPushed(part.length, ...part.map((i) => keys[i]), ttl),
    );
    await settleAll(
      calls,
      failure(
        parts.map((part) => groupOf(part.map((i) => requestIds[i]))),
        'mark pushed',
      ),
    );
  }

  /** The charged gifts are done: their applied markers kept only for the redelivery window (one call per room). */
  async releaseApplied(gifts: readonly { requestId: string; roomId: number }[]): Promise<void> {
    if (gifts.length === 0) return;
    const ttl = seconds(this.limits.outcomeWindowMs);
    const calls = roomCalls(gifts.map((g) => ({ g })));
    await settleAll(
      calls.map((call) => {
        const keys = call.map(({ g }) => this.keys.roomGiftApplied(g.roomId, g.requestId));
        return this.redis.releaseGiftApplied(keys.length, ...keys, ttl);
      }),
      failure(
        calls.map((call) => call[0].g),
        'release applied',
      ),
    );
  }

  /** Both steps of a done gift at once (two Cluster slots: one pipeline per Redis node). */
  async done(gifts: readonly { requestId: string; roomId: number; charged: boolean }[]): Promise<void> {
    await Promise.all([
      this.markPushed(gifts.map((g) => g.requestId)),
      this.releaseApplied(gifts.filter((g) => g.charged)),
    ]);
  }

  /**
   * What the room script did for a charged gift (its applied marker: combo, and the PK move when it made one), or
   * null when it was never applied (or its marker is gone). Read-only: the poison path records it as it was.
   */
  async appliedOf(gift: {
    requestId: string;
    roomId: number;
    pkId?: string;
  }): Promise<{ combo: number; pk?: PkMove } | null> {
    const known = await this.redis.get(this.keys.roomGiftApplied(gift.roomId, gift.requestId));
    return known === null ? null : appliedAnswerOf(known.split(':'), gift.pkId);
  }

  /** The room's top senders by coins spent, best first. */
  async board(roomId: number, limit: number): Promise<ContributionEntryDto[]> {
    const flat = await this.redis.zrevrange(this.keys.roomContributionBoard(roomId), 0, limit - 1, 'WITHSCORES');
    const entries: ContributionEntryDto[] = [];
    for (let i = 0; i < flat.length; i += 2)
      entries.push({ rank: i / 2 + 1, userId: Number(flat[i]), score: Number(flat[i + 1]) });
    return entries;
  }
}
