import { BankClient, HttpExceptionFilter, validateEnv } from '@live/common';
import {
  BalanceCacheReader,
  ImNodeInfo,
  ImNodeRegistryReader,
  ImPresenceReader,
  ImTokenReader,
  tokenDigest,
} from '@live/contracts';
import { RateLimitModule, RequestLimit, RequestLimiter } from '@live/rate-limit';
import {
  BankRedisKeys,
  clusterSlot,
  slotGroups,
  deleteMany,
  GatewayRedisKeys,
  getMany,
  GiftRedisKeys,
  ImRedisKeys,
  REDIS_CLIENT,
  RedisClient,
  RedisHealthIndicator,
  RedisModule,
  scanKeys,
} from '@live/redis';
import { createTestRedisCluster, TestRedisCluster } from '@live/testing';
import { CanActivate, Controller, ExecutionContext, Get, Injectable, Logger, UseGuards } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Cluster } from 'ioredis';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TokenCache } from '../apps/api-gateway/src/auth/token-cache';
import { AdminRights } from '../apps/api-gateway/src/auth/admin-rights';
import { AuthService } from '../apps/api-gateway/src/auth/auth.service';
import { GatewayEnv } from '../apps/api-gateway/src/config/api-gateway.env';
import { IdempotencyKeys } from '../apps/api-gateway/src/gift/idempotency-keys';
import { UserService } from '../apps/api-gateway/src/user/user.service';
import { BalanceCacheService } from '../apps/bank-service/src/account/balance-cache.service';
import { AccountStatus } from '../apps/bank-service/src/account/entities/currency-account.entity';
import { BankServiceEnv } from '../apps/bank-service/src/config/bank-service.env';
import { GiftOutcomeService } from '../apps/gift-service/src/board/gift-outcome.service';
import { GiftServiceEnv } from '../apps/gift-service/src/config/gift-service.env';
import { GiftConfigService } from '../apps/gift-service/src/gift-config/gift-config.service';
import { RedisCacheLoader } from '../apps/gift-service/src/gift-config/redis-cache-loader';
import { ImCoreEnv } from '../apps/im-core/src/config/im-core.env';
import { ImPresenceService } from '../apps/im-core/src/connection/im-presence.service';
import { drivePkService } from './support/pk-service-drive';
import type { DataSource } from 'typeorm';
import type { KafkaProducerService } from '@live/kafka';

/**
 * Every Lua script of the project and every call site that touches keys of many entities, run against a
 * real Redis Cluster (scripts/redis-cluster: 3 masters, 3 replicas), with keys spread over the masters.
 */

/** Every script the project registers (withScripts / defineCommand), by command name. */
const ALL_SCRIPTS = [
  'applyGiftInRoom',
  'claimGiftOutcome',
  'claimGiftOutcomes',
  'lgCheckLoginCode',
  'lgIncrWithTtl',
  'lgIssueLoginCode',
  'lgReleaseCacheLock',
  'lgReleaseIdempotencyKey',
  'lgSetBalanceIfNewer',
  'lgSetBalancesIfNewer',
  'markGiftPushed',
  'markGiftsPushed',
  'pkChallengerAdd',
  'pkEnd',
  'pkFinished',
  'pkOnline',
  'pkRelease',
  'pkUnlist',
  'releaseGiftApplied',
];

