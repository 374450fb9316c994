import { ContributionEntryDto } from '@live/contracts';
import { GiftRedisKeys, InjectRedis, RedisClient, settleAll, withScripts } from '@live/redis';
import { Injectable } from '@nestjs/common';

/** How long the consumer remembers what it did for a gift (longer than any redelivery can come late). */
const OUTCOME_TTL_SECONDS = 7 * 24 * 3_600;
/** How long a sender's last gift in a room is kept for combos (send times, not arrival: lag does not make combos). */
const COMBO_STATE_TTL_SECONDS = 3_600;

/**
 * Step 1, keyed by the request id ALONE (its own Cluster slot): the request id's one outcome record.
 *   KEYS[1] the outcome hash. ARGV: roomId, fingerprint, outcome TTL s.
 * The first delivery writes its room and fingerprint; every later one (any room) gets them back, with
 * whether the push was done. The caller compares the fingerprint: another one is a reused id.
 */
const CLAIM_OUTCOME = `
local known = redis.call('HMGET', KEYS[1], 'room', 'fp', 'pushed')
if known[1] then return {known[1], known[2] or '', tonumber(known[3] or '0')} end
redis.call('HSET', KEYS[1], 'room', ARGV[1], 'fp', ARGV[2], 'pushed', 0)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {ARGV[1], ARGV[2], 0}
`;

/**
 * Step 2, for a charged gift of a claimed request id, in the room step 1 recorded (keys of one room: one
 * Cluster slot), at most once per request id:
 *   KEYS[1] the gift's applied marker in the room (holds its combo), KEYS[2] the sender's combo state in
 *   the room, KEYS[3] the board. ARGV: giftId, sendTime ms, combo window ms, price, senderId, outcome TTL s, combo TTL s.
 * combo = previous + 1 when the sender's previous gift in the room was the same gift sent at most `window`
 * ms earlier (by send time), else 1; the board adds the price to the sender. Applied before: its combo, nothing changes.
 */
const APPLY_IN_ROOM = `
local known = redis.call('GET', KEYS[1])
if known then return tonumber(known) end
local combo = 1
local last = redis.call('HMGET', KEYS[2], 'gift', 'time', 'combo')
local t = tonumber(ARGV[2])
if last[1] == ARGV[1] and last[2] and t >= tonumber(last[2]) and t - tonumber(last[2]) <= tonumber(ARGV[3]) then
  combo = tonumber(last[3]) + 1
end
redis.call('HSET', KEYS[2], 'gift', ARGV[1], 'time', ARGV[2], 'combo', combo)
redis.call('EXPIRE', KEYS[2], ARGV[7])
redis.call('ZINCRBY', KEYS[3], ARGV[4], ARGV[5])
redis.call('SET', KEYS[1], combo, 'EX', ARGV[6])
return combo
`;

/** Marks a gift's push done, only while its outcome exists (never recreates an expired one without a TTL). */
const MARK_PUSHED = `if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('HSET', KEYS[1], 'pushed', 1) else return 0 end`;

interface GiftOutcomeInput {
  requestId: string;
  roomId: number;
  senderId: number;
  giftId: number;
  price: number;
  sendTime: number;
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
}

interface OutcomeCommands {
  claimGiftOutcome(
    outcomeKey: string,
    roomId: number,
    fingerprint: string,
    ttl: number,
  ): Promise<[string, string, number]>;
  applyGiftInRoom(...args: [string, string, string, ...number[]]): Promise<number>;
  markGiftPushed(outcomeKey: string): Promise<number>;
}
type OutcomeRedis = RedisClient & OutcomeCommands;

/**
 * The room-side state of gifts in Redis: combos, the contribution board, and what was already pushed.
 * Two steps per batch (two round trips), because the request id's record and the room's board live in
 * different Cluster slots: step 1 claims the request id's outcome (one record whatever room a message
 * says), step 2 applies charged gifts in the room step 1 recorded, guarded by a marker in that room.
 * A crash between the two is harmless: the redelivery finds the claim and applies step 2 then.
 * Each step sends one script call per gift, all at once: auto-pipelining writes them in one pipeline per
 * Redis node (a Cluster refuses one manual pipeline over keys of several nodes).
 */
@Injectable()
export class GiftOutcomeService {
  private readonly redis: OutcomeRedis;

  constructor(
    @InjectRedis() redis: RedisClient,
    private readonly keys: GiftRedisKeys,
  ) {
    this.redis = withScripts<OutcomeCommands>(redis, {
      claimGiftOutcome: { numberOfKeys: 1, lua: CLAIM_OUTCOME },
      applyGiftInRoom: { numberOfKeys: 3, lua: APPLY_IN_ROOM },
      markGiftPushed: { numberOfKeys: 1, lua: MARK_PUSHED },
    });
  }

  /** Applies the gifts in order; the answers are in the same order. */
  async apply(gifts: readonly GiftOutcomeInput[], comboWindowMs: number): Promise<GiftOutcome[]> {
    if (gifts.length === 0) return [];
    const claims = await settleAll(
      gifts.map((g) =>
        this.redis.claimGiftOutcome(this.keys.giftOutcome(g.requestId), g.roomId, g.fingerprint, OUTCOME_TTL_SECONDS),
      ),
      failure(gifts, 'claim'),
    );
    const claimed = claims.map(([room, fingerprint, pushed], i) => ({
      conflict: Number(room) !== gifts[i].roomId || fingerprint !== gifts[i].fingerprint,
      pushed: Number(pushed) === 1,
    }));

    const toApply = gifts.map((g, i) => ({ g, i })).filter(({ g, i }) => g.charged && !claimed[i].conflict);
    const combos = new Map<number, number>();
    if (toApply.length > 0) {
      const applied = await settleAll(
        toApply.map(({ g }) =>
          this.redis.applyGiftInRoom(
            this.keys.roomGiftApplied(g.roomId, g.requestId),
            this.keys.comboState(g.roomId, g.senderId),
            this.keys.roomContributionBoard(g.roomId),
            g.giftId,
            g.sendTime,
            comboWindowMs,
            g.price,
            g.senderId,
            OUTCOME_TTL_SECONDS,
            COMBO_STATE_TTL_SECONDS,
          ),
        ),
        failure(
          toApply.map(({ g }) => g),
          'room',
        ),
      );
      toApply.forEach(({ i }, k) => combos.set(i, Number(applied[k])));
    }
    return claimed.map((c, i) => ({ ...c, combo: combos.get(i) ?? 0 }));
  }

  async markPushed(requestIds: readonly string[]): Promise<void> {
    if (requestIds.length === 0) return;
    await settleAll(
      requestIds.map((requestId) => this.redis.markGiftPushed(this.keys.giftOutcome(requestId))),
      failure(
        requestIds.map((requestId) => ({ requestId })),
        'mark pushed',
      ),
    );
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

/** The first failed call fails the whole step (the batch is redelivered), naming its gift. */
function failure(gifts: readonly { requestId: string }[], step: string): (err: Error, i: number) => Error {
  // `cause` keeps what failed visible to isOutage: Redis down is retried, never taken for a bad message.
  return (err, i) =>
    new Error(`gift ${gifts[i].requestId}: outcome ${step} script failed: ${err.message}`, { cause: err });
}
