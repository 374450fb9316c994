import { startApp } from '@live/common';
import { tokenDigest } from '@live/contracts';
import { GatewayRedisKeys, settleAll } from '@live/redis';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { ApiGatewayModule } from '../apps/api-gateway/src/api-gateway.module';
import { configureGateway } from '../apps/api-gateway/src/api-gateway.setup';
import { AuthService } from '../apps/api-gateway/src/auth/auth.service';
import { TOKEN_CACHE_MAX, TokenCache } from '../apps/api-gateway/src/auth/token-cache';
import { HttpClient } from './support/http-client';
import { portBlock, startTestStack, TestStack } from './support/test-stack';
import { loginNewUser } from './support/test-users';
import { waitFor } from './support/wait-for';

/**
 * The gateway's in-process token cache (GATEWAY_TOKEN_CACHE_MS): two gateway instances on one stack; a
 * logout on one is refused at once by the other, whose cache held the token; the cache stays bounded.
 */
describe('api-gateway token cache: logout honored on every instance, bounded', () => {
  let stack: TestStack;
  let second: NestFastifyApplication;
  let httpA: HttpClient;
  let httpB: HttpClient;

  beforeAll(async () => {
    stack = await startTestStack();
    const [port] = portBlock(1);
    second = await startApp({
      app: 'api-gateway',
      module: ApiGatewayModule.register(),
      http: { host: '127.0.0.1', port },
      configure: configureGateway,
    });
    httpA = new HttpClient(stack.baseUrl);
    httpB = new HttpClient(`http://127.0.0.1:${port}`);
    await waitFor('both token caches subscribed to the logout channel', () =>
      [stack.gateway, second].every((app) => app.get(TokenCache).active),
    );
  });

  afterAll(async () => {
    await second?.close();
    await stack?.close();
  });

  it('a logout on instance A is refused at once by instance B, whose cache held the token', async () => {
    const { client, userId } = await loginNewUser(httpA);
    const onB = httpB.as(client.token!);
    expect((await onB.post('/bank/balance')).body.code).toBe(200);
    // B answered the next request from memory: the token is in its cache.
    expect(second.get(TokenCache).get(tokenDigest(client.token!))).toEqual({ userId, role: 0 });
    expect((await onB.post('/bank/balance')).body.code).toBe(200);

    expect((await client.post('/userLogin/logout')).body.code).toBe(200);
    const afterOnB = await onB.post('/bank/balance');
    expect([afterOnB.status, afterOnB.body.code]).toEqual([401, 100002]);
    const afterOnA = await client.post('/bank/balance');
    expect([afterOnA.status, afterOnA.body.code]).toEqual([401, 100002]);
    expect(second.get(TokenCache).get(tokenDigest(client.token!))).toBeUndefined();
  });

  it('empties itself and stays unused while the logout channel is silent (no event: its pings stop coming back)', async () => {
    const { client, userId } = await loginNewUser(httpA);
    const cache = second.get(TokenCache);
    expect((await httpB.as(client.token!).post('/bank/balance')).body.code).toBe(200);
    expect(cache.get(tokenDigest(client.token!))).toEqual({ userId, role: 0 });
    // Writes (PUBLISH among them) held for 3.5 s: no connection drops, the pings just stop arriving.
    await stack.redis.redis.call('CLIENT', 'PAUSE', '3500', 'WRITE');
    await waitFor('the cache turned itself off', () => !cache.active, 5_000);
    expect(cache.size).toBe(0);
    expect(cache.get(tokenDigest(client.token!))).toBeUndefined();
    await waitFor('the cache on again once its pings come back', () => cache.active, 10_000);
    expect((await httpB.as(client.token!).post('/bank/balance')).body.code).toBe(200);
  });

  it(`keeps at most ${TOKEN_CACHE_MAX} tokens (the oldest stored go first)`, async () => {
    const keys = new GatewayRedisKeys(stack.redis.prefix);
    const tokens = Array.from({ length: TOKEN_CACHE_MAX + 500 }, () => randomBytes(24).toString('base64url'));
    await settleAll(tokens.map((t, i) => stack.redis.redis.set(keys.userToken(t), `${i + 1}:0`, 'EX', 600)));
    const auth = second.get(AuthService);
    const cache = second.get(TokenCache);
    // The cache empties itself whenever its pings come back late, as they may on a loaded machine while
    // 10,500 lookups run: the fill is made again (3 times at most) until one went through without that.
    let filled = false;
    for (let attempt = 1; attempt <= 3 && !filled; attempt++) {
      await waitFor('the cache on', () => cache.active, 10_000);
      const emptied = cache.timesEmptied;
      const users: Awaited<ReturnType<AuthService['resolveToken']>>[] = [];
      for (let i = 0; i < tokens.length; i += 500) {
        users.push(...(await Promise.all(tokens.slice(i, i + 500).map((t) => auth.resolveToken(t)))));
      }
      expect(users.every((u, i) => u?.userId === i + 1)).toBe(true);
      filled = cache.active && cache.timesEmptied === emptied;
    }
    expect({ filled, active: cache.active, timesEmptied: cache.timesEmptied }).toMatchObject({ filled: true });
    expect(cache.size).toBe(TOKEN_CACHE_MAX);
    expect(cache.get(tokenDigest(tokens[0]))).toBeUndefined();
    expect(cache.get(tokenDigest(tokens[tokens.length - 1]))).toEqual({ userId: tokens.length, role: 0 });
  });
});
