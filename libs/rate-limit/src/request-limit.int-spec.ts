import { BizException, GatewayErrorCode, HttpExceptionFilter } from '@live/common';
import { RedisModule } from '@live/redis';
import { createTestRedis } from '@live/testing';
import { CanActivate, Controller, ExecutionContext, Get, Injectable, Logger, Query, UseGuards } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { RateLimitKeys, RateLimitModule, RequestLimit, RequestLimiter } from './request-limit';

/** The key builder this spec hands the lib (the gateway hands it GatewayRedisKeys). */
class SpecLimitKeys implements RateLimitKeys {
  constructor(private readonly prefix: string) {}
  rateLimit(subject: number | string, route: string): string {
    return `${this.prefix}:spec:{rl:${subject}}:${route}`;
  }
}

/** Stands in for the auth guard: the user id comes from a header (test only). */
@Injectable()
class HeaderUserGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string>; user?: { userId: number } }>();
    if (req.headers['x-user']) req.user = { userId: Number(req.headers['x-user']) };
    return true;
  }
}

/**
 * `a` and `b` count over a minute, so a burst never straddles a window boundary however slowly it
 * arrives and their exact counts hold; `short` has a 2 s window, for the specs about the window itself.
 */
@Controller()
@UseGuards(HeaderUserGuard)
class LimitedController {
  @Get('a')
  @RequestLimit({ limit: 5, seconds: 60, msg: 'slow down' })
  a(): { ok: true } {
    return { ok: true };
  }

  @Get('b')
  @RequestLimit({ limit: 5, seconds: 60, msg: 'slow down' })
  b(): { ok: true } {
    return { ok: true };
  }

  @Get('short')
  @RequestLimit({ limit: 5, seconds: 2, msg: 'slow down' })
  short(): { ok: true } {
    return { ok: true };
  }

  /** A call that writes a row when it succeeds; `?fail` fails it (409), as a seat already taken would. */
  @Get('rows')
  @RequestLimit({ limit: 3, seconds: 2, msg: 'slow down', longer: { limit: 5, seconds: 60, msg: 'later' } })
  rows(@Query('fail') fail?: string): { ok: true } {
    if (fail !== undefined) throw new BizException(GatewayErrorCode.LIVING_ROOM_ALREADY_OPEN);
    return { ok: true };
  }
}

