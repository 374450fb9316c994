import { keyPart, RedisReadable } from './store-key';
import { tokenDigest } from './token-digest';

/**
 * The IM tokens api-gateway issues (owner and writer: api-gateway): key
 * `${prefix}:gw:{im-token:<tokenDigest(token)>}:user` (the token itself is never in Redis), value the user
 * id, short-lived and single-use. im-core redeems them through ImTokenReader when a WebSocket logs in.
 */
export function imTokenKey(prefix: string, token: string): string {
  return `${keyPart(prefix, 'prefix')}:gw:{im-token:${tokenDigest(keyPart(token, 'token'))}}:user`;
}

/**
 * A login session's key (owner and writer: api-gateway, GatewayRedisKeys.userSession): named by the session id
 * (tokenDigest of the login token); gone once the session logged out or expired.
 */
export function userSessionKey(prefix: string, sessionId: string): string {
  return `${keyPart(prefix, 'prefix')}:gw:{token:${keyPart(sessionId, 'sessionId')}}:user`;
}

/** Pub/sub channel (publisher: api-gateway): the login sessions logged out, by session id; pings start with `~`. */
export function logoutChannelName(prefix: string): string {
  return `${keyPart(prefix, 'prefix')}:gw:logout`;
}

/** Who an IM token logs in: its user, and the login session it was issued to (null: a token of before 2026-12-01). */
export interface ImLogin {
  userId: number;
  sessionId: string | null;
}

/** The value of an IM token's key: `<userId>` or `<userId>:<sessionId>` (imTokenValue writes it, consume reads it). */
const IM_TOKEN_VALUE = /^(\d{1,16})(?::([A-Za-z0-9_-]{43}))?$/;

/** What api-gateway writes under an IM token's key: its user and the login session it is issued to (null: none). */
export function imTokenValue({ userId, sessionId }: ImLogin): string {
  return sessionId === null ? String(userId) : `${userId}:${sessionId}`;
}

/** A token's shape as the gateway issues it: anything else is refused before Redis is asked. */
const IM_TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

export class ImTokenReader {
  constructor(
    private readonly redis: Pick<RedisReadable, 'getdel' | 'exists'>,
    private readonly prefix: string,
  ) {}

  /**
   * The user behind a token (and the login session it was issued to), or null. Read and deleted in one command
   * (GETDEL), so of two logins racing with one token exactly one wins. A token of a session that has logged out
   * since (its session key gone) is refused: a logout ends the IM access it gave.
   */
  async consume(token: string): Promise<ImLogin | null> {
    if (!IM_TOKEN_PATTERN.test(token)) return null;
    const match = IM_TOKEN_VALUE.exec((await this.redis.getdel(imTokenKey(this.prefix, token))) ?? '');
    const userId = match ? Number(match[1]) : NaN;
    if (!Number.isSafeInteger(userId) || userId <= 0) return null;
    const sessionId = match?.[2] ?? null;
    if (sessionId !== null && (await this.redis.exists(userSessionKey(this.prefix, sessionId))) === 0) return null;
    return { userId, sessionId };
  }
}
