import { createKafkaClient } from '@live/kafka';
import { GatewayRedisKeys, RedisClient, settleAll } from '@live/redis';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { DataSource } from 'typeorm';

/** A seeded viewer: a login token, an IM token, a room and its anchor. */
export interface Viewer {
  userId: number;
  token: string;
  imToken: string;
  roomId: number;
  anchorId: number;
}

/** Ports of a stack started by a harness, away from `npm start`'s and below the ephemeral range. */
export function stackPorts(base: number) {
  return {
    gateway: base,
    imWs: base + 10,
    giftHttp: base + 1,
    giftRpc: base + 2,
    bankHttp: base + 3,
    bankRpc: base + 4,
    routerHttp: base + 5,
    routerRpc: base + 6,
    imRpc: base + 7,
  };
}

export function stackEnv(id: string, ports: ReturnType<typeof stackPorts>): Record<string, string> {
  return {
    DB_NAME: `lg_bench_${id}`,
    DB_POOL_SIZE: '20',
    REDIS_KEY_PREFIX: `bench_${id}`,
    KAFKA_TOPIC_PREFIX: `bench_${id}.`,
    LOG_LEVEL: 'warn',
    GATEWAY_BENCH_ROUTES: 'true',
    GATEWAY_HTTP_PORT: String(ports.gateway),
    GIFT_HTTP_PORT: String(ports.giftHttp),
    GIFT_RPC_PORT: String(ports.giftRpc),
    BANK_HTTP_PORT: String(ports.bankHttp),
    BANK_RPC_PORT: String(ports.bankRpc),
    IM_ROUTER_HTTP_PORT: String(ports.routerHttp),
    IM_ROUTER_RPC_PORT: String(ports.routerRpc),
    IM_CORE_WS_PORT: String(ports.imWs),
    IM_CORE_RPC_PORT: String(ports.imRpc),
    IM_CORE_NODE_ID: `bench-${id}`,
    GIFT_INSTANCE_ID: `bench-${id}`,
  };
}

/**
 * Users, rooms, wallets (with a recharge in the ledger) and tokens, straight into the servers: logging
 * in thousands of users over HTTP is not what a harness measures.
 */
export async function seedViewers(
  ds: DataSource,
  redis: RedisClient,
  keyPrefix: string,
  opts: { count: number; rooms: number; firstUser: number; coins: (i: number) => number },
): Promise<Viewer[]> {
  const anchors = Array.from({ length: opts.rooms }, (_, i) => opts.firstUser + opts.count + i);
  const roomIds: number[] = [];
  for (let i = 0; i < opts.rooms; i += 500) {
    const chunk = anchors.slice(i, i + 500);
    const res: { insertId: number } = await ds.query(
      `INSERT INTO t_living_room (anchor_id, type, room_name, status) VALUES ${chunk.map(() => '(?, 0, ?, 1)').join(', ')}`,
      chunk.flatMap((a) => [a, `bench room of ${a}`]),
    );
    chunk.forEach((_, k) => roomIds.push(res.insertId + k));
  }
  const viewers: Viewer[] = Array.from({ length: opts.count }, (_, i) => ({
    userId: opts.firstUser + i,
    token: randomBytes(24).toString('base64url'),
    imToken: randomBytes(24).toString('base64url'),
    roomId: roomIds[i % opts.rooms],
    anchorId: anchors[i % opts.rooms],
  }));
  for (let i = 0; i < opts.count; i += 1_000) {
    const chunk = viewers.slice(i, i + 1_000);
    const balances = chunk.map((_, k) => opts.coins(i + k));
    await ds.query(
      `INSERT INTO t_qiyu_currency_account (user_id, current_balance, total_recharged) VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')}`,
      chunk.flatMap((v, k) => [v.userId, balances[k], balances[k]]),
    );
    await ds.query(
      `INSERT INTO t_qiyu_currency_trade (request_id, user_id, direction, num, balance_after, type, status, remark) VALUES ${chunk.map(() => "(?, ?, 2, ?, ?, 1, 1, 'bench seed')").join(', ')}`,
      chunk.flatMap((v, k) => [`seed:${v.userId}`, v.userId, balances[k], balances[k]]),
    );
    await writeTokens(redis, keyPrefix, chunk);
  }
  return viewers;
}