/** The production sources (apps, libs; no specs): what registers scripts, what still calls EVAL by hand. */
function productionSources(dir = join(__dirname, '..')): string[] {
  const out: string[] = [];
  for (const root of ['apps', 'libs'].map((d) => join(dir, d))) {
    const walk = (path: string): void => {
      for (const name of readdirSync(path)) {
        const full = join(path, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (name.endsWith('.ts') && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(name)) out.push(full);
      }
    };
    walk(root);
  }
  return out;
}

describe('Redis Cluster: every script and multi-key call site', () => {
  let c: TestRedisCluster;
  let redis: Cluster;

  beforeAll(async () => {
    c = await createTestRedisCluster();
    redis = c.redis;
  });

  afterAll(async () => {
    await c?.cleanup();
  });

  const masterOf = (key: string): string => redis.slots[clusterSlot(key)][0];
  /** The first `n` ids from `from` whose keys land on as many masters as possible (all 3 when n >= 3). */
  function spread(keyOf: (id: number) => string, n = 3, from = 1): number[] {
    const picked: number[] = [];
    const seen = new Set<string>();
    for (let id = from; picked.length < Math.min(n, 3); id += 1) {
      const master = masterOf(keyOf(id));
      if (!seen.has(master)) {
        seen.add(master);
        picked.push(id);
      }
    }
    for (let id = from; picked.length < n; id += 1) if (!picked.includes(id)) picked.push(id);
    return picked;
  }
  const mastersOf = (keys: string[]): number => new Set(keys.map(masterOf)).size;

  it('runs 3 masters with a replica each, and computes slots as the servers do', async () => {
    expect(redis.nodes('master')).toHaveLength(3);
    // The client lists a replica once it has replicated something (CLUSTER SLOTS): ask the cluster itself.
    const roles = String(await redis.cluster('NODES'))
      .split('\n')
      .map((line) => /\b(master|slave)\b/.exec(line)?.[1]);
    expect([roles.filter((r) => r === 'master').length, roles.filter((r) => r === 'slave').length]).toEqual([3, 3]);
    const keys = [new BankRedisKeys(c.prefix).balance(7), 'plain-key', '{user1000}.following', `${c.prefix}:x:{}`];
    for (const key of keys) expect(clusterSlot(key)).toBe(await redis.cluster('KEYSLOT', key));
  });

  it('refuses what the call sites did before: a manual pipeline over nodes, a multi-key command over slots', async () => {
    const keys = new BankRedisKeys(c.prefix);
    const [a, b] = spread((u) => keys.balance(u), 2);
    expect(masterOf(keys.balance(a))).not.toBe(masterOf(keys.balance(b)));
    await expect(redis.pipeline().get(keys.balance(a)).get(keys.balance(b)).exec()).rejects.toThrow(
      'All keys in the pipeline should belong to the same slots allocation group',
    );
    // ioredis refuses them before Redis would (CROSSSLOT).
    await expect(redis.mget(keys.balance(a), keys.balance(b))).rejects.toThrow(/same slot|CROSSSLOT/);
    await expect(redis.del(keys.balance(a), keys.balance(b))).rejects.toThrow(/same slot|CROSSSLOT/);
    await expect(redis.call('MGET', keys.balance(a), keys.balance(b))).rejects.toThrow(/same slot|CROSSSLOT/);
  });

  it('sends concurrent EVALs one by one: auto-pipelined by script text they would mix nodes', async () => {
    const keys = new BankRedisKeys(c.prefix);
    const users = spread((u) => keys.balance(u));
    const lua = `return redis.call('SET', KEYS[1], ARGV[1])`;
    const run = (client: RedisClient) => Promise.all(users.map((u) => client.eval(lua, 1, keys.balance(u), String(u))));
    expect(await run(redis)).toEqual(['OK', 'OK', 'OK']);
    // Without the exception (ioredis's defaults), the same calls fail.
    const plain = new Cluster(
      c.nodes.split(',').map((n) => ({ host: n.split(':')[0], port: Number(n.split(':')[1]) })),
      {
        enableAutoPipelining: true,
        redisOptions: { password: c.env.REDIS_PASSWORD },
      },
    );
    try {
      await expect(run(plain)).rejects.toThrow(/same slots allocation group/);
    } finally {
      await plain.quit();
    }
  });

  it('getMany, deleteMany and scanKeys work over every master, in the order asked', async () => {
    const keys = new BankRedisKeys(c.prefix);
    const users = spread((u) => keys.balance(u), 6, 100);
    const all = users.map((u) => keys.balance(u));
    expect(mastersOf(all)).toBe(3);
    await Promise.all(users.slice(0, 5).map((u) => redis.set(keys.balance(u), `1:${u}`)));
    expect(await getMany(redis, all)).toEqual([...users.slice(0, 5).map((u) => `1:${u}`), null]);
    expect((await scanKeys(redis, `${c.prefix}:bank:{user:1??}:balance`)).sort()).toEqual(all.slice(0, 5).sort());
    expect(await deleteMany(redis, all)).toBe(5);
    expect(await getMany(redis, all)).toEqual(all.map(() => null));
  });

  it('GiftOutcomeService: claims, room applies (combos, board) and pushed marks over rooms and request ids on every master', async () => {
    const keys = new GiftRedisKeys(c.prefix);
    const outcomes = new GiftOutcomeService(redis, keys);
    const rooms = spread((r) => keys.roomContributionBoard(r));
    const requestIds = spread((n) => keys.giftOutcome(`req-${n}`), 6).map((n) => `req-${n}`);
    expect(mastersOf(rooms.map((r) => keys.roomContributionBoard(r)))).toBe(3);
    expect(mastersOf(requestIds.map((r) => keys.giftOutcome(r)))).toBe(3);
    const gift = (i: number, roomId: number, sendTime: number) => ({
      requestId: requestIds[i],
      roomId,
      senderId: 7,
      giftId: 1,
      price: 10,
      sendTime,
      charged: i !== 5,
      fingerprint: `fp-${i}`,
    });
    // Two same gifts in a row per room make a combo of 2; the last one was refused (charged: false).
    const batch = [0, 1, 2, 3, 4, 5].map((i) => gift(i, rooms[i % 3], 1_000 + i));
    const first = await outcomes.apply(batch, 10_000);
    expect(first.map((o) => o.combo)).toEqual([1, 1, 1, 2, 2, 0]);
    expect(first.every((o) => !o.conflict && !o.pushed)).toBe(true);
    const scores = async () => Promise.all(rooms.map(async (r) => (await outcomes.board(r, 10))[0].score));
    expect(await outcomes.board(rooms[0], 10)).toEqual([{ rank: 1, userId: 7, score: 20 }]);
    expect(await scores()).toEqual([20, 20, 10]);

    // Done: marked pushed, and the outcome records and applied markers (every master) cut to the window.
    await outcomes.done(batch);
    const window = outcomes.limits.outcomeWindowMs / 1000;
    for (const g of batch) expect(await redis.ttl(keys.giftOutcome(g.requestId))).toBeLessThanOrEqual(window);
    for (const g of batch.filter((b) => b.charged))
      expect(await redis.ttl(keys.roomGiftApplied(g.roomId, g.requestId))).toBeLessThanOrEqual(window);
    const redelivered = await outcomes.apply(batch, 10_000);
    expect(redelivered.map((o) => [o.combo, o.pushed])).toEqual([
      [1, true],
      [1, true],
      [1, true],
      [2, true],
      [2, true],
      [0, true],
    ]);
    expect(await scores()).toEqual([20, 20, 10]);
    // A request id reused in another room (or for another gift) is a conflict and changes nothing.
    const reused = await outcomes.apply([{ ...gift(0, rooms[1], 5_000), fingerprint: 'other' }], 10_000);
    expect(reused).toEqual([{ combo: 0, pushed: true, conflict: true }]);
    expect(await scores()).toEqual([20, 20, 10]);
  });

  it('GiftOutcomeService: request ids whose outcomes share a slot are claimed and marked in one call (numkeys), the others one by one', async () => {
    const keys = new GiftRedisKeys(c.prefix);
    const outcomes = new GiftOutcomeService(redis, keys);
    // Two request ids of one slot (found by search: 16384 slots), and one of another.
    const bySlot = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let n = 0; !pair; n += 1) {
      const id = `same-slot-${n}`;
      const slot = clusterSlot(keys.giftOutcome(id));
      const other = bySlot.get(slot);
      if (other) pair = [other, id];
      else bySlot.set(slot, id);
    }
    const lone = [...bySlot.values()].find(
      (id) => clusterSlot(keys.giftOutcome(id)) !== clusterSlot(keys.giftOutcome(pair[0])),
    )!;
    // One server takes them in one group; a Cluster in two: the pair (one claimGiftOutcomes call), the other alone.
    const outcomeKeys = [pair[0], lone, pair[1]].map((id) => keys.giftOutcome(id));
    expect(slotGroups(redis, outcomeKeys, 256)).toEqual([[0, 2], [1]]);
    const batch = [pair[0], lone, pair[1]].map((requestId, i) => ({
      requestId,
      roomId: 900,
      senderId: 7,
      giftId: 1,
      price: 10,
      sendTime: 1_000 + i * 60_000,
      charged: true,
      fingerprint: `fp-${requestId}`,
    }));
    const first = await outcomes.apply(batch, 10);
    expect(first.map((o) => [o.combo, o.conflict, o.pushed])).toEqual(batch.map(() => [1, false, false]));
    await outcomes.markPushed(batch.map((g) => g.requestId));
    for (const g of batch) expect(await redis.hget(keys.giftOutcome(g.requestId), 'pushed')).toBe('1');
    const again = await outcomes.apply(batch, 10);
    expect(again.map((o) => [o.combo, o.conflict, o.pushed])).toEqual(batch.map(() => [1, false, true]));
    const reused = await outcomes.apply(
      [
        { ...batch[2], fingerprint: 'other' },
        { ...batch[0], roomId: 901 },
      ],
      10,
    );
    expect(reused.map((o) => o.conflict)).toEqual([true, true]);
  });

  it('PkService: seats, bar moves (in the room script, beside the board), ends and the sweeper, rooms and challengers on every master', async () => {
    const keys = new GiftRedisKeys(c.prefix);
    const rooms = spread((r) => keys.roomPk(r), 4, 600);
    const challengers = spread((u) => keys.pkChallenger(u), 4, 700);
    expect(mastersOf(rooms.map((r) => keys.roomPk(r)))).toBe(3);
    expect(mastersOf(challengers.map((u) => keys.pkChallenger(u)))).toBe(3);
    const run = await drivePkService(redis, c.prefix, rooms, challengers);
    expect(run.applied.map((a) => a.pk?.progress)).toEqual([47, 47, 47, 47]);
    expect(run.states.map((s) => s.endReason)).toEqual(['offline', 'session', 'time', 'time']);
    expect(run.leftOver).toEqual([0, 0, 0, 0, 0]);
  });

  it('BalanceCacheService and BalanceCacheReader: the newest version per user, markers cleared, users on every master', async () => {
    const keys = new BankRedisKeys(c.prefix);
    const cache = new BalanceCacheService(redis, keys, { BANK_DAILY_SPEND_CAP: 500 } as BankServiceEnv);
    const users = spread((u) => keys.balance(u), 3, 500);
    const wallet = { status: AccountStatus.ACTIVE, spentDay: '2026-11-30', spentToday: 7 };
    expect(mastersOf(users.map((u) => keys.balance(u)))).toBe(3);
    await cache.markNoAccount(users[2]);
    expect(await cache.get(users[2])).toBeNull();
    await cache.refreshMany(users.map((userId, i) => ({ userId, balance: 100 + i, version: 5, ...wallet })));
    await cache.refreshMany(users.map((userId) => ({ userId, balance: 1, version: 4, ...wallet })));
    expect(await Promise.all(users.map(async (u) => (await cache.get(u))?.balance))).toEqual([100, 101, 102]);
    expect(await cache.get(users[0])).toEqual({
      balance: 100,
      frozen: false,
      spentDay: '2026-11-30',
      spentToday: 7,
      dailySpendCap: 500,
    });
    const reader = new BalanceCacheReader(redis, c.prefix);
    expect(await Promise.all(users.map((u) => reader.balanceOf(u)))).toEqual([100, 101, 102]);

    // Two users whose keys share a slot (found by search) go in one call (numkeys: lgSetBalancesIfNewer).
    const bySlot = new Map<number, number>();
    let pair: [number, number] | undefined;
    for (let u = 10_000; !pair; u += 1) {
      const other = bySlot.get(clusterSlot(keys.balance(u)));
      if (other !== undefined) pair = [other, u];
      else bySlot.set(clusterSlot(keys.balance(u)), u);
    }
    expect(
      slotGroups(
        redis,
        [...pair, users[0]].map((u) => keys.balance(u)),
        256,
      ),
    ).toEqual([[0, 1], [2]]);
    await cache.markNoAccount(pair[1]);
    await redis.set(keys.balance(pair[0]), '9:999:1:-:0:500'); // newer than what comes next
    await cache.refreshMany([...pair, users[0]].map((userId) => ({ userId, balance: 50, version: 8, ...wallet })));
    expect(await Promise.all([...pair, users[0]].map((u) => reader.balanceOf(u)))).toEqual([999, 50, 50]);
    expect(await redis.exists(keys.noAccountMarker(pair[1]))).toBe(0);
    cache.onApplicationShutdown();
  });

  it('ImPresenceService refresh and withdraw, read by ImPresenceReader and ImNodeRegistryReader, over every master', async () => {
    const keys = new ImRedisKeys(c.prefix);
    const env = { IM_CORE_NODE_ID: 'node-a', IM_HEARTBEAT_TIMEOUT_MS: 30_000 } as ImCoreEnv;
    const presence = new ImPresenceService(redis, keys, new ImTokenReader(redis, c.prefix), env);
    const users = spread((u) => keys.userNode(u), 4);
    const rooms = spread((r) => keys.roomNodes(r), 4, 50);
    expect(mastersOf(users.map((u) => keys.userNode(u)))).toBe(3);
    expect(mastersOf(rooms.map((r) => keys.roomNodes(r)))).toBe(3);
    await redis.zadd(keys.userNode(users[0]), Date.now() - 1_000, 'expired-node');
    const info: ImNodeInfo = {
      nodeId: 'node-a',
      wsUrl: 'ws://a/ws',
      rpcHost: '127.0.0.1',
      rpcPort: 7001,
      heartbeatAt: 0,
    };
    await presence.refresh(users, rooms, info);

    const reader = new ImPresenceReader(redis, c.prefix);
    expect(await reader.nodesOfUsers([...users, 999_999])).toEqual([...users.map(() => ['node-a']), []]);
    expect(await reader.nodesOfRooms(rooms)).toEqual(rooms.map(() => ['node-a']));
    expect(await redis.zscore(keys.userNode(users[0]), 'expired-node')).toBeNull();
    const registry = await new ImNodeRegistryReader(redis, c.prefix).entries();
    expect(registry.get('node-a')).toMatchObject({ wsUrl: 'ws://a/ws', rpcPort: 7001 });

    await presence.withdraw(users, rooms);
    expect(await reader.nodesOfUsers(users)).toEqual(users.map(() => []));
    expect(await reader.nodesOfRooms(rooms)).toEqual(rooms.map(() => []));
    expect((await new ImNodeRegistryReader(redis, c.prefix).entries()).size).toBe(0);
  });

  it('ImTokenReader redeems tokens on every master once', async () => {
    const gw = new GatewayRedisKeys(c.prefix);
    const tokens = spread((n) => gw.imToken(`tok_cluster_${n}_abcdef`)).map((n) => `tok_cluster_${n}_abcdef`);
    expect(mastersOf(tokens.map((t) => gw.imToken(t)))).toBe(3);
    // The last one bound to a login session (its key in a slot of its own): redeemed while the session lives.
    const sessionId = tokenDigest('a-cluster-login-token-0123456789');
    await redis.set(gw.userSession(sessionId), '42:0', 'EX', 60);
    const values = ['40', '41', `42:${sessionId}`];
    await Promise.all(tokens.map((t, i) => redis.set(gw.imToken(t), values[i], 'EX', 60)));
    const reader = new ImTokenReader(redis, c.prefix);
    expect(await Promise.all(tokens.map((t) => reader.consume(t)))).toEqual([
      { userId: 40, sessionId: null },
      { userId: 41, sessionId: null },
      { userId: 42, sessionId },
    ]);
    expect(await Promise.all(tokens.map((t) => reader.consume(t)))).toEqual([null, null, null]);
  });

  it('GiftConfigService.onInvalidation deletes the gift entry and the panel list, on two masters', async () => {
    const keys = new GiftRedisKeys(c.prefix);
    const [giftId] = spread((g) => keys.giftConfig(g), 3).filter(
      (g) => masterOf(keys.giftConfig(g)) !== masterOf(keys.giftList()),
    );
    expect(masterOf(keys.giftConfig(giftId))).not.toBe(masterOf(keys.giftList()));
    const env = validateEnv(GiftServiceEnv);
    const dataSource = { getRepository: () => ({}) } as unknown as DataSource;
    const service = new GiftConfigService(dataSource, redis, keys, {} as KafkaProducerService, env);
    await Promise.all([redis.set(keys.giftConfig(giftId), '{}'), redis.set(keys.giftList(), '[]')]);
    await service.onInvalidation(giftId);
    expect(await getMany(redis, [keys.giftConfig(giftId), keys.giftList()])).toEqual([null, null]);
  });

  it('RedisCacheLoader: concurrent loads of gifts on every master load once each and release their locks', async () => {
    const keys = new GiftRedisKeys(c.prefix);
    const loader = new RedisCacheLoader(redis, new Logger('spec'));
    const gifts = spread((g) => keys.giftConfig(g), 3, 200);
    const loads = new Map<number, number>();
    const get = (giftId: number) =>
      loader.get<{ giftId: number }>({
        key: keys.giftConfig(giftId),
        lockKey: keys.giftConfigLock(giftId),
        load: async () => {
          loads.set(giftId, (loads.get(giftId) ?? 0) + 1);
          await new Promise((r) => setTimeout(r, 50));
          return { giftId };
        },
        ttlSeconds: 60,
        emptyTtlSeconds: 5,
      });
    const answers = await Promise.all([...gifts, ...gifts].map(get));
    expect(answers).toEqual([...gifts, ...gifts].map((giftId) => ({ giftId })));
    expect([...loads.values()]).toEqual([1, 1, 1]);
    expect(
      await getMany(
        redis,
        gifts.map((g) => keys.giftConfigLock(g)),
      ),
    ).toEqual([null, null, null]);
  });

  it('AuthService: login codes issued and checked (wrong guesses counted) for phones on every master', async () => {
    const keys = new GatewayRedisKeys(c.prefix);
    const phones = spread((n) => keys.loginCode(`1380000${String(n).padStart(4, '0')}`)).map(
      (n) => `1380000${String(n).padStart(4, '0')}`,
    );
    expect(mastersOf(phones.map((p) => keys.loginCode(p)))).toBe(3);
    const users = { loginByPhone: async (phone: string) => ({ userId: Number(phone.slice(-4)), role: 0 }) };
    const bank = { createAccount: async () => undefined };
    const env = validateEnv(GatewayEnv, { ...process.env, GATEWAY_DEV_LOGIN_CODE: 'true' });
    const tokens = new TokenCache(redis, keys, env);
    const auth = new AuthService(
      redis,
      keys,
      users as unknown as UserService,
      env,
      bank as unknown as BankClient,
      tokens,
      new AdminRights(env, users as unknown as UserService),
      new RequestLimiter(redis, keys),
    );
    const codes = await Promise.all(phones.map((p) => auth.sendLoginCode(p, '127.0.0.1')));
    expect(codes.every((c) => /^\d{6}$/.test(c.devCode ?? ''))).toBe(true);
    const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const guesses = await Promise.allSettled(phones.map((p, i) => auth.login(p, wrong(codes[i].devCode!), '10.0.0.9')));
    expect(guesses.map((g) => g.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await Promise.all(phones.map((p) => redis.get(keys.loginGuessesAll(p))))).toEqual(['1', '1', '1']);
    const logins = await Promise.all(phones.map((p, i) => auth.login(p, codes[i].devCode!, '10.0.0.9')));
    expect(logins.map((l) => l.userId)).toEqual(phones.map((p) => Number(p.slice(-4))));
    expect(await Promise.all(logins.map((l) => auth.resolveToken(l.token)))).toEqual(
      logins.map((l) => ({ userId: l.userId, role: 0 })),
    );
    await auth.logout(logins[0].token);
    expect(await auth.resolveToken(logins[0].token)).toBeNull();
  });

  it('IdempotencyKeys: claims and releases for users on every master', async () => {
    const keys = new GatewayRedisKeys(c.prefix);
    const idem = new IdempotencyKeys(
      redis,
      keys,
      validateEnv(GatewayEnv, { ...process.env, GATEWAY_DEV_LOGIN_CODE: 'true' }),
    );
    const users = spread((u) => keys.idempotencyKey(u, 'tap-1'));
    expect(mastersOf(users.map((u) => keys.idempotencyKey(u, 'tap-1')))).toBe(3);
    expect(await Promise.all(users.map((u) => idem.claim(u, 'tap-1', 'fp')))).toEqual(['new', 'new', 'new']);
    expect(await Promise.all(users.map((u, i) => idem.claim(u, 'tap-1', i === 0 ? 'fp' : 'other')))).toEqual([
      'same',
      'conflict',
      'conflict',
    ]);
    // A copy's wait for the first verdict reads each user's key on its own master: released, refused.
    const waits = users.map((u) => idem.firstAccepted(u, 'tap-1'));
    await Promise.all(users.map((u) => idem.release(u, 'tap-1', 'fp')));
    expect(await Promise.all(waits)).toEqual([false, false, false]);
    expect(await Promise.all(users.map((u) => idem.claim(u, 'tap-1', 'fp2')))).toEqual(['new', 'new', 'new']);
  });

  describe('RedisModule on REDIS_CLUSTER_NODES, with @RequestLimit', () => {
    /** Stands in for the auth guard: the user id comes from a header (test only). */
    @Injectable()
    class HeaderUserGuard implements CanActivate {
      canActivate(context: ExecutionContext): boolean {
        const req = context.switchToHttp().getRequest<{ headers: Record<string, string>; user?: { userId: number } }>();
        req.user = { userId: Number(req.headers['x-user']) };
        return true;
      }
    }

    @Controller()
    @UseGuards(HeaderUserGuard)
    class LimitedController {
      @Get('a')
      @RequestLimit({ limit: 2, seconds: 30 })
      a(): { ok: true } {
        return { ok: true };
      }
    }

    let app: NestFastifyApplication;
    let url: string;
    const saved = { ...process.env };

    beforeAll(async () => {
      Object.assign(process.env, { REDIS_CLUSTER_NODES: c.nodes, REDIS_DB: '0', REDIS_KEY_PREFIX: c.prefix });
      const moduleRef = await Test.createTestingModule({
        imports: [RedisModule.forRoot(GatewayRedisKeys), RateLimitModule.forRoot(GatewayRedisKeys)],
        controllers: [LimitedController],
      }).compile();
      app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
      app.useGlobalFilters(new HttpExceptionFilter());
      await app.listen(0, '127.0.0.1');
      url = await app.getUrl();
    });

    afterAll(async () => {
      await app?.close();
      process.env = saved;
    });

    it('the app client is a Cluster, healthy; each user counts on its own master', async () => {
      expect(app.get<RedisClient>(REDIS_CLIENT)).toBeInstanceOf(Cluster);
      await expect(app.get(RedisHealthIndicator).check()).resolves.toBeUndefined();
      const keys = new GatewayRedisKeys(c.prefix);
      const route = 'LimitedController.a';
      const users = spread((u) => keys.rateLimit(u, route));
      expect(mastersOf(users.map((u) => keys.rateLimit(u, route)))).toBe(3);
      const hit = (user: number) => fetch(`${url}/a`, { headers: { 'x-user': String(user) } }).then((r) => r.status);
      const threeHits = async (user: number) => [await hit(user), await hit(user), await hit(user)];
      expect(await Promise.all(users.map(threeHits))).toEqual(users.map(() => [200, 200, 429]));
      for (const u of users) {
        expect(await redis.get(keys.rateLimit(u, route))).toBe('3');
        expect(await redis.ttl(keys.rateLimit(u, route))).toBeGreaterThan(0);
      }
    });
  });

  it('covers every script the project registers, and no EVAL is sent by hand', () => {
    const registered = new Set<string>();
    const handEval: string[] = [];
    for (const file of productionSources()) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(\w+): \{ (?:numberOfKeys: \d+, )?lua: /g)) registered.add(m[1]);
      if (/\.eval(sha)?\(/.test(text)) handEval.push(file);
    }
    expect([...registered].sort()).toEqual(ALL_SCRIPTS);
    expect(handEval).toEqual([]);
    // ...and every one of them ran on the Cluster in the tests above (the rate-limit count in AuthService's daily
    // login-code caps, besides the app's own client).
    expect(Object.keys((redis as unknown as { scriptsSet: object }).scriptsSet).sort()).toEqual(ALL_SCRIPTS);
  });
});
