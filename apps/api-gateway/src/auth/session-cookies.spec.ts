import { BizException } from '@live/common';
import { cookieUserOf, expectedUserOf, tokenCookiesOf } from './session-cookies';

describe('login cookies told apart (cookie tossing)', () => {
  it('reads the qytk values of the Cookie header in order, once each, the last 4', () => {
    expect(tokenCookiesOf('a=1; qytk=planted; b=2; qytk=own')).toEqual(['planted', 'own']);
    expect(tokenCookiesOf('qytk=x; qytk=x; xqytk=y; qytk=')).toEqual(['x']);
    expect(tokenCookiesOf('qytk=a%3Db')).toEqual(['a=b']);
    // Planted ones (longer paths) come first; the page's own (Path=/) last: never pushed out by planting more.
    expect(tokenCookiesOf(Array.from({ length: 9 }, (_, i) => `qytk=t${i}`).join('; '))).toEqual([
      't5',
      't6',
      't7',
      't8',
    ]);
    expect(tokenCookiesOf(undefined)).toEqual([]);
  });

  it('takes x-live-user only as a positive integer', () => {
    expect(['7', '0', '-1', '1e3', 'x', undefined].map((v) => expectedUserOf(v))).toEqual([
      7,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  const users: Record<string, number> = { own: 7, planted: 9 };
  const resolve = async (token: string) => (token in users ? { userId: users[token], role: 0 } : null);
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => 'accepted',
      (e: unknown) => (e instanceof BizException ? `${e.code} ${e.message}` : String(e)),
    );

  it("picks the page's own user among several; without the header several are refused, one is its user", async () => {
    expect(await cookieUserOf(['planted', 'own'], 7, resolve)).toEqual({ user: { userId: 7, role: 0 }, token: 'own' });
    expect(await cookieUserOf(['planted'], undefined, resolve)).toEqual({
      user: { userId: 9, role: 0 },
      token: 'planted',
    });
    expect(await refusal(cookieUserOf(['planted', 'own'], undefined, resolve))).toMatch(
      /^100002 several login cookies/,
    );
    expect(await refusal(cookieUserOf(['planted'], 7, resolve))).toBe(
      "100002 the login cookie is not user 7's: log in again",
    );
    expect(await refusal(cookieUserOf(['gone'], undefined, resolve))).toBe('100002 token is invalid or expired');
    expect(await refusal(cookieUserOf(['gone'], 7, resolve))).toBe('100002 token is invalid or expired'); // expired
  });
});
