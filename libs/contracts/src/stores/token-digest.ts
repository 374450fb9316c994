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

/** A session's id from a session list's member: a session id as it is, a token (of before digests) digested. */
export function sessionIdOf(member: string): string {
  return member.length === SESSION_ID_LENGTH ? member : tokenDigest(member);
}
