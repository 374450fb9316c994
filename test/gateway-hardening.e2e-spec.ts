import { RefusalLog, startApp } from '@live/common';
import { tokenDigest } from '@live/contracts';
import { GatewayRedisKeys } from '@live/redis';
import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { ApiGatewayModule } from '../apps/api-gateway/src/api-gateway.module';
import { configureGateway } from '../apps/api-gateway/src/api-gateway.setup';
import { LOGIN_FREE_GUESSES, LOGIN_PHONE_CEILING } from '../apps/api-gateway/src/auth/auth.service';
import { signPayCallback } from '../apps/bank-service/src/recharge/pay-signature';
import { HttpClient } from './support/http-client';
import { portBlock, startTestStack, TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/**
 * The gateway's per-address limits and login-code rules, with plain fetch:
 *  - GATEWAY_TRUST_PROXY: behind a trusted proxy X-Forwarded-For decides the rate-limit bucket; without
 *    trust (the default) a client cannot pick its bucket by sending X-Forwarded-For.
 *  - login codes: wrong guesses never burn the owner's code; they are limited per (phone, address) with
 *    a doubling wait, and per phone; asking for a code again re-sends the pending one.
 * Two gateways share the stack: the stack's own (no trust) and one trusting 127.0.0.1 as its proxy (so a
 * test can speak from any client address through X-Forwarded-For, as a load balancer would).
 */
describe('api-gateway: trusted proxies, login-code rules', () => {
  let stack: TestStack;
  let proxied: NestFastifyApplication;
  let direct: HttpClient;
  let viaProxy: HttpClient;
  let keys: GatewayRedisKeys;
  let phoneSeq = Math.floor(Math.random() * 1e7);
  const newPhone = (): string => `137${String((phoneSeq += 1)).padStart(8, '0')}`;
  let addressSeq = Math.floor(Math.random() * 200);
  /** A fresh client address (TEST-NET-3, a different one per call). */
  const newAddress = (): string => `203.0.113.${(addressSeq = (addressSeq + 1) % 250) + 1}`;
  const from = (address: string): Record<string, string> => ({ 'x-forwarded-for': address });

  beforeAll(async () => {
    stack = await startTestStack();
    const [port] = portBlock(1);
    proxied = await startApp({
      app: 'api-gateway',
      module: ApiGatewayModule,
      http: { host: '127.0.0.1', port, trustProxy: ['127.0.0.1'] },
      configure: configureGateway,
    });
    direct = new HttpClient(stack.baseUrl);
    viaProxy = new HttpClient(`http://127.0.0.1:${port}`);
    keys = new GatewayRedisKeys(stack.redis.prefix);
  });

  afterAll(async () => {
    await proxied?.close();
    await stack?.close();
  });

  /** Sends `n` requests counted by the 100-per-minute-per-address limit of /userLogin/login; the statuses. */
  async function loginRequests(
    client: HttpClient,
    n: number,
    headers: () => Record<string, string>,
  ): Promise<number[]> {
    const statuses: number[] = [];
    // An empty body: the limit guard counts the request before validation refuses it (400).
    for (let i = 0; i < n; i += 1) statuses.push((await client.postUntyped('/userLogin/login', {}, headers())).status);
    return statuses;
  }

  it('trust on: X-Forwarded-For from the trusted proxy decides the bucket', async () => {
    const client = newAddress();
    const first = await loginRequests(viaProxy, 101, () => from(client));
    expect(first.slice(0, 100).every((s) => s === 400)).toBe(true);
    expect(first[100]).toBe(429);
    // Another client behind the same proxy has its own bucket.
    expect(await loginRequests(viaProxy, 1, () => from(newAddress()))).toEqual([400]);
    // The rightmost untrusted address counts: a client cannot hide behind a forged entry on the left.
    expect(await loginRequests(viaProxy, 1, () => ({ 'x-forwarded-for': `198.51.100.9, ${client}` }))).toEqual([429]);
  });

  it('trust on: an X-Forwarded-For that is not an address gets a clear 4xx, never a 5xx', async () => {
    // 127.0.0.1 (trusted) forwards whatever the header says: a client without a proxy in front.
    const res = await viaProxy.post(
      '/userLogin/login',
      { phone: newPhone(), code: '123456' },
      { 'x-forwarded-for': 'not{an} address' },
    );
    expect([res.status, res.body.code]).toEqual([400, 10002]);
  });

  it('trust off (the default): X-Forwarded-For is ignored, a client cannot pick its bucket', async () => {
    const statuses = await loginRequests(direct, 101, () => from(newAddress()));
    expect(statuses.slice(0, 100).every((s) => s === 400)).toBe(true);
    expect(statuses[100]).toBe(429);
  });

  async function sendCode(phone: string, address: string): Promise<string> {
    const res = await viaProxy.post('/userLogin/sendLoginCode', { phone }, from(address));
    expect(res.status).toBe(200);
    return res.body.data.devCode!;
  }
  const wrongFor = (code: string): string => (code === '000000' ? '111111' : '000000');
  const guess = (phone: string, code: string, address: string) =>
    viaProxy.post('/userLogin/login', { phone, code }, from(address));

  it('a user holds at most GATEWAY_SESSIONS_PER_USER (20) login tokens: a login past them logs the oldest out', async () => {
    const phone = newPhone();
    const home = newAddress();
    const tokens: string[] = [];
    for (let i = 0; i < 21; i += 1) {
      await stack.redis.redis.del(keys.loginCodeCooldown(phone)); // a minute passed
      const res = await guess(phone, await sendCode(phone, home), home);
      expect(res.body.code).toBe(200);
      tokens.push(res.body.data.token);
    }
    const profile = (token: string) => direct.as(token).postUntyped('/user/profile', {});
    expect((await profile(tokens[0])).status).toBe(401); // the oldest, logged out
    for (const token of [tokens[1], tokens[20]]) expect((await profile(token)).status).toBe(200);
    expect(await stack.redis.redis.exists(keys.userToken(tokens[0]))).toBe(0);
    const userId = (await profile(tokens[20])).body as { data: { userId: number } };
    expect(await stack.redis.redis.zcard(keys.userTokens(userId.data.userId))).toBe(20);
    expect(await stack.redis.redis.ttl(keys.userTokens(userId.data.userId))).toBeGreaterThan(0);
    // A logout leaves the sessions too.
    expect((await direct.as(tokens[20]).postUntyped('/userLogin/logout', {})).status).toBe(200);
    expect(await stack.redis.redis.zcard(keys.userTokens(userId.data.userId))).toBe(19);
  });

  it('Redis never holds a login or IM token, only its digest (a reader of Redis gets no credential); a session stored under the token itself (before digests) still works and logs out', async () => {
    const phone = newPhone();
    const home = newAddress();
    const login = await guess(phone, await sendCode(phone, home), home);
    const { token, userId } = login.body.data;
    const im = (await direct.as(token).postUntyped('/im/getImConfig', {})).body as { data: { token: string } };
    const imToken = im.data.token;
    // Every key of this stack, and every member of the user's session list: neither token appears anywhere.
    const everything: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await stack.redis.redis.scan(cursor, 'MATCH', `${stack.redis.prefix}:*`, 'COUNT', 1000);
      everything.push(...found);
      cursor = next;
    } while (cursor !== '0');
    const members = await stack.redis.redis.zrange(keys.userTokens(userId), 0, -1);
    for (const secret of [token, imToken]) {
      expect(everything.filter((k) => k.includes(secret))).toEqual([]);
      expect(members.filter((m) => m.includes(secret))).toEqual([]);
    }
    expect(members).toEqual([tokenDigest(token)]);
    expect(await stack.redis.redis.exists(keys.userSession(tokenDigest(token)), keys.imToken(imToken))).toBe(2);
    // What Redis shows is no credential: the session id sent as a token is refused (it names the session's
    // key, and the read of sessions of before digests must not take it for a token).
    expect((await direct.as(tokenDigest(token)).postUntyped('/user/profile', {})).status).toBe(401);
    expect((await direct.as(token).postUntyped('/user/profile', {})).status).toBe(200);
    // A logout publishes the session id, not the token.
    const listener = stack.redis.redis.duplicate();
    const heard: string[] = [];
    listener.on('message', (_channel: string, message: string) => void heard.push(message));
    await listener.subscribe(keys.logoutChannel());
    expect((await direct.as(token).postUntyped('/userLogin/logout', {})).status).toBe(200);
    await waitFor('the logout published', () => heard.some((m) => !m.startsWith('~ping')), 5_000);
    expect(heard.filter((m) => !m.startsWith('~ping'))).toEqual([tokenDigest(token)]);
    await listener.quit();

    // A session of before digests: its key named by the token itself, the token in the session list.
    const legacy = randomBytes(24).toString('base64url');
    await stack.redis.redis.set(keys.userSession(legacy), `${userId}:0`, 'EX', 600);
    await stack.redis.redis.zadd(keys.userTokens(userId), Date.now(), legacy);
    expect((await direct.as(legacy).postUntyped('/user/profile', {})).status).toBe(200);
    expect((await direct.as(legacy).postUntyped('/userLogin/logout', {})).status).toBe(200);
    expect(await stack.redis.redis.exists(keys.userSession(legacy))).toBe(0);
    expect(await stack.redis.redis.zrange(keys.userTokens(userId), 0, -1)).toEqual([]);
    expect((await direct.as(legacy).postUntyped('/user/profile', {})).status).toBe(401);
  });

  it("wrong guesses from a stranger do not burn the owner's code; the stranger waits, refused unchecked", async () => {
    const phone = newPhone();
    const owner = newAddress();
    const stranger = newAddress();
    const code = await sendCode(phone, owner);
    for (let i = 0; i < LOGIN_FREE_GUESSES; i += 1) {
      const res = await guess(phone, wrongFor(code), stranger);
      expect([res.status, res.body.code]).toEqual([400, 10002]);
    }
    // The stranger's next guess is refused without being compared: even the right code.
    const blocked = await guess(phone, code, stranger);
    expect([blocked.status, blocked.body.code]).toEqual([429, -10001]);
    expect(blocked.body.msg).toMatch(/try again in 60 s/);
    // The owner's code still works, from the owner's address.
    const ok = await guess(phone, code, owner);
    expect([ok.status, ok.body.code]).toEqual([200, 200]);
  });

  it('each wrong guess past the free ones doubles the wait of that address for that phone', async () => {
    const phone = newPhone();
    const stranger = newAddress();
    const code = await sendCode(phone, newAddress());
    for (let i = 0; i < LOGIN_FREE_GUESSES; i += 1) await guess(phone, wrongFor(code), stranger);
    const waits: string[] = [];
    for (let round = 0; round < 3; round += 1) {
      waits.push(/try again in (\d+) s/.exec((await guess(phone, wrongFor(code), stranger)).body.msg)?.[1] ?? 'none');
      // The wait is over (as if the time had passed): one more wrong guess.
      await stack.redis.redis.hset(keys.loginGuesses(phone, stranger), 'until', 0);
      expect((await guess(phone, wrongFor(code), stranger)).body.code).toBe(10002);
    }
    expect(waits).toEqual(['60', '120', '240']);
  });

  it('a phone under a distributed attack: past its ceiling only addresses that logged in to it before are checked; the owner still logs in', async () => {
    const phone = newPhone();
    const ownerHome = newAddress();
    expect((await guess(phone, await sendCode(phone, ownerHome), ownerHome)).body.code).toBe(200); // the owner's earlier login
    await stack.redis.redis.del(keys.loginCodeCooldown(phone));
    const code = await sendCode(phone, newAddress());
    // A flood of wrong guesses elsewhere first uses up the guess lines' budget (20 per 10 s) ...
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const refusals = jest.spyOn(RefusalLog.prototype, 'refused');
    const [elsewhere, flooder] = [newPhone(), newAddress()];
    const elsewhereCode = await sendCode(elsewhere, flooder);
    for (let i = 0; i < 25; i += 1) await guess(elsewhere, wrongFor(elsewhereCode), flooder);
    const attackers = Array.from({ length: LOGIN_PHONE_CEILING / LOGIN_FREE_GUESSES }, newAddress);
    for (const attacker of attackers)
      for (let i = 0; i < LOGIN_FREE_GUESSES; i += 1) await guess(phone, wrongFor(code), attacker);
    // ... and the guess that put this phone under attack is still said, once, in its own budget.
    const attackLines = warn.mock.calls.map(([m]) => String(m)).filter((m) => m.includes('under a guessing attack'));
    expect(attackLines).toEqual([
      `phone ...${phone.slice(-4)} is under a guessing attack: ${LOGIN_PHONE_CEILING} wrong codes from all addresses (the last from ${attackers[attackers.length - 1]}); only networks that logged in to it before are checked now`,
    ]);
    // Its own budget: the RefusalLog that took it took none of the guess lines (however the 10 s periods fell).
    const budgetsOf = (kind: (line: string) => boolean) =>
      new Set(refusals.mock.calls.flatMap(([line], i) => (kind(String(line)) ? [refusals.mock.contexts[i]] : [])));
    const attackBudgets = budgetsOf((line) => line.includes('under a guessing attack'));
    const guessBudgets = budgetsOf((line) => /wrong login code|refused unchecked/.test(line));
    expect([attackBudgets.size, guessBudgets.size]).toEqual([1, 1]);
    expect([...attackBudgets].filter((b) => guessBudgets.has(b))).toEqual([]);
    refusals.mockRestore();
    warn.mockClear();
    // Any number of fresh addresses: refused unchecked, even with the right code (nothing to learn, nothing counted),
    // and not a log line each (at most 20 per 10 s, then a count).
    for (let i = 0; i < 30; i += 1) {
      const fresh = await guess(phone, i === 29 ? code : wrongFor(code), newAddress());
      expect([fresh.status, fresh.body.code, fresh.body.msg]).toEqual([
        429,
        -10001,
        expect.stringContaining('a network you used before'),
      ]);
    }
    const refusedLines = warn.mock.calls.filter(([m]) => String(m).includes('refused unchecked')).length;
    warn.mockRestore();
    expect(refusedLines).toBeLessThanOrEqual(20);
    expect(Number(await stack.redis.redis.get(keys.loginGuessesAll(phone)))).toBe(LOGIN_PHONE_CEILING);
    const owner = await guess(phone, code, ownerHome);
    expect([owner.status, owner.body.code]).toEqual([200, 200]);
  });

  it("login codes a day: at most GATEWAY_LOGIN_CODES_PER_PHONE_PER_DAY to a phone from networks that never logged in to it, _PER_ADDRESS_ from an address (429 / -10001); the owner's network and taps within the minute cost nothing", async () => {
    // A gateway with small daily caps (the development profile lifts them), behind the same trusted proxy.
    const caps = ['GATEWAY_LOGIN_CODES_PER_PHONE_PER_DAY', 'GATEWAY_LOGIN_CODES_PER_ADDRESS_PER_DAY'] as const;
    const saved = caps.map((k) => process.env[k]);
    const [port] = portBlock(1);
    let capped: NestFastifyApplication | undefined;
    try {
      Object.assign(process.env, {
        GATEWAY_LOGIN_CODES_PER_PHONE_PER_DAY: '3',
        GATEWAY_LOGIN_CODES_PER_ADDRESS_PER_DAY: '5',
      });
      capped = await startApp({
        app: 'api-gateway',
        module: ApiGatewayModule,
        http: { host: '127.0.0.1', port, trustProxy: ['127.0.0.1'] },
        configure: configureGateway,
      });
    } finally {
      caps.forEach((k, n) => (saved[n] === undefined ? delete process.env[k] : (process.env[k] = saved[n])));
    }
    const client = new HttpClient(`http://127.0.0.1:${port}`);
    // TEST-NET-2 addresses, unused by the other tests (their counters are shared through Redis).
    const address = (): string => `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
    const ask = async (phone: string, source: string) => {
      const res = await client.post('/userLogin/sendLoginCode', { phone }, from(source));
      return [res.status, res.body.code, res.body.msg, res.body.data?.devCode];
    };
    const minutePassed = (phone: string) => stack.redis.redis.del(keys.loginCodeCooldown(phone));
    try {
      // The owner logs in from home once (a code counted: home was not known yet).
      const phone = newPhone();
      const home = `198.51.102.${Math.floor(Math.random() * 250) + 1}`; // never one of the strangers'
      const first = await ask(phone, home);
      expect((await client.post('/userLogin/login', { phone, code: String(first[3]) }, from(home))).body.code).toBe(
        200,
      );
      await minutePassed(phone);
      // Strangers have it texted twice more: the cap (3) is used up; their taps within the minute count nothing.
      for (let i = 0; i < 2; i += 1) {
        expect((await ask(phone, address())).slice(0, 2)).toEqual([200, 200]);
        expect((await ask(phone, address())).slice(0, 2)).toEqual([429, 10001]);
        await minutePassed(phone);
      }
      expect((await ask(phone, address())).slice(0, 3)).toEqual([
        429,
        -10001,
        'too many login codes sent to this phone today: ask from a network you logged in from before, or tomorrow',
      ]);
      // The refusal took no minute, and the owner's home network is not held to the phone's cap.
      expect((await ask(phone, home)).slice(0, 2)).toEqual([200, 200]);

      const busy = `198.51.101.${Math.floor(Math.random() * 250) + 1}`;
      for (let i = 0; i < 5; i += 1) expect((await ask(newPhone(), busy)).slice(0, 2)).toEqual([200, 200]);
      const victim = newPhone();
      expect((await ask(victim, busy)).slice(0, 3)).toEqual([
        429,
        -10001,
        'too many login codes requested from this address today',
      ]);
      // ...and that refusal held no minute of the phone it named.
      expect((await ask(victim, address())).slice(0, 2)).toEqual([200, 200]);
    } finally {
      await capped?.close();
    }
  });

  it("asking for a code again (after the minute) re-sends the pending code: a stranger cannot replace the owner's", async () => {
    const phone = newPhone();
    const code = await sendCode(phone, newAddress());
    const tooSoon = await viaProxy.post('/userLogin/sendLoginCode', { phone }, from(newAddress()));
    expect([tooSoon.status, tooSoon.body.code]).toEqual([429, 10001]);
    await stack.redis.redis.del(keys.loginCodeCooldown(phone)); // the minute has passed
    expect(await sendCode(phone, newAddress())).toBe(code);
    expect((await guess(phone, code, newAddress())).body.code).toBe(200);
    // Used: gone; the next request makes a new code.
    expect((await guess(phone, code, newAddress())).body.code).toBe(10002);
  });

  it("payment callbacks: 1,000 per 10 s per address; past them a callback is refused (429 / -10001) before bank-service, a signed one too, nothing credited; another address (the provider's) pays the order once", async () => {
    // Logged in from an address of its own: the direct gateway's one address has used its logins by now.
    const address = newAddress();
    const phone = newPhone();
    const login = await guess(phone, await sendCode(phone, address), address);
    const user = viaProxy.as(login.body.data.token);
    const order = await user.post('/bank/payProduct', { productId: 1, paySource: 1, payChannel: 0 });
    expect(order.body.code).toBe(200);
    const { orderId } = order.body.data;
    const [attacker, provider] = [newAddress(), newAddress()];
    const notify = (signature: string, address: string) =>
      viaProxy.post('/bank/payNotify', { orderId, signature }, from(address));
    const forged = await notify(randomBytes(32).toString('hex'), attacker);
    expect([forged.status, forged.body.code]).toEqual([400, 12006]);
    const counter = keys.rateLimit(`ip-${attacker}`, 'BankController.payNotify');
    expect(await stack.redis.redis.get(counter)).toBe('1');
    await stack.redis.redis.set(counter, '1000', 'KEEPTTL'); // as after 999 more in the same 10 s
    const signed = signPayCallback(process.env.BANK_PAY_SECRET!, orderId);
    const refused = await notify(signed, attacker);
    expect([refused.status, refused.body]).toEqual([
      429,
      { code: -10001, msg: 'too many payment callbacks from this address, wait a moment', data: null },
    ]);
    expect(await user.balance()).toBe(0);
    const paid = await notify(signed, provider);
    expect([paid.status, paid.body.code, paid.body.data.credited]).toEqual([200, 200, true]);
    expect((await notify(signed, provider)).body.data.credited).toBe(false); // a repeat: answered, nothing more
    expect(await user.balance()).toBe(paid.body.data.coinNum);
  });
});
