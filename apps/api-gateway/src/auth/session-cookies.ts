import { BaseErrorCode, BizException } from '@live/common';
import { TOKEN_COOKIE } from './auth.types';
import type { RequestUser } from './auth.types';

/** The header the web client sends with its own user id, so a login cookie set by another site is told apart. */
export const EXPECTED_USER_HEADER = 'x-live-user';
/** `qytk` cookies of one request looked at (a browser sends every one whose path matches; a page may add some). */
const MAX_TOKEN_COOKIES = 4;

/**
 * Every `qytk` value of the request's Cookie header, in the order sent (at most 4). A browser sends one per
 * (domain, path) it holds, so more than one means a page of another port of this host, or of a sibling
 * subdomain, set its own (cookies ignore ports, and SameSite does not stop them being set): "cookie tossing".
 */
export function tokenCookiesOf(cookieHeader: string | string[] | undefined): string[] {
  const header = Array.isArray(cookieHeader) ? cookieHeader.join('; ') : (cookieHeader ?? '');
  const values: string[] = [];
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (at < 0 || pair.slice(0, at).trim() !== TOKEN_COOKIE) continue;
    const value = decoded(pair.slice(at + 1).trim());
    if (value !== '' && !values.includes(value)) values.push(value);
    if (values.length === MAX_TOKEN_COOKIES) break;
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
  for (const token of tokens) {
    const user = await resolve(token);
    if (user && (expectedUser === undefined || user.userId === expectedUser)) return { user, token };
  }
  if (expectedUser !== undefined && tokens.length > 0)
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
