import { BaseErrorCode, BizException } from '@live/common';
import { TOKEN_COOKIE } from './auth.types';
import type { RequestUser } from './auth.types';

/** The header the web client sends with its own user id, so a login cookie set by another site is told apart. */
export const EXPECTED_USER_HEADER = 'x-live-user';
/** `qytk` cookies of one request looked at (a browser sends every one whose path matches; a page may add some). */
const MAX_TOKEN_COOKIES = 4;

/**
 * The `qytk` values of the request's Cookie header, in the order sent, each once: the last 4. A browser sends one
 * per (domain, path) it holds, longer paths first, so more than one means a page of another port of this host, or
 * of a sibling subdomain, set its own (cookies ignore ports, and SameSite does not stop them being set): "cookie
 * tossing". The last ones are kept: the page's own cookie (Path=/) comes after every longer-path one, and at most
 * three can share Path=/ (host-only, Domain=host, Domain=parent), so planting many cannot push it out.
 */
export function tokenCookiesOf(cookieHeader: string | string[] | undefined): string[] {
  const header = Array.isArray(cookieHeader) ? cookieHeader.join('; ') : (cookieHeader ?? '');
  const pairs = header.split(';');
  const values: string[] = [];
  // From the end, stopping at 4: a header of thousands of pairs (16 KB) costs one pass, not a dedupe of each.
  for (let i = pairs.length - 1; i >= 0 && values.length < MAX_TOKEN_COOKIES; i--) {
    const at = pairs[i].indexOf('=');
    if (at < 0 || pairs[i].slice(0, at).trim() !== TOKEN_COOKIE) continue;
    const value = decoded(pairs[i].slice(at + 1).trim());
    if (value !== '' && !values.includes(value)) values.unshift(value);
  }
  return values;
}

/** The `x-live-user` header: the user id the page believes it is logged in as, or undefined (none, or not one). */
export function expectedUserOf(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && /^[1-9]\d{0,15}$/.test(value) ? Number(value) : undefined;
}

/**
 * The user of a request's login cookies. One cookie: its user. Several (cookie tossing): the one of the user the
 * page says it is (`x-live-user`, which the web client always sends: its localStorage is its own origin's, no
 * other page can change it); without that header, none (401: a request cannot be told whose it is). With the
 * header, a cookie of another user only: 401 too (the page logs out; its next login sets its own cookie). So a
 * cookie planted by another page never makes the web client act as someone else (its recharge orders were
 * the attacker's).
 */
export async function cookieUserOf(
  tokens: string[],
  expectedUser: number | undefined,
  resolve: (token: string) => Promise<RequestUser | null>,
): Promise<{ user: RequestUser; token: string }> {
  if (tokens.length > 1 && expectedUser === undefined)
    throw new BizException(
      BaseErrorCode.TOKEN_ERROR,
      'several login cookies were sent (another site may have set one): log in again',
    );
  // At once (one Redis round trip, auto-pipelined), the first match in the order sent.
  const users = await Promise.all(tokens.map((token) => resolve(token)));
  const at = users.findIndex((user) => user !== null && (expectedUser === undefined || user.userId === expectedUser));
  if (at >= 0) return { user: users[at]!, token: tokens[at] };
  if (users.some((user) => user !== null))
    throw new BizException(BaseErrorCode.TOKEN_ERROR, `the login cookie is not user ${expectedUser}'s: log in again`);
  throw new BizException(BaseErrorCode.TOKEN_ERROR, 'token is invalid or expired');
}

function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
