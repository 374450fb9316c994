import { ContributionEntryDto } from '@live/contracts';
import { GiftRedisKeys, InjectRedis, RedisClient, settleAll, withScripts } from '@live/redis';
import { Injectable, Optional } from '@nestjs/common';
import { GiftServiceEnv } from '../config/gift-service.env';

/**
 * How long a gift's per-gift keys (its outcome record, its applied marker) are held while the gift is NOT
 * yet done (applied, pushed and recorded in t_gift_record): as long as `send_gift` keeps the message (topic
 * retention), so a redelivery however late finds what was done. Only a gift whose delivery failed half way
 * is held that long; a done gift's keys are cut to the redelivery window (markPushed, releaseApplied).
 */
const UNCONFIRMED_TTL_SECONDS = 7 * 24 * 3_600;

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
 * Step 2, for the charged gifts of claimed request ids in ONE room (the room step 1 recorded; keys of one
 * room: one Cluster slot), in order, each at most once per request id:
 *   KEYS[1] the room's board; then per gift j (from 0): KEYS[2+2j] its applied marker in the room (holds
 *   its combo), KEYS[3+2j] its sender's combo state in the room.
 *   ARGV: combo window ms, applied-marker TTL s, combo TTL s, board TTL s, board members kept; then per
 *   gift j: ARGV[6+4j..9+4j] giftId, sendTime ms, price, senderId.
 * combo = previous + 1 when the sender's previous gift in the room was the same gift sent at most `window`
 * ms earlier (by send time), else 1; the board adds the price to the sender. Applied before: its combo,
 * nothing changes. Answers the combos in order. The same as one call per gift, in one script call.
 * The board then lives `board TTL` past the room's last gift (a room silent that long has ended its live
 * session) and keeps its top `members` senders (the lowest scores beyond them are dropped).
 */
const APPLY_IN_ROOM = `
local window = tonumber(ARGV[1])
local combos = {}
local boarded = false
for j = 0, (#KEYS - 1) / 2 - 1 do
  local applied, state, a = KEYS[2 + 2 * j], KEYS[3 + 2 * j], 6 + 4 * j
  local known = redis.call('GET', applied)
  if known then
    combos[j + 1] = tonumber(known)
  else
    local combo = 1
    local last = redis.call('HMGET', state, 'gift', 'time', 'combo')
    local t = tonumber(ARGV[a + 1])
    if last[1] == ARGV[a] and last[2] and t >= tonumber(last[2]) and t - tonumber(last[2]) <= window then
      combo = tonumber(last[3]) + 1
    end
    redis.call('HSET', state, 'gift', ARGV[a], 'time', ARGV[a + 1], 'combo', combo)
    redis.call('EXPIRE', state, ARGV[3])
    redis.call('ZINCRBY', KEYS[1], ARGV[a + 2], ARGV[a + 3])
    redis.call('SET', applied, combo, 'EX', ARGV[2])
    combos[j + 1] = combo
    boarded = true
  end
end
if boarded then
  redis.call('EXPIRE', KEYS[1], ARGV[4])
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -tonumber(ARGV[5]) - 1)
end
return combos
`;

/** Most gifts of one room per step-2 script call (bounds how long one call holds Redis). */
const ROOM_APPLY_CHUNK = 100;
/**
 * Marks a gift done (pushed, and recorded when charged), only while its outcome exists (never recreates an
 * expired one), and cuts its life to the redelivery window. ARGV: the window s.
 */
const MARK_PUSHED = `if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'pushed', 1)
return redis.call('EXPIRE', KEYS[1], ARGV[1])`;

/** Cuts the applied markers of done gifts (KEYS, one room) to the redelivery window. ARGV: the window s. */
const RELEASE_APPLIED = `for _, key in ipairs(KEYS) do redis.call('EXPIRE', key, ARGV[1]) end
return #KEYS`;

/** The limits of the per-gift and per-room keys (GiftServiceEnv; the defaults when none is given). */
export interface GiftKeyLimits {
  /** GIFT_OUTCOME_WINDOW_MS: how long a done gift's keys are kept for redeliveries. */
  outcomeWindowMs: number;
  /** GIFT_BOARD_IDLE_TTL_MS: a room's board lives this long past its last gift. */
  boardIdleTtlMs: number;
  /** GIFT_BOARD_MAX_MEMBERS: the senders a board keeps (the top ones). */
  boardMaxMembers: number;
}

function limitsOf(env?: GiftServiceEnv): GiftKeyLimits {
  const defaults = new GiftServiceEnv();
  return {
    outcomeWindowMs: env?.GIFT_OUTCOME_WINDOW_MS ?? defaults.GIFT_OUTCOME_WINDOW_MS,
    boardIdleTtlMs: env?.GIFT_BOARD_IDLE_TTL_MS ?? defaults.GIFT_BOARD_IDLE_TTL_MS,
    boardMaxMembers: env?.GIFT_BOARD_MAX_MEMBERS ?? defaults.GIFT_BOARD_MAX_MEMBERS,
  };
}

