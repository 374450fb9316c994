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
 * Step 2, for the charged gifts of claimed request ids in ONE room (the room step 1 recorded; keys of one
 * room: one Cluster slot), in order, each at most once per request id:
 *   KEYS[1] the room's board; then per gift j (from 0): KEYS[2+2j] its applied marker in the room (holds
 *   its combo), KEYS[3+2j] its sender's combo state in the room.
 *   ARGV: combo window ms, outcome TTL s, combo TTL s; then per gift j: ARGV[4+4j..7+4j] giftId, sendTime ms, price, senderId.
 * combo = previous + 1 when the sender's previous gift in the room was the same gift sent at most `window`
 * ms earlier (by send time), else 1; the board adds the price to the sender. Applied before: its combo,
 * nothing changes. Answers the combos in order. The same as one call per gift, in one script call.
 */
const APPLY_IN_ROOM = `
local window = tonumber(ARGV[1])
local combos = {}
for j = 0, (#KEYS - 1) / 2 - 1 do
  local applied, state, a = KEYS[2 + 2 * j], KEYS[3 + 2 * j], 4 + 4 * j
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
  end
end
return combos
`;

/** Most gifts of one room per step-2 script call (bounds how long one call holds Redis). */
const ROOM_APPLY_CHUNK = 100;

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
  /** numkeys, the keys, then the arguments (see APPLY_IN_ROOM). */
  applyGiftInRoom(...args: (string | number)[]): Promise<number[]>;
  markGiftPushed(outcomeKey: string): Promise<number>;
}
type OutcomeRedis = RedisClient & OutcomeCommands;

/**
 * The room-side state of gifts in Redis: combos, the contribution board, and what was already pushed.
 * Two steps per batch (two round trips), because the request id's record and the room's board live in
 * different Cluster slots: step 1 claims the request id's outcome (one record whatever room a message
 * says), step 2 applies charged gifts in the room step 1 recorded, guarded by a marker in that room.
 * A crash between the two is harmless: the redelivery finds the claim and applies step 2 then.
 * Step 1 sends one script call per gift, step 2 one per room (its gifts in order), each step's calls all
 * at once: auto-pipelining writes them in one pipeline per Redis node (a Cluster refuses one manual
 * pipeline over keys of several nodes).
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
      // As many keys as the call names (numkeys first): one call per room.
      applyGiftInRoom: { lua: APPLY_IN_ROOM },
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
            OUTCOME_TTL_SECONDS,
            COMBO_STATE_TTL_SECONDS,
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
