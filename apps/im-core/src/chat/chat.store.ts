import { ChatMessageData } from '@live/contracts';
import { ImRedisKeys, InjectRedis, RedisClient, withScripts } from '@live/redis';
import { Injectable } from '@nestjs/common';
import { ChatEnv } from './chat.env';

/** One second: the window of IM_CHAT_RATE. */
const RATE_WINDOW_MS = 1_000;

const SCRIPTS = {
  /**
   * INCR, and PEXPIRE when the counter is new (or lost its TTL): a fixed window per user, no read-then-write
   * race. Answers the count and the window's time left (ms).
   */
  chatCount: {
    numberOfKeys: 1,
    lua: `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if n == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}`,
  },
  /** Appends a message and keeps the newest ARGV[2]; the list lives ARGV[3] seconds past its last message. */
  chatAppend: {
    numberOfKeys: 1,
    lua: `
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1`,
  },
};

interface ChatScripts {
  chatCount(key: string, windowMs: number): Promise<[number, number]>;
  chatAppend(key: string, json: string, keep: number, ttlSeconds: number): Promise<number>;
}

/**
 * im-core's chat keys (`im:` family): each user's message counter of the current second (`{user:<id>}:chat-rate`,
 * shared by every node) and each room's recent messages (`{room:<id>}:chat-history`, a list of at most
 * IM_CHAT_HISTORY ChatMessageData JSON, oldest first, expiring IM_CHAT_HISTORY_TTL_SECONDS after the last one).
 * Chat is not money: nothing of it reaches the database.
 */
@Injectable()
export class ChatStore {
  private readonly redis: RedisClient & ChatScripts;

  constructor(
    @InjectRedis() redis: RedisClient,
    private readonly keys: ImRedisKeys,
    private readonly env: ChatEnv,
  ) {
    this.redis = withScripts<ChatScripts>(redis, SCRIPTS);
  }

  /** Counts one message of the user: how many it sent in the current window (this one included), and the window's ms left. */
  async count(userId: number): Promise<{ sent: number; windowLeftMs: number }> {
    const [sent, windowLeftMs] = await this.redis.chatCount(this.keys.chatRate(userId), RATE_WINDOW_MS);
    return { sent, windowLeftMs };
  }

  async append(message: ChatMessageData): Promise<void> {
    if (this.env.IM_CHAT_HISTORY === 0) return;
    await this.redis.chatAppend(
      this.keys.chatHistory(message.roomId),
      JSON.stringify(message),
      this.env.IM_CHAT_HISTORY,
      this.env.IM_CHAT_HISTORY_TTL_SECONDS,
    );
  }

  /** The room's recent messages, oldest first (entries that do not parse are skipped). */
  async recent(roomId: number): Promise<ChatMessageData[]> {
    if (this.env.IM_CHAT_HISTORY === 0) return [];
    const raw = await this.redis.lrange(this.keys.chatHistory(roomId), -this.env.IM_CHAT_HISTORY, -1);
    return raw.flatMap((json) => {
      try {
        const m = JSON.parse(json) as ChatMessageData;
        return typeof m.chatId === 'string' && m.roomId === roomId ? [m] : [];
      } catch {
        return [];
      }
    });
  }
}