const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

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
  /** numkeys, the keys, then the arguments (see APPLY_IN_ROOM). */
  applyGiftInRoom(...args: (string | number)[]): Promise<number[]>;
  markGiftPushed(outcomeKey: string, ttl: number): Promise<number>;
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
 * Step 1 sends one script call per gift, step 2 one per room (its gifts in order), each step's calls all
 * at once: auto-pipelining writes them in one pipeline per Redis node (a Cluster refuses one manual
 * pipeline over keys of several nodes).
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
      claimGiftOutcome: { numberOfKeys: 1, lua: CLAIM_OUTCOME },
      // As many keys as the call names (numkeys first): one call per room.
      applyGiftInRoom: { lua: APPLY_IN_ROOM },
      markGiftPushed: { numberOfKeys: 1, lua: MARK_PUSHED },
      releaseGiftApplied: { lua: RELEASE_APPLIED },
    });
  }

  /** Applies the gifts in order; the answers are in the same order. */
  async apply(gifts: readonly GiftOutcomeInput[], comboWindowMs: number): Promise<GiftOutcome[]> {
    if (gifts.length === 0) return [];
    const claims = await settleAll(
      gifts.map((g) =>
        this.redis.claimGiftOutcome(
          this.keys.giftOutcome(g.requestId),
          g.roomId,
          g.fingerprint,
          UNCONFIRMED_TTL_SECONDS,
        ),
      ),
      failure(gifts, 'claim'),
    );
    const claimed = claims.map(([room, fingerprint, pushed], i) => ({
      conflict: Number(room) !== gifts[i].roomId || fingerprint !== gifts[i].fingerprint,
      pushed: Number(pushed) === 1,
    }));

    const toApply = gifts.map((g, i) => ({ g, i })).filter(({ g, i }) => g.charged && !claimed[i].conflict);
    const combos = new Map<number, number>();
    const calls = roomCalls(toApply);
    if (calls.length > 0) {
      const applied = await settleAll(
        calls.map((call) => {
          const keys = [
            this.keys.roomContributionBoard(call[0].g.roomId),
            ...call.flatMap(({ g }) => [
              this.keys.roomGiftApplied(g.roomId, g.requestId),
              this.keys.comboState(g.roomId, g.senderId),
            ]),
          ];
          const args = call.flatMap(({ g }) => [g.giftId, g.sendTime, g.price, g.senderId]);
          return this.redis.applyGiftInRoom(
            keys.length,
            ...keys,
            comboWindowMs,
            UNCONFIRMED_TTL_SECONDS,
            // A sender's last gift matters for GIFT_COMBO_WINDOW_MS (by send time): kept for the window past it.
            seconds(comboWindowMs + this.limits.outcomeWindowMs),
            seconds(this.limits.boardIdleTtlMs),
            this.limits.boardMaxMembers,
            ...args,
          );
        }),
        failure(
          calls.map((call) => call[0].g),
          'room',
        ),
      );
      calls.forEach((call, c) => call.forEach(({ i }, k) => combos.set(i, Number(applied[c][k]))));
    }
    return claimed.map((c, i) => ({ ...c, combo: combos.get(i) ?? 0 }));
  }

  /**
   * The gifts are done (pushed or given up; recorded when charged): marked pushed, and their outcome
   * records kept only for the redelivery window from now on.
   */
  async markPushed(requestIds: readonly string[]): Promise<void> {
    if (requestIds.length === 0) return;
    const ttl = seconds(this.limits.outcomeWindowMs);
    await settleAll(
      requestIds.map((requestId) => this.redis.markGiftPushed(this.keys.giftOutcome(requestId), ttl)),
      failure(
        requestIds.map((requestId) => ({ requestId })),
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

  /** The room's top senders by coins spent, best first. */
  async board(roomId: number, limit: number): Promise<ContributionEntryDto[]> {
    const flat = await this.redis.zrevrange(this.keys.roomContributionBoard(roomId), 0, limit - 1, 'WITHSCORES');
    const entries: ContributionEntryDto[] = [];
    for (let i = 0; i < flat.length; i += 2)
      entries.push({ rank: i / 2 + 1, userId: Number(flat[i]), score: Number(flat[i + 1]) });
    return entries;
  }
}

/** The gifts by room, in their order, at most ROOM_APPLY_CHUNK per call: one step-2 script call each. */
function roomCalls<T extends { g: { roomId: number } }>(gifts: readonly T[]): T[][] {
  const byRoom = new Map<number, T[]>();
  for (const gift of gifts) {
    const room = byRoom.get(gift.g.roomId);
    if (room) room.push(gift);
    else byRoom.set(gift.g.roomId, [gift]);
  }
  const calls: T[][] = [];
  for (const room of byRoom.values())
    for (let i = 0; i < room.length; i += ROOM_APPLY_CHUNK) calls.push(room.slice(i, i + ROOM_APPLY_CHUNK));
  return calls;
}

/** The first failed call fails the whole step (the batch is redelivered), naming its gift. */
function failure(gifts: readonly { requestId: string }[], step: string): (err: Error, i: number) => Error {
  // `cause` keeps what failed visible to isOutage: Redis down is retried, never taken for a bad message.
  return (err, i) =>
    new Error(`gift ${gifts[i].requestId}: outcome ${step} script failed: ${err.message}`, { cause: err });
}
