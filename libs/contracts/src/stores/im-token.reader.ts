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

/** A token's shape as the gateway issues it: anything else is refused before Redis is asked. */
const IM_TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

export class ImTokenReader {
  constructor(
    private readonly redis: Pick<RedisReadable, 'getdel'>,
    private readonly prefix: string,
  ) {}

  /**
   * The user behind a token, or null. Read and deleted in one command (GETDEL), so of two logins
   * racing with one token exactly one wins.
   */
  async consume(token: string): Promise<number | null> {
    if (!IM_TOKEN_PATTERN.test(token)) return null;
    const value = await this.redis.getdel(imTokenKey(this.prefix, token));
    const userId = value === null ? NaN : Number(value);
    return Number.isSafeInteger(userId) && userId > 0 ? userId : null;
  }
}