describe('@RequestLimit on the real Redis', () => {
  let app: NestFastifyApplication;
  let url: string;
  let helper: Awaited<ReturnType<typeof createTestRedis>>;

  beforeAll(async () => {
    helper = await createTestRedis();
    process.env.REDIS_KEY_PREFIX = helper.prefix;
    const moduleRef = await Test.createTestingModule({
      imports: [RedisModule.forRoot(SpecLimitKeys), RateLimitModule.forRoot(SpecLimitKeys)],
      controllers: [LimitedController],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    app.useGlobalFilters(new HttpExceptionFilter());
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
    await helper?.cleanup();
  });

  const hit = (path: string, user: number) => fetch(`${url}/${path}`, { headers: { 'x-user': String(user) } });

  it('lets exactly `limit` of 50 concurrent requests through, the rest get 429 / -10001', async () => {
    const responses = await Promise.all(Array.from({ length: 50 }, () => hit('a', 1)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(45);
    const refused = responses.find((r) => r.status === 429);
    expect(await refused?.json()).toEqual({ code: -10001, msg: 'slow down', data: null });
    const keys = await helper.redis.keys(`${helper.prefix}:spec:{rl:*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(await helper.redis.ttl(key)).toBeGreaterThan(0);
  });

  it('counts each user and each route on its own', async () => {
    const [other, route] = await Promise.all([
      Promise.all(Array.from({ length: 8 }, () => hit('a', 2))),
      Promise.all(Array.from({ length: 8 }, () => hit('b', 3))),
    ]);
    expect(other.filter((r) => r.status === 200)).toHaveLength(5);
    expect(route.filter((r) => r.status === 200)).toHaveLength(5);
  });

  it('lets requests through again once the window has passed', async () => {
    await Promise.all(Array.from({ length: 6 }, () => hit('short', 4)));
    expect((await hit('short', 4)).status).toBe(429);
    await new Promise((r) => setTimeout(r, 2_100));
    expect((await hit('short', 4)).status).toBe(200);
  });

  it('a longer window: counts the calls that succeeded (failed ones and a flood refused by the burst window use nothing of it), refuses past its limit with its own message and no burst slot', async () => {
    const key = (route: string) => `${helper.prefix}:spec:{rl:6}:LimitedController.${route}`;
    const failed = await Promise.all(Array.from({ length: 3 }, () => hit('rows?fail', 6)));
    expect(failed.map((r) => r.status)).toEqual([409, 409, 409]);
    expect(await helper.redis.get(key('rows:60s'))).toBeNull();
    await new Promise((r) => setTimeout(r, 2_100));
    const burst = await Promise.all(Array.from({ length: 10 }, () => hit('rows', 6)));
    expect(burst.filter((r) => r.status === 200)).toHaveLength(3);
    expect((await burst.find((r) => r.status === 429)?.json())?.msg).toBe('slow down');
    expect(await helper.redis.get(key('rows:60s'))).toBe('3');
    await new Promise((r) => setTimeout(r, 2_100));
    // The burst window passed: 2 more fill the longer one (5), the next is refused by it, and stays refused.
    expect((await hit('rows', 6)).status).toBe(200);
    expect((await hit('rows', 6)).status).toBe(200);
    const past = await hit('rows', 6);
    expect([past.status, await past.json()]).toEqual([429, { code: -10001, msg: 'later', data: null }]);
    expect(await helper.redis.get(key('rows'))).toBe('2'); // the refused call took no burst slot
    await new Promise((r) => setTimeout(r, 2_100));
    expect((await hit('rows', 6)).status).toBe(429);
    expect(await helper.redis.get(key('rows:60s'))).toBe('5');
    expect(await helper.redis.ttl(key('rows:60s'))).toBeGreaterThan(2);
    expect((await hit('rows', 7)).status).toBe(200); // another user: its own windows
  });

  it('Redis failing: every count lets the call through (fail open), with an error logged', async () => {
    const down = () => Promise.reject(new Error('ECONNREFUSED'));
    const limiter = new RequestLimiter(
      { lgIncrWithTtl: down, get: down, defineCommand: () => undefined } as never,
      new SpecLimitKeys('spec-down'),
    );
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const longer = { limit: 1, seconds: 60, msg: 'later' };
    expect(await limiter.count(1, 'r', { limit: 1, seconds: 1 })).toBeUndefined();
    expect(await limiter.longerWindowFull(1, 'r', longer)).toBeUndefined();
    await expect(limiter.countSuccess(1, 'r', longer)).resolves.toBeUndefined();
    expect(errors.mock.calls.map(([m]) => String(m))).toEqual(
      Array(3).fill('rate limit not checked (Redis unavailable), request let through: Error: ECONNREFUSED'),
    );
    errors.mockRestore();
  });

  it('a longer window must be longer (whole seconds), allow at least as many calls, and be counted by the guard', () => {
    expect(() => RequestLimit({ limit: 5, seconds: 10, longer: { limit: 60, seconds: 10, msg: 'x' } })).toThrow(
      /longer window/,
    );
    expect(() => RequestLimit({ limit: 5, seconds: 10, longer: { limit: 4, seconds: 3_600, msg: 'x' } })).toThrow(
      /longer window/,
    );
    expect(() => RequestLimit({ limit: 5, seconds: 10, longer: { limit: 60, seconds: 3_600.5, msg: 'x' } })).toThrow(
      /longer window/,
    );
    expect(() =>
      RequestLimit({ limit: 5, seconds: 10, longer: { limit: 60, seconds: 3_600, msg: 'x' } }, 'handler'),
    ).toThrow(/counted by the guard/);
  });

  it('a fixed window: later counts keep the TTL; a counter that lost its TTL gets one back', async () => {
    const key = `${helper.prefix}:spec:{rl:5}:LimitedController.short`;
    expect((await hit('short', 5)).status).toBe(200);
    // A TTL longer than the route's 2 s window: a count that set the window again would cut it to 2 s or less.
    await helper.redis.pexpire(key, 60_000);
    expect((await hit('short', 5)).status).toBe(200);
    const pttl = await helper.redis.pttl(key);
    expect(pttl).toBeGreaterThan(2_000);
    expect(pttl).toBeLessThanOrEqual(60_000);
    await helper.redis.persist(key);
    expect(await helper.redis.ttl(key)).toBe(-1);
    expect((await hit('short', 5)).status).toBe(200);
    expect(await helper.redis.get(key)).toBe('3');
    expect(await helper.redis.ttl(key)).toBeGreaterThan(0);
  });
});
