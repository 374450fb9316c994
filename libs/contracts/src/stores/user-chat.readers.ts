import { keyPart, RedisReadable } from './store-key';

/**
 * Two stores api-gateway owns and writes for the live-room chat, read by im-core:
 * - a user's nickname, `${prefix}:gw:{user:<id>}:nick` (the value is the nickname): written at
 *   /user/setNickname and refreshed at every /im/getImConfig (each WebSocket login follows one), with a
 *   TTL of USER_NICK_TTL_SECONDS; im-core reads it for every chat message it accepts (UserNickReader);
 * - a mute, `${prefix}:gw:{room:<id>}:chat-mute:<userId>` (the value: until when, epoch ms), set by the
 *   room's anchor with /living/mute for `minutes` (the key's TTL), deleted by /living/unmute; im-core
 *   refuses the user's chat in that room while it exists (ChatMuteReader).
 */
export function userNickKey(prefix: string, userId: number): string {
  return `${keyPart(prefix, 'prefix')}:gw:{user:${keyPart(userId, 'userId')}}:nick`;
}

export function chatMuteKey(prefix: string, roomId: number, userId: number): string {
  return `${keyPart(prefix, 'prefix')}:gw:{room:${keyPart(roomId, 'roomId')}}:chat-mute:${keyPart(userId, 'userId')}`;
}

/** How long a nickname stays in Redis without a refresh (30 days: a login token's default life). */
export const USER_NICK_TTL_SECONDS = 30 * 86_400;

/** The nickname shown for a user whose nickname is not in Redis (and the default a new user gets). */
export function defaultNickName(userId: number): string {
  return `user${userId}`;
}

export class UserNickReader {
  constructor(
    private readonly redis: Pick<RedisReadable, 'get'>,
    private readonly prefix: string,
  ) {}

  /** The user's nickname, or null when Redis does not hold it (expired, or Redis lost it). */
  get(userId: number): Promise<string | null> {
    return this.redis.get(userNickKey(this.prefix, userId));
  }
}

export class ChatMuteReader {
  constructor(
    private readonly redis: Pick<RedisReadable, 'get'>,
    private readonly prefix: string,
  ) {}

  /** Until when (epoch ms) the user is muted in the room, or null when not muted. */
  async mutedUntil(roomId: number, userId: number): Promise<number | null> {
    const value = await this.redis.get(chatMuteKey(this.prefix, roomId, userId));
    if (value === null) return null;
    const until = Number(value);
    // A value not written by the gateway still mutes (the key exists): shown as "for a while".
    return Number.isSafeInteger(until) ? until : 0;
  }
}