/**
 * The rooms' anchors as senders too (anchor A gifts anchor B in B's room: each account of a settlement
 * run can be a sender and a receiver at once): wallets with `coins` (and their recharge in the ledger),
 * login and IM tokens. Anchor i sends in the room of anchor i + 1 (mod the rooms).
 */
export async function seedAnchorSenders(
  ds: DataSource,
  redis: RedisClient,
  keyPrefix: string,
  viewers: readonly Viewer[],
  coins: number,
): Promise<Viewer[]> {
  const rooms = [...new Map(viewers.map((v) => [v.anchorId, v.roomId])).entries()];
  const senders: Viewer[] = rooms.map(([anchorId], i) => {
    const [nextAnchor, nextRoom] = rooms[(i + 1) % rooms.length];
    return {
      userId: anchorId,
      token: randomBytes(24).toString('base64url'),
      imToken: randomBytes(24).toString('base64url'),
      roomId: nextRoom,
      anchorId: nextAnchor,
    };
  });
  await ds.query(
    `INSERT INTO t_qiyu_currency_account (user_id, current_balance, total_recharged) VALUES ${senders.map(() => '(?, ?, ?)').join(', ')}`,
    senders.flatMap((a) => [a.userId, coins, coins]),
  );
  await ds.query(
    `INSERT INTO t_qiyu_currency_trade (request_id, user_id, direction, num, balance_after, type, status, remark) VALUES ${senders.map(() => "(?, ?, 2, ?, ?, 1, 1, 'bench seed')").join(', ')}`,
    senders.flatMap((a) => [`seed:${a.userId}`, a.userId, coins, coins]),
  );
  await writeTokens(redis, keyPrefix, senders);
  return senders;
}

/** The viewers' login and IM tokens in Redis, as api-gateway writes them at login (again after Redis lost them). */
export async function writeTokens(redis: RedisClient, keyPrefix: string, viewers: readonly Viewer[]): Promise<void> {
  const keys = new GatewayRedisKeys(keyPrefix);
  // One command per key, all at once (auto-pipelining: one write per Redis node; a Cluster refuses a cross-node pipeline).
  await settleAll(
    viewers.flatMap((v) => [
      redis.set(keys.userToken(v.token), `${v.userId}:0`, 'EX', 7_200),
      redis.set(keys.imToken(v.imToken), String(v.userId), 'EX', 7_200),
    ]),
  );
}

/** A new single-use IM token of a viewer, as api-gateway's /im/getImConfig writes it (each logs in one socket). */
export async function issueImToken(redis: RedisClient, keyPrefix: string, userId: number): Promise<string> {
  const token = randomBytes(24).toString('base64url');
  await redis.set(new GatewayRedisKeys(keyPrefix).imToken(token), String(userId), 'EX', 600);
  return token;
}

export interface HttpAnswer {
  status: number;
  body: unknown;
  raw: string;
}

/** The harnesses' HTTP client: node:http on keep-alive sockets (much cheaper per request than fetch). */
const agent = new Agent({ keepAlive: true, maxSockets: 512 });
export function httpPost(
  port: number,
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = undefined;
          try {
            parsed = JSON.parse(raw);
          } catch {
            // not JSON: the caller decides whether that is a failure
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, raw });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(15_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** The p-th percentile (0-100, nearest rank) of values sorted ascending; NaN of none. */
export const pct = (sorted: readonly number[], p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
export const stamp = (): string => new Date().toISOString().slice(11, 19);

/** The Kafka topics a harness created (every topic named `prefix`...). */
export async function deleteTopics(prefix: string): Promise<void> {
  const admin = createKafkaClient({
    clientId: 'bench',
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  }).admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
  if (topics.length > 0) await admin.deleteTopics({ topics });
  await admin.disconnect();
}

/** Every BENCH_MULTI_GIFT_EVERY-th gift of a load (n = EVERY - 1, 2 EVERY - 1, ...) is a send of BENCH_MULTI_GIFT_COUNT. */
export const BENCH_MULTI_GIFT_EVERY = 7;
export const BENCH_MULTI_GIFT_COUNT = 3;

/**
 * The `count` of the load's n-th gift (issue 20): most are single gifts (no field, as an older client sends
 * them), every 7th carries 3, so the audit checks price x count on every run (wrk-load.ts' Lua does the same).
 */
export function benchGiftCount(n: number): { count?: number } {
  return n % BENCH_MULTI_GIFT_EVERY === BENCH_MULTI_GIFT_EVERY - 1 ? { count: BENCH_MULTI_GIFT_COUNT } : {};
}
