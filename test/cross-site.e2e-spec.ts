import { SEED_GIFTS, SEED_PRODUCTS } from '@live/database';
import { HttpClient } from './support/http-client';
import { startTestStack, TestStack } from './support/test-stack';

/**
 * Cross-site request forgery, as a page of another site makes a browser send it (plain fetch with the
 * browser's headers: an `Origin`, a form body, the `qytk` cookie): a login from another origin plants no
 * cookie (it still answers the token, which that page cannot read), a cookie is never enough from another
 * origin, and a bearer token is read before the cookie (a planted cookie cannot turn the web client's calls
 * into another user's).
 */
describe('cross-site requests', () => {
  let stack: TestStack;
  let http: HttpClient;
  let phone = 13_600_000_000 + Math.floor(Math.random() * 90_000_000);
  const EVIL = 'http://evil.example';
  const SAME_SITE_OTHER_PORT = 'http://127.0.0.1:1'; // "same site" for SameSite=Lax, another origin
  const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
  const [giftId] = SEED_GIFTS[3];
  const [productId, , , coins] = SEED_PRODUCTS[1];

  beforeAll(async () => {
    stack = await startTestStack({
      env: { GATEWAY_ALLOWED_ORIGINS: 'https://friend.example, capacitor://localhost' },
    });
    http = new HttpClient(stack.baseUrl);
  });
  afterAll(async () => {
    await stack?.close();
  });

  const codeFor = async (p: string): Promise<string> =>
    (await http.post('/userLogin/sendLoginCode', { phone: p })).body.data.devCode!;
  const loginForm = (p: string, code: string, origin?: string) =>
    http.request('POST', '/userLogin/login', `phone=${p}&code=${code}`, { ...FORM, ...(origin ? { origin } : {}) });
  async function login(): Promise<{ token: string; cookie: string; userId: number }> {
    const p = String((phone += 1));
    const res = await loginForm(p, await codeFor(p));
    expect(res.body.code).toBe(200);
    const data = res.body.data as { token: string; userId: number };
    return { ...data, cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] };
  }

  it('a login from a page of another origin sets no cookie (login CSRF plants nothing); its own origin does', async () => {
    const ownOrigin = new URL(stack.baseUrl).origin;
    const otherScheme = ownOrigin.replace('http://', 'https://'); // the same host and port, another scheme
    const origins = [EVIL, SAME_SITE_OTHER_PORT, 'null', otherScheme, ownOrigin, 'capacitor://localhost', undefined];
    for (const origin of origins) {
      const p = String((phone += 1));
      const res = await loginForm(p, await codeFor(p), origin);
      const data = res.body.data as { token: string; userId: number };
      expect([origin, res.status, res.body.code]).toEqual([origin, 200, 200]); // the token, as API.md says
      const cookie = res.headers.get('set-cookie');
      // No page (an app), the page's own origin, or one listed in GATEWAY_ALLOWED_ORIGINS: the cookie.
      const cookieDue = origin === undefined || origin === ownOrigin || origin === 'capacitor://localhost';
      if (cookieDue) expect([origin, cookie]).toEqual([origin, expect.stringMatching(/^qytk=/)]);
      else expect([origin, cookie]).toEqual([origin, null]);
      expect((await http.as(data.token).post('/user/profile')).body.data.userId).toBe(data.userId);
    }
  });

  it('the cookie alone acts only from this origin, an allowed one, or no page at all; never spends from another', async () => {
    const viewer = await login();
    const order = await http.as(viewer.token).post('/bank/payProduct', { productId, paySource: 1, payChannel: 0 });
    await http.as(viewer.token).post('/bank/devPay', { orderId: order.body.data.orderId });
    const anchor = await login();
    const room = (await http.as(anchor.token).post('/living/startingLiving', { type: 0 })).body.data.roomId;
    const send = (headers: Record<string, string>) =>
      http.request('POST', '/gift/send', `giftId=${giftId}&roomId=${room}&receiverId=${anchor.userId}`, {
        ...FORM,
        cookie: viewer.cookie,
        ...headers,
      });
    for (const origin of [EVIL, SAME_SITE_OTHER_PORT, 'null', 'https://friend.example.evil.example']) {
      const forged = await send({ origin });
      expect([forged.status, forged.body.code]).toEqual([403, 100003]);
    }
    expect(await http.as(viewer.token).balance()).toBe(coins); // nothing spent
    const allowed: Record<string, string>[] = [
      {},
      { origin: new URL(stack.baseUrl).origin },
      { origin: 'https://friend.example' },
    ];
    for (const headers of allowed) {
      const res = await send(headers);
      expect([res.status, res.body.code]).toEqual([200, 200]);
    }
    // A bearer token is an explicit header no other site's page can make a browser send: not checked.
    const bearer = await http.as(viewer.token).post('/user/profile', {}, { origin: EVIL });
    expect([bearer.status, bearer.body.data.userId]).toEqual([200, viewer.userId]);
    // Reads with the cookie from another origin are refused too (every route is a POST).
    const read = await http.request('POST', '/bank/balance', '{}', {
      'content-type': 'application/json',
      cookie: viewer.cookie,
      origin: EVIL,
    });
    expect([read.status, read.body.code]).toEqual([403, 100003]);
  });

  it("a cookie another port's page planted (cookie tossing) never makes the page act as its user", async () => {
    const victim = await login();
    const attacker = await login();
    const own = new URL(stack.baseUrl).origin;
    const as = (cookie: string, headers: Record<string, string> = {}) =>
      http.request('POST', '/user/profile', '{}', {
        'content-type': 'application/json',
        origin: own,
        cookie,
        ...headers,
      });
    // The browser sends the planted cookie (a longer path) first, then the page's own.
    const both = `${attacker.cookie}; ${victim.cookie}`;
    const told = await as(both, { 'x-live-user': String(victim.userId) }); // the web client says who it is
    expect([told.status, told.body.data]).toEqual([200, expect.objectContaining({ userId: victim.userId })]);
    const unknown = await as(both); // no header: whose request it is cannot be told
    expect([unknown.status, unknown.body.code, unknown.body.msg]).toEqual([
      401,
      100002,
      expect.stringMatching(/several login cookies/),
    ]);
    const replaced = await as(attacker.cookie, { 'x-live-user': String(victim.userId) }); // the page's own overwritten
    expect([replaced.status, replaced.body.code]).toEqual([401, 100002]);
    // Nothing is bought for the attacker either.
    const order = await http.request('POST', '/bank/payProduct', `productId=${productId}&paySource=1&payChannel=0`, {
      ...FORM,
      origin: own,
      cookie: both,
      'x-live-user': String(victim.userId),
    });
    expect(order.body.code).toBe(200);
    const [row] = await stack.sql<{ user_id: string }>('SELECT user_id FROM t_pay_order WHERE order_id = ?', [
      (order.body.data as { orderId: string }).orderId,
    ]);
    expect(Number(row.user_id)).toBe(victim.userId);
    // One cookie and no header (an app of API.md keeping the cookie): its user, as ever.
    expect((await as(victim.cookie)).body.data).toEqual(expect.objectContaining({ userId: victim.userId }));
  });

  it('a bearer token is read before the cookie: a planted cookie does not change who the caller is', async () => {
    const victim = await login();
    const attacker = await login();
    const asVictim = http.as(victim.token);
    const profile = await asVictim.post('/user/profile', {}, { cookie: attacker.cookie });
    expect(profile.body.data.userId).toBe(victim.userId);
    // A stale or garbage cookie next to a good bearer: the bearer logs out.
    const out = await asVictim.post('/userLogin/logout', {}, { cookie: 'qytk=garbage' });
    expect(out.body.code).toBe(200);
    expect((await asVictim.post('/user/profile')).status).toBe(401);
  });
});
