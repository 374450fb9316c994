import { createHash } from 'node:crypto';

/**
 * What Redis holds of a login or IM token: its SHA-256, base64url (43 characters; a session id), never the
 * token. Whoever can read Redis (a replica, a backup, MONITOR, a tool with read rights) reads session ids,
 * which are no credential: a request needs the token, and the digest cannot be turned back into it (192
 * random bits). Every reader and writer of a token key goes through here (GatewayRedisKeys, imTokenKey).
 */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** A session id's length (tokenDigest). The tokens the gateway issues are 32 characters: never this long. */
export const SESSION_ID_LENGTH = 43;
/** The length of the tokens the gateway issues (24 random bytes, base64url). */
export const ISSUED_TOKEN_LENGTH = 32;

/**
 * The name of the key a session written before token digests may still have (the token itself), for a token
 * of the length the gateway issues; undefined for anything else. Never for a session id: sent as a token, it
 * would name the real session's key (`{token:<session id>}`) and so be a credential to whoever reads Redis.
 */
export function legacySessionToken(token: string): string | undefined {
  return token.length === ISSUED_TOKEN_LENGTH ? token : undefined;
}

/** A session's id from a session list's member: a session id as it is, a token (of before digests) digested. */
export function sessionIdOf(member: string): string {
  return member.length === SESSION_ID_LENGTH ? member : tokenDigest(member);
}
