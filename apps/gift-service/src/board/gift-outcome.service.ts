import { ContributionEntryDto } from '@live/contracts';
import { GiftRedisKeys, InjectRedis } from '@live/redis';
import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';

/** How long the consumer remembers what it did for a gift (longer than any redelivery can come late). */
export const OUTCOME_TTL_SECONDS = 7 * 24 * 3_600;
/** How long a sender's last gift in a room is kept for combos (send times, not arrival: lag does not make combos). */
export const COMBO_STATE_TTL_SECONDS = 3_600;

/**
 * One gift's room-side effects, applied at most once per request id, atomically (one script, keys of
 * one room: one Cluster slot):
 *   KEYS[1] outcome hash of the request id, KEYS[2] the sender's combo state in the room, KEYS[3] the board.
 *   ARGV: charged(1|0), giftId, sendTime ms, combo window ms, price, senderId, outcome TTL s, combo TTL s.
 * A known request id returns what was decided the first time (combo, pushed) and changes nothing.
 * A charged gift: combo = previous + 1 when the sender's previous gift in the room was the same gift
 * sent at most `window` ms earlier (by send time), else 1; the board adds the price to the sender.
 */
const APPLY_OUTCOME = `
local known = redis.call('HMGET', KEYS[1], 'combo', 'pushed')
if known[1] then return {tonumber(known[1]), tonumber(known[2] or '0')} end
local combo = 0
if ARGV[1] == '1' then
  combo = 1
  local last = redis.call('HMGET', KEYS[2], 'gift', 'time', 'combo')
  local t = tonumber(ARGV[3])
  if last[1] == ARGV[2] and last[2] and t >= tonumber(last[2]) and t - tonumber(last[2]) <= tonumber(ARGV[4]) then
    combo = tonumber(last[3]) + 1
  end
  redis.call('HSET', KEYS[2], 'gift', ARGV[2], 'time', ARGV[3], 'combo', combo)
  redis.call('EXPIRE', KEYS[2], ARGV[8])
  redis.call('ZINCRBY', KEYS[3], ARGV[5], ARGV[6])
end
redis.call('HSET', KEYS[1], 'combo', combo, 'pushed', 0)
redis.call('EXPIRE', KEYS[1], ARGV[7])
return {combo, 0}
`;

/** Marks a gift's push done, only while its outcome exists (never recreates an expired one without a TTL). */
const MARK_PUSHED = `if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('HSET', KEYS[1], 'pushed', 1) else return 0 end`;

export interface GiftOutcomeInput {
  requestId: string;
  roomId: number;
  senderId: number;
  giftId: number;
  price: number;
  sendTime: number;
  charged: boolean;
}

export interface GiftOutcome {
  /** 0 for a rejected gift. */
  combo: number;
  /** Its push was already done by an earlier delivery. */
  pushed: boolean;
}

type OutcomeRedis = Redis & {
  applyGiftOutcome(k1: string, k2: string, k3: string, ...argv: (string | number)[]): Promise<[number, number]>;
  markGiftPushed(k1: string): Promise<number>;
};

/** The room-side state of gifts in Redis: combos, the contribution board, and what was already pushed. */
@Injectable()
export class GiftOutcomeService {
  private readonly redis: OutcomeRedis;

  constructor(
    @InjectRedis() redis: Redis,
    private readonly keys: GiftRedisKeys,
  ) {
    if (!('applyGiftOutcome' in redis)) {
      redis.defineCommand('applyGiftOutcome', { numberOfKeys: 3, lua: APPLY_OUTCOME });
      redis.defineCommand('markGiftPushed', { numberOfKeys: 1, lua: MARK_PUSHED });
    }
    this.redis = redis as OutcomeRedis;
  }

  /** Applies the gifts in order (one pipeline, one round trip); the answers are in the same order. */
  async apply(gifts: readonly GiftOutcomeInput[], comboWindowMs: number): Promise<GiftOutcome[]> {
    if (gifts.length === 0) return [];
    const pipeline = this.redis.pipeline() as ReturnType<Redis['pipeline']> & {
      applyGiftOutcome(...args: (string | number)[]): unknown;
    };
    for (const g of gifts) {
      pipeline.applyGiftOutcome(
        this.keys.giftOutcome(g.roomId, g.requestId),
        this.keys.comboState(g.roomId, g.senderId),
        this.keys.roomContributionBoard(g.roomId),
        g.charged ? '1' : '0',
        g.giftId,
        g.sendTime,
        comboWindowMs,
        g.price,
        g.senderId,
        OUTCOME_TTL_SECONDS,
        COMBO_STATE_TTL_SECONDS,
      );
    }
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([err, reply], i) => {
      if (err) throw new Error(`gift ${gifts[i].requestId}: outcome script failed: ${err.message}`);
      const [combo, pushed] = reply as [number, number];
      return { combo, pushed: pushed === 1 };
    });
  }

  async markPushed(gifts: readonly Pick<GiftOutcomeInput, 'roomId' | 'requestId'>[]): Promise<void> {
    if (gifts.length === 0) return;
    const pipeline = this.redis.pipeline() as ReturnType<Redis['pipeline']> & { markGiftPushed(key: string): unknown };
    for (const g of gifts) pipeline.markGiftPushed(this.keys.giftOutcome(g.roomId, g.requestId));
    const replies = (await pipeline.exec()) ?? [];
    const failed = replies.find(([err]) => err);
    if (failed?.[0]) throw new Error(`marking pushes failed: ${failed[0].message}`);
  }

  /** The room's top senders by coins spent, best first. */
  async board(roomId: number, limit: number): Promise<ContributionEntryDto[]> {
    const flat = await this.redis.zrevrange(this.keys.roomContributionBoard(roomId), 0, limit - 1, 'WITHSCORES');
    const entries: ContributionEntryDto[] = [];
    for (let i = 0; i < flat.length; i += 2) entries.push({ rank: i / 2 + 1, userId: Number(flat[i]), score: Number(flat[i + 1]) });
    return entries;
  }
}
