import { GiftFailData, ImBizCode } from '@live/contracts';
import { GatewayRedisKeys } from '@live/redis';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { UserRole } from '../apps/api-gateway/src/user/entities/user.entity';
import { API_ENDPOINTS } from '../bench/support/endpoints';
import { ASYNCAPI_FILE, OPENAPI_FILE } from '../scripts/api-docs';
import { HttpClient } from './support/http-client';
import { startTestStack, TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/** Every endpoint of API.md that needs a token, with a body that would otherwise be valid in shape. */
const PROTECTED: [string, object][] = API_ENDPOINTS.filter((e) => !e.isPublic).map((e) => [e.path, e.body]);

describe('api-gateway: the public HTTP contract, with bank-service, gift-service and the real servers', () => {
  let stack: TestStack;
  let http: HttpClient;
  const adminPhone = `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  let phoneSeq = Math.floor(Math.random() * 1e7);
  const newPhone = (): string => `138${String((phoneSeq += 1)).padStart(8, '0')}`;

  async function login(
    phone = newPhone(),
  ): Promise<{ client: HttpClient; userId: number; token: string; cookie: string | null }> {
    const code = await http.post('/userLogin/sendLoginCode', { phone });
    expect(code.status).toBe(200);
    const res = await http.post('/userLogin/login', {
      phone,
      code: code.body.data.devCode!,
    });
    expect(res.body.code).toBe(200);
    return { client: http.as(res.body.data.token), ...res.body.data, cookie: res.headers.get('set-cookie') };
  }

  async function recharge(client: HttpClient): Promise<number> {
    return (await rechargeOrder(client)).coins;
  }

  async function rechargeOrder(client: HttpClient): Promise<{ coins: number; orderId: string }> {
    const { body } = await client.post('/bank/products', { type: 0 });
    const product = body.data.products[0];
    const order = await client.post('/bank/payProduct', {
      productId: product.id,
      paySource: 1,
      payChannel: 0,
    });
    expect(order.body.code).toBe(200);
    const paid = await client.post('/bank/devPay', { orderId: order.body.data.orderId });
    expect(paid.body.code).toBe(200);
    return { coins: product.coinNum, orderId: order.body.data.orderId };
  }

  const tradesOf = async (client: HttpClient) =>
    (
      await client.post('/bank/trades', {
        page: 1,
        pageSize: 100,
      })
    ).body.data.list;

  beforeAll(async () => {
    stack = await startTestStack({ env: { GATEWAY_ADMIN_PHONES: adminPhone } });
    http = new HttpClient(stack.baseUrl);
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('login: a development code, one a minute, wrong codes refused, token as cookie qytk and bearer, logout', async () => {
    const phone = newPhone();
    const first = await http.post('/userLogin/sendLoginCode', { phone });
    expect(first.body.data.devCode).toMatch(/^\d{6}$/);
    const again = await http.post('/userLogin/sendLoginCode', { phone });
    expect([again.status, again.body.code]).toEqual([429, 10001]);
    const wrong = await http.post('/userLogin/login', {
      phone,
      code: first.body.data.devCode === '000000' ? '111111' : '000000',
    });
    expect([wrong.status, wrong.body.code]).toEqual([400, 10002]);
    const ok = await http.post('/userLogin/login', {
      phone,
      code: first.body.data.devCode!,
    });
    expect(ok.body.code).toBe(200);
    const cookie = ok.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/qytk=[^;]+/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Max-Age=2592000/);
    // The same code cannot be used twice.
    expect((await http.post('/userLogin/login', { phone, code: first.body.data.devCode! })).body.code).toBe(10002);

    const byCookie = await http.post('/bank/balance', undefined, { cookie: cookie.split(';')[0] });
    expect(byCookie.body).toEqual({ code: 200, msg: 'success', data: { balance: 0 } });
    const bearer = http.as(ok.body.data.token);
    expect((await bearer.post('/bank/balance')).body.code).toBe(200);
    expect((await bearer.post('/userLogin/logout')).body.code).toBe(200);
    const after = await bearer.post('/bank/balance');
    expect([after.status, after.body.code]).toEqual([401, 100002]);
  });

  it('no endpoint but login, the payment callback and health answers without a token', async () => {
    for (const [path, body] of PROTECTED) {
      const res = await http.postUntyped(path, body);
      expect([path, res.status, res.body.code, res.body.data]).toEqual([path, 401, 100002, null]);
      const forged = await http.as('forged-token-that-is-long-enough').postUntyped(path, body);
      expect([path, forged.status, forged.body.code]).toEqual([path, 401, 100002]);
    }
    expect((await http.request('GET', '/health')).status).toBe(200);
    const callback = await http.post('/bank/payNotify', { orderId: 'PO-unknown', signature: 'bad' });
    expect(callback.status).toBeLessThan(500);
    expect(callback.body.code).not.toBe(100002);
  });

  it('recharge through the development payment provider; a forged callback is refused; a repeated one credits once', async () => {
    const { client } = await login();
    const before = await client.post('/bank/products', { type: 0 });
    expect(before.body.data.currentBalance).toBe(0);
    expect(before.body.data.products.length).toBeGreaterThan(0);
    expect(Object.keys(before.body.data.products[0]).sort()).toEqual(
      expect.arrayContaining(['coinNum', 'id', 'name', 'price']),
    );
    const { coins, orderId } = await rechargeOrder(client);
    expect(await client.balance()).toBe(coins);
    const again = await client.post('/bank/devPay', { orderId });
    expect(again.status).toBeLessThan(500);
    expect(await client.balance()).toBe(coins);
    const order = await client.post('/bank/payProduct', {
      productId: before.body.data.products[0].id,
      paySource: 1,
      payChannel: 1,
    });
    const forged = await http.post('/bank/payNotify', { orderId: order.body.data.orderId, signature: 'f'.repeat(64) });
    expect([forged.status, forged.body.code]).toEqual([400, 12006]);
    expect(await client.balance()).toBe(coins);
    // Somebody else's order cannot be paid with my token.
    const { client: other } = await login();
    const stolen = await other.post('/bank/devPay', { orderId: order.body.data.orderId });
    expect(stolen.status).toBeGreaterThanOrEqual(400);
    expect(stolen.status).toBeLessThan(500);
    expect(await client.balance()).toBe(coins);
  });

  it('living rooms: start (once per 10 s: -10001), list, anchor config, close by the owner only', async () => {
    const anchor = await login();
    const started = await anchor.client.post('/living/startingLiving', { type: 0 });
    expect(started.body.code).toBe(200);
    const twice = await anchor.client.post('/living/startingLiving', { type: 0 });
    expect([twice.status, twice.body.code]).toEqual([429, -10001]);
    const list = await anchor.client.post('/living/list', { type: 0, page: 1, pageSize: 100 });
    expect(list.body.data.list).toContainEqual(
      expect.objectContaining({ roomId: started.body.data.roomId, anchorId: anchor.userId }),
    );
    const config = await anchor.client.post('/living/anchorConfig', { roomId: started.body.data.roomId });
    expect(config.body.data).toMatchObject({ anchorId: anchor.userId, isAnchor: true });
    const viewer = await login();
    const notMine = await viewer.client.post('/living/closeLiving', { roomId: started.body.data.roomId });
    expect([notMine.status, notMine.body.code]).toEqual([403, 10004]);
    expect((await anchor.client.post('/living/closeLiving', { roomId: started.body.data.roomId })).body.code).toBe(200);
    const after = await anchor.client.post('/living/list', {
      type: 0,
      page: 1,
      pageSize: 100,
    });
    expect(after.body.data.list.map((r) => r.roomId)).not.toContain(started.body.data.roomId);
  });

  it('the routes that add a kept row per call have an hour window of successful calls too: a room started past 30 an hour, a PK seat taken past 60: 429 / -10001 naming it, nothing opened; a failed attempt counts nothing', async () => {
    const keys = new GatewayRedisKeys(stack.redis.prefix);
    const anchor = await login();
    // The hour's count as 30 starts (at least 10 s apart) would have left it.
    await stack.redis.redis.set(keys.rateLimit(anchor.userId, 'LivingController.start:3600s'), 30, 'EX', 3_600);
    const refused = await anchor.client.post('/living/startingLiving', { type: 1 });
    expect([refused.status, refused.body.code, refused.body.msg]).toEqual([
      429,
      -10001,
      'at most 30 rooms started an hour: try again later',
    ]);
    const viewer = await login();
    const rooms = await viewer.client.post('/living/list', { type: 1, page: 1, pageSize: 100 });
    expect(rooms.body.data.list.filter((r) => r.anchorId === anchor.userId)).toEqual([]);

    const pkAnchor = await login();
    const { roomId } = (await pkAnchor.client.post('/living/startingLiving', { type: 1 })).body.data;
    await stack.redis.redis.set(keys.rateLimit(viewer.userId, 'PkController.online:3600s'), 60, 'EX', 3_600);
    const seat = await viewer.client.post('/living/onlinePK', { roomId });
    expect([seat.status, seat.body.code, seat.body.msg]).toEqual([
      429,
      -10001,
      'at most 60 PK seats taken an hour: try again later',
    ]);
    expect((await viewer.client.post('/living/pkState', { roomId })).body.data).toMatchObject({ pkId: null });
    const other = await login(); // another user's hour is its own
    expect((await other.client.post('/living/onlinePK', { roomId })).body.code).toBe(200);
    expect(await stack.redis.redis.get(keys.rateLimit(other.userId, 'PkController.online:3600s'))).toBe('1');
    // A failed attempt (the seat is taken) writes no row and counts nothing in the hour.
    const late = await login();
    expect((await late.client.post('/living/onlinePK', { roomId })).body.code).toBe(14001);
    expect(await stack.redis.redis.get(keys.rateLimit(late.userId, 'PkController.online:3600s'))).toBeNull();
  });

  it("a room's title follows the rule of shown texts and nicknames' staff words: a hostile one is 400 / 100001 naming roomName, no room opened", async () => {
    const viewer = await login();
    const roomsOf = async (anchorId: number): Promise<unknown[]> =>
      (await viewer.client.post('/living/list', { type: 0, page: 1, pageSize: 100 })).body.data.list.filter(
        (r) => r.anchorId === anchorId,
      );
    // One anchor per title: the start limit (1 per 10 s) counts a refused request too.
    for (const roomName of [
      '\u202eOfficial ADMIN room\u0000\u0007\n<img>\ud800',
      'RTL\u202eevil',
      'bell\u0007 and nul\u0000',
      'zero\u200Bwidth',
      'Official ADMIN room',
      'Ѕуѕtеm notice',
    ]) {
      const anchor = await login();
      const res = await anchor.client.postUntyped<{ code: number; msg: string; data: null }>('/living/startingLiving', {
        type: 0,
        roomName,
      });
      expect([res.status, res.body.code, res.body.data]).toEqual([400, 100001, null]);
      expect(res.body.msg).toMatch(/^roomName /);
      expect(await roomsOf(anchor.userId)).toEqual([]);
    }
    for (const roomName of ['星星的直播间 🎤', 'Café crème à Zürich ☕', 'dev 👩‍💻 Ελληνικά']) {
      const anchor = await login();
      const res = await anchor.client.post('/living/startingLiving', { type: 0, roomName: `  ${roomName} ` });
      expect(res.body.code).toBe(200);
      const config = await anchor.client.post('/living/anchorConfig', { roomId: res.body.data.roomId });
      expect(config.body.data.roomName).toBe(roomName);
    }
  });

  it('a room closed after a gift was sent to it refuses gifts at once (the closing gateway drops its cached row), and after its 5 s (never served stale)', async () => {
    const anchor = await login();
    const { roomId } = (await anchor.client.post('/living/startingLiving', { type: 0 })).body.data;
    const viewer = await login();
    const coins = await recharge(viewer.client);
    const gift = (await viewer.client.post('/gift/listGift')).body.data.find((g) => g.price <= coins / 4)!;
    const send = () => viewer.client.post('/gift/send', { giftId: gift.giftId, roomId, receiverId: anchor.userId });
    expect((await send()).body.code).toBe(200); // the gateway now holds the room, live
    await waitFor('the gift settled', async () => (await viewer.client.balance()) === coins - gift.price, 30_000);
    expect((await anchor.client.post('/living/closeLiving', { roomId })).body.code).toBe(200);
    // Within the room cache's 5 s: it was served live, and the gift charged, until an attacker pass.
    const atOnce = await send();
    expect([atOnce.status, atOnce.body.code]).toEqual([404, 10003]);
    // Past them: the reload's 404 is the answer; it used to be covered by the stale row for 10 minutes.
    await new Promise((r) => setTimeout(r, 5_500));
    const refused = await send();
    expect([refused.status, refused.body.code]).toEqual([404, 10003]);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await viewer.client.balance()).toBe(coins - gift.price);
  });

  it('gifts: send, settled once per Idempotency-Key, unaffordable refused early, a gift refused at settlement pushes 5557 to the sender only', async () => {
    const anchor = await login();
    const { body: room } = await anchor.client.post('/living/startingLiving', { type: 0 });
    const viewer = await login();
    const coins = await recharge(viewer.client);
    const panel = await viewer.client.post('/gift/listGift');
    const gift = panel.body.data.find((g) => g.price <= coins / 4)!;
    const send = (headers: Record<string, string> = {}, body: object = {}) =>
      viewer.client.post(
        '/gift/send',
        { giftId: gift.giftId, roomId: room.data.roomId, receiverId: anchor.userId, ...body },
        headers,
      );

    const a = await send({ 'idempotency-key': 'tap-1' });
    const b = await send({ 'idempotency-key': 'tap-1' });
    const c = await send({}, { requestId: 'tap-2' });
    expect([a.body.code, b.body.code, c.body.code]).toEqual([200, 200, 200]);
    expect(a.body.data.requestId).toBe(b.body.data.requestId);
    await waitFor('two gifts settled', async () => (await viewer.client.balance()) === coins - 2 * gift.price, 30_000);
    const gifts = (await tradesOf(viewer.client)).filter((t) => t.type === 2);
    expect(gifts.map((t) => t.requestId).sort()).toEqual([a.body.data.requestId, c.body.data.requestId].sort());

    // Unaffordable by the cached balance: refused before Kafka.
    const expensive = panel.body.data.find((g) => g.price > coins)!;
    const refused = await viewer.client.post('/gift/send', {
      giftId: expensive.giftId,
      roomId: room.data.roomId,
      receiverId: anchor.userId,
    });
    expect([refused.status, refused.body.code]).toEqual([402, 12001]);

    // Affordable one by one, not all together: the pre-check passes each, the settlement refuses the last ones.
    const left = coins - 2 * gift.price;
    const big = panel.body.data.filter((g) => g.price <= left).sort((x, y) => y.price - x.price)[0];
    const burst = await Promise.all(
      Array.from({ length: Math.floor(left / big.price) + 2 }, (_, i) =>
        viewer.client.post('/gift/send', {
          giftId: big.giftId,
          roomId: room.data.roomId,
          receiverId: anchor.userId,
          requestId: `burst-${i}`,
        }),
      ),
    );
    const accepted = burst.filter((r) => r.body.code === 200).map((r) => r.body.data.requestId);
    await waitFor('the burst pushed', () => accepted.every((id) => stack.pushes!.pushedIds().has(id)), 30_000);
    const failures = stack.pushes!.direct.filter((m) => accepted.includes(m.msgId ?? ''));
    expect(failures.length).toBeGreaterThanOrEqual(1);
    for (const f of failures) {
      expect([f.userId, f.bizCode]).toEqual([viewer.userId, ImBizCode.GIFT_FAIL]);
      expect((f.data as unknown as GiftFailData).msg).toMatch(/balance/i);
    }
    expect(await viewer.client.balance()).toBeGreaterThanOrEqual(0);
    expect(
      stack.pushes!.room.filter((m) => accepted.includes(m.msgId ?? '')).every((m) => m.roomId === room.data.roomId),
    ).toBe(true);

    const board = await viewer.client.post('/gift/contributionBoard', { roomId: room.data.roomId });
    expect(board.body.data.entries[0]).toEqual({
      rank: 1,
      userId: viewer.userId,
      score: coins - (await viewer.client.balance()),
    });
  });

  it('admin gift writes need the admin role', async () => {
    const user = await login();
    const denied = await user.client.post('/gift/admin/insert', {
      giftName: 'Star',
      price: 3,
      coverImgUrl: '/s.png',
      svgaUrl: '/s.svga',
    });
    expect([denied.status, denied.body.code]).toEqual([403, 100003]);
    const admin = await login(adminPhone);
    const inserted = await admin.client.post('/gift/admin/insert', {
      giftName: 'Star',
      price: 3,
      coverImgUrl: '/s.png',
      svgaUrl: '/s.svga',
      sortOrder: 99,
    });
    expect(inserted.body.code).toBe(200);
    const updated = await admin.client.post('/gift/admin/update', {
      giftId: inserted.body.data.giftId,
      price: 4,
    });
    expect(updated.body.data.price).toBe(4);
    // Gift pictures are paths of this site or https URLs, names follow the rule of shown texts: every viewer sees them.
    for (const bad of [
      { coverImgUrl: 'javascript:alert(1)' },
      { svgaUrl: 'data:text/html,<script>alert(1)</script>' },
      { coverImgUrl: 'https://attacker.example' },
      { giftName: '<b>g</b>\u202Eevil' },
      { giftName: '   ' },
    ]) {
      const refused = await admin.client.postUntyped('/gift/admin/insert', {
        giftName: 'Star',
        price: 3,
        coverImgUrl: '/s.png',
        svgaUrl: '/s.svga',
        ...bad,
      });
      expect([bad, refused.status, refused.body.code]).toEqual([bad, 400, 100001]);
    }
    const cdn = await admin.client.post('/gift/admin/update', {
      giftId: inserted.body.data.giftId,
      coverImgUrl: 'https://cdn.example/star.png',
    });
    expect(cdn.body.data.coverImgUrl).toBe('https://cdn.example/star.png');
    // null is not "keep it" (that is leaving the field out): refused, nothing changed (it reached the NOT NULL column: 500).
    for (const field of ['price', 'giftName', 'status', 'coverImgUrl', 'sortOrder']) {
      const nulled = await admin.client.postUntyped('/gift/admin/update', {
        giftId: inserted.body.data.giftId,
        [field]: null,
      });
      expect([field, nulled.status, nulled.body.code]).toEqual([field, 400, 100001]);
    }
    await waitFor(
      'the new price on the panel',
      async () => {
        const panel = await user.client.post('/gift/listGift');
        return panel.body.data.some((g) => g.giftId === inserted.body.data.giftId && g.price === 4);
      },
      5_000,
    );
  });

  it('a token issued as admin loses the rights once its phone is off GATEWAY_ADMIN_PHONES (no waiting for its TTL)', async () => {
    // A phone not on the list (this stack's list holds adminPhone only) whose token was issued while it was:
    // its token's value says admin, as a login before the list changed wrote it.
    const former = await login();
    const anchor = await login();
    const room = await anchor.client.post('/living/startingLiving', { type: 0 });
    const keys = new GatewayRedisKeys(stack.redis.prefix);
    await stack.redis.redis.set(keys.userToken(former.token), `${former.userId}:${UserRole.ADMIN}`, 'KEEPTTL');
    const freeze = await former.client.post('/bank/admin/freeze', { userId: anchor.userId, reason: 'test' });
    expect([freeze.status, freeze.body.code]).toEqual([403, 100003]);
    const history = await former.client.post('/gift/history/room', { roomId: room.body.data.roomId });
    expect([history.status, history.body.code]).toEqual([403, 10004]);
    // The refused freeze left no trace (an admin on the list: 'admin gift writes need the admin role').
    const log = await stack.db.dataSource.query('SELECT COUNT(*) AS n FROM t_account_status_log WHERE user_id = ?', [
      anchor.userId,
    ]);
    expect(Number(log[0].n)).toBe(0);
  });

  it('the benchmark baselines do not exist unless GATEWAY_BENCH_ROUTES=true', async () => {
    const user = await login();
    for (const path of ['/bench/noop', '/bench/naiveSend', '/bench/naiveSendAndPush']) {
      const res = await user.client.postUntyped(path, { giftId: 1, roomId: 1, receiverId: 2 });
      expect([path, res.status, res.body.code]).toEqual([path, 404, 100004]);
    }
  });

  it('100+ malformed requests across the endpoints: every answer a 4xx envelope, never a 5xx', async () => {
    const { client } = await login();
    const bad: [string, string | undefined, Record<string, string>?][] = [];
    const bodies = [
      '{not json',
      '[]',
      '"a string"',
      '{"giftId":"abc"}',
      '{"giftId":-1,"roomId":0,"receiverId":1.5}',
      '{"page":0,"pageSize":1000}',
      '{"type":-99}',
      '{"roomId":99999999999999999999}',
      '{"unknownField":1}',
      '{"orderId":"../../etc"}',
      '{"phone":"abc"}',
      '{"productId":true,"paySource":"x","payChannel":null}',
    ];
    const paths = ['/userLogin/sendLoginCode', '/userLogin/login', ...PROTECTED.map(([p]) => p), '/bank/payNotify'];
    const bodyless = ['/userLogin/logout', '/gift/listGift', '/bank/balance', '/bank/earnings', '/im/getImConfig'];
    for (const path of paths)
      for (const body of bodies)
        if (!bodyless.includes(path) || body.startsWith('{"unknown') || body.startsWith('{not')) bad.push([path, body]);
    for (const path of bodyless)
      for (const body of ['{"userId":1}', '{"roomId":2}', '{"x":[1,2]}']) bad.push([path, body]);
    bad.push(['/gift/send', 'x'.repeat(200_000)]);
    bad.push(['/living/list', 'type=abc&page=1', { 'content-type': 'application/x-www-form-urlencoded' }]);
    bad.push(['/gift/send', '{"giftId":1,"roomId":1,"receiverId":2}', { 'idempotency-key': 'bad key with spaces' }]);
    bad.push(['/no/such/endpoint', '{}']);
    expect(bad.length).toBeGreaterThanOrEqual(100);
    const answers = await Promise.all(
      bad.map(([path, body, headers]) =>
        client.request('POST', path, body, { 'content-type': 'application/json', ...headers }),
      ),
    );
    const fiveXx = answers
      .map((a, i) => [bad[i][0], bad[i][1]?.slice(0, 40), a.status, a.body.msg])
      .filter(([, , s]) => (s as number) >= 500);
    expect(fiveXx).toEqual([]);
    for (const [i, a] of answers.entries()) {
      expect([bad[i][0], a.status >= 400 && a.status < 500, typeof a.body.code, a.body.code !== 200]).toEqual([
        bad[i][0],
        true,
        'number',
        true,
      ]);
      expect(a.body.msg).not.toMatch(/at .*\.(ts|js):\d+/);
    }
  });

  it('answers given before a route is reached are the envelope too: a deep body, a bad URL, oversized headers', async () => {
    const { client } = await login();
    // 20,000 levels of brackets (40 KB): refused in front, never walked recursively (it was a 500 and a stack trace).
    const deep = `{"phone":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    for (const [who, path] of [
      [client, '/bank/balance'],
      [client, '/gift/send'], // a route with a schema: the depth is what is named, not a field of the emptied body
      [new HttpClient(stack.baseUrl), '/userLogin/sendLoginCode'],
    ] as const) {
      const answer = await who.request('POST', path, deep, { 'content-type': 'application/json' });
      expect([path, answer.status, answer.body.code, answer.body.msg]).toEqual([
        path,
        400,
        100001,
        'body is nested deeper than 32 levels',
      ]);
    }
    // 5,000 unknown fields (49 KB): refused in front, before the validation makes an error of each (an attacker
    // pass: 64-91 ms and a 198 KB answer each, 90 of them held /health 5 s); 60 are named 10 at most.
    const wide = JSON.stringify(Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`p${i}`, 1])));
    for (const [who, path] of [
      [client, '/living/list'],
      [client, '/user/names'],
      [client, '/gift/send'],
      [new HttpClient(stack.baseUrl), '/userLogin/login'], // a public route
    ] as const) {
      const answer = await who.request('POST', path, wide, { 'content-type': 'application/json' });
      expect([path, answer.status, answer.body]).toEqual([
        path,
        400,
        { code: 100001, msg: 'body has more than 64 fields', data: null },
      ]);
    }
    // Told before the parse when long (the parse was most of such a body's cost): a form of 5,000 pairs, and
    // bodies too wide, too deep or of too many values that are not even JSON (the parse would have said so), are
    // named for their shape; without a token, 401 comes first.
    const wideForm = Array.from({ length: 5_000 }, (_, i) => `p${i}=1`).join('&');
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const json = { 'content-type': 'application/json' };
    const utf8 = { 'content-type': 'application/json; charset=utf-8' };
    const anonymous = new HttpClient(stack.baseUrl);
    for (const [who, path, body, headers, status, msg] of [
      [client, '/living/list', wideForm, form, 400, 'body has more than 64 fields'],
      [client, '/gift/send', wideForm, form, 400, 'body has more than 64 fields'],
      // One key 5,000 times: parsed, one field of 5,000 values; counted before the parse, 5,000 fields.
      [client, '/living/list', 'p=1&'.repeat(5_000), form, 400, 'body has more than 64 fields'],
      [client, '/living/list', `${wide.slice(0, -1)},}`, json, 400, 'body has more than 64 fields'],
      [client, '/living/list', `${wide.slice(0, -1)},}`, utf8, 400, 'body has more than 64 fields'],
      [client, '/living/list', `{"page":${'['.repeat(20_000)}`, json, 400, 'body is nested deeper than 32 levels'],
      [client, '/user/names', `{"userIds":[${'{},'.repeat(20_000)}`, json, 400, 'body has more than 1024 values'],
      [anonymous, '/living/list', wide, json, 401, undefined],
      [anonymous, '/living/list', wideForm, form, 401, undefined],
    ] as const) {
      const answer = await who.request('POST', path, body, headers);
      expect([path, answer.status, answer.body.code, status === 400 ? answer.body.msg : undefined]).toEqual([
        path,
        status,
        status === 400 ? 100001 : 100002,
        msg,
      ]);
    }
    // The parsers are still Fastify's for JSON (a prototype key refused by it, before any validation) and a
    // form's pairs still read.
    const poisoned = await client.request('POST', '/living/list', '{"type":0,"__proto__":{"page":1}}', utf8);
    expect([poisoned.status, poisoned.body]).toEqual([
      400,
      { code: 100001, msg: 'Object contains forbidden prototype property', data: null },
    ]);
    const listed = await client.request('POST', '/living/list', 'type=0&page=1&pageSize=5', form);
    expect([listed.status, listed.body.code]).toEqual([200, 200]);
    const sixty = JSON.stringify(Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`p${i}`, 1])));
    const named = await client.request('POST', '/living/list', sixty, { 'content-type': 'application/json' });
    expect([named.status, named.body.code]).toEqual([400, 100001]);
    expect(named.body.msg).toMatch(/^(?:[^;]+; ){10}and \d+ more$/);
    const port = Number(new URL(stack.baseUrl).port);
    const badUrl = await rawHttp(port, 'GET /% HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect([badUrl.status, JSON.parse(badUrl.body)]).toEqual([
      400,
      { code: 100001, msg: 'the URL is malformed (a bad percent-encoding)', data: null },
    ]);
    // A content type the gateway does not parse, or an empty one: 415 in the envelope, naming no `undefined`.
    for (const type of ['Content-Type: text/xml\r\n', 'Content-Type: \r\n', 'Content-Type:\r\n']) {
      const bad = await rawHttp(
        port,
        `POST /userLogin/sendLoginCode HTTP/1.1\r\nHost: x\r\n${type}Content-Length: 2\r\nConnection: close\r\n\r\n{}`,
      );
      expect([type, bad.status, JSON.parse(bad.body)]).toEqual([
        type,
        415,
        { code: 100001, msg: 'unsupported content type', data: null },
      ]);
    }
    const bigHeader = await rawHttp(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect([bigHeader.status, JSON.parse(bigHeader.body)]).toEqual([
      431,
      { code: 100001, msg: 'request headers are too large', data: null },
    ]);
    // The answers Fastify writes before any hook carry the page's security headers too, as every other answer.
    const health = (await new HttpClient(stack.baseUrl).request('GET', '/health')).headers;
    const security = ['content-security-policy', 'x-frame-options', 'referrer-policy', 'x-content-type-options'];
    const page = security.map((name) => [name, health.get(name)]);
    expect(page.every(([, value]) => typeof value === 'string' && value.length > 0)).toBe(true);
    for (const answer of [badUrl, bigHeader])
      expect(security.map((name) => [name, answer.headers[name]])).toEqual(page);
  });

  it('a JSON string of digits is not an integer (400 / 100001, nothing done); the same digits in a form are', async () => {
    const anchor = await login();
    const { roomId } = (await anchor.client.post('/living/startingLiving', { type: 0 })).body.data;
    for (const [path, body] of [
      ['/living/anchorConfig', `{"roomId":"${roomId}"}`],
      ['/living/mute', `{"roomId":${roomId},"userId":"${anchor.userId + 1}","minutes":5}`],
      ['/bank/withdraw', '{"amount":"200"}'],
      ['/gift/history/room', `{"roomId":" ${roomId}"}`],
    ]) {
      const answer = await anchor.client.request('POST', path, body, { 'content-type': 'application/json' });
      expect([path, answer.status, answer.body.code, answer.body.msg]).toEqual([
        path,
        400,
        100001,
        expect.stringMatching(/must be an integer number/),
      ]);
    }
    expect((await anchor.client.post('/bank/withdrawals', {})).body.data.list).toEqual([]);
    const form = await anchor.client.request('POST', '/living/anchorConfig', `roomId=${roomId}`, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect([form.status, form.body.code, (form.body.data as { roomId: number }).roomId]).toEqual([200, 200, roomId]);
  });

  it('forms work too; /metrics (operators only) counts requests and gifts; /docs describes the API, /docs/asyncapi.json the WebSocket', async () => {
    const { client } = await login();
    const form = await client.request('POST', '/living/list', 'type=0&page=1&pageSize=5', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.body.code).toBe(200);
    const anonymous = await fetch(`${stack.baseUrl}/metrics`);
    expect([anonymous.status, ((await anonymous.json()) as { code: number }).code]).toEqual([403, 100003]);
    const metrics = await fetch(`${stack.baseUrl}/metrics`, {
      headers: { authorization: `Bearer ${process.env.HEALTH_DETAILS_TOKEN}` },
    }).then((r) => r.text());
    expect(metrics).toMatch(/http_requests_total\{method="POST",route="\/living\/list",status="200"\} \d+/);
    expect(metrics).toMatch(/gifts_accepted_total \d+/);
    expect(metrics).toMatch(/kafka_produce_errors_total \d+/);
    // The served document is the one `npm run lint` checks (apps/api-gateway/openapi.json, scripts/api-docs.ts).
    const docs: unknown = await fetch(`${stack.baseUrl}/docs/json`).then((r) => r.json());
    expect(docs).toEqual(JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')));
    const asyncApi = await fetch(`${stack.baseUrl}/docs/asyncapi.json`);
    expect([asyncApi.status, asyncApi.headers.get('content-type')]).toEqual([
      200,
      expect.stringMatching(/^application\/json/),
    ]);
    expect(await asyncApi.json()).toEqual(JSON.parse(readFileSync(ASYNCAPI_FILE, 'utf8')));
  });
});

/** One raw HTTP/1.1 exchange on a plain TCP socket (what fetch would not send): the status and the body. */
function rawHttp(
  port: number,
  request: string,
): Promise<{ status: number; body: string; headers: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head, ...body] = text.split('\r\n\r\n');
      const headers = Object.fromEntries(
        head
          .split('\r\n')
          .slice(1)
          .map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), body: body.join('\r\n\r\n'), headers });
    });
  });
}
