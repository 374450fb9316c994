import { startApp } from '@live/common';
import { ImFrameCode } from '@live/contracts';
import { GatewayRedisKeys } from '@live/redis';
import { createTestRedis, TestRedis } from '@live/testing';
import { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { ImCoreModule } from '../apps/im-core/src/im-core.module';
import { portBlock } from './support/test-stack';

/**
 * The node-wide bound on sockets not logged in yet (IM_MAX_SOCKETS_BEFORE_LOGIN, 5 here), met by plain `ws`
 * clients on an im-core node with the per-address bounds out of the way, as an attacker holding many addresses
 * (IPv6 /64s) meets it (an attacker pass, 2026-12-03: every bound on such sockets was per address).
 */
describe('im-core: sockets waiting to log in, bounded per node (plain ws, real Redis)', () => {
  jest.setTimeout(60_000);
  const [wsPort, rpcPort] = portBlock();
  const url = `ws://127.0.0.1:${wsPort}/ws`;
  let redis: TestRedis;
  let node: INestApplication;
  let nextId = 90_000 + Math.floor(Math.random() * 5_000);
  const opened: WebSocket[] = [];

  type Outcome = { open?: true; login?: number; status?: number; body?: string };
  /** Opens a socket: resolves once open (no token) or logged in (a token), or with a refused upgrade's answer. */
  function open(token?: string): { outcome: Promise<Outcome>; closed: Promise<number> } {
    const ws = new WebSocket(token ? `${url}?token=${token}` : url);
    opened.push(ws);
    ws.on('error', () => undefined);
    const closed = new Promise<number>((resolve) => ws.once('close', resolve));
    const outcome = new Promise<Outcome>((resolve) => {
      if (!token) ws.on('open', () => resolve({ open: true }));
      ws.on('message', (raw: Buffer) => {
        const f = JSON.parse(raw.toString()) as { code: number; body: { userId?: number; error?: string } };
        if (f.code === ImFrameCode.LOGIN && f.body.userId !== undefined) resolve({ login: f.body.userId });
      });
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      });
    });
    return { outcome, closed };
  }

  async function tokenFor(userId: number): Promise<string> {
    const token = randomBytes(24).toString('base64url');
    await redis.redis.set(new GatewayRedisKeys(redis.prefix).imToken(token), String(userId), 'EX', 60);
    return token;
  }

  beforeAll(async () => {
    redis = await createTestRedis();
    const saved = { ...process.env };
    Object.assign(process.env, {
      REDIS_KEY_PREFIX: redis.prefix,
      LOG_LEVEL: 'error',
      IM_HEARTBEAT_TIMEOUT_MS: '60000',
      IM_CORE_ADVERTISED_HOST: '127.0.0.1',
      IM_CORE_NODE_ID: 'before-login-node',
      IM_CORE_WS_PORT: String(wsPort),
      IM_CORE_RPC_PORT: String(rpcPort),
      IM_MAX_SOCKETS_BEFORE_LOGIN: '5',
      IM_CONNECT_BURST_PER_ADDRESS: '1000',
      IM_CONNECT_RATE_PER_ADDRESS: '1000',
    });
    try {
      node = await startApp({
        app: 'im-core',
        module: ImCoreModule,
        // No per-address connection bound: the node-wide one alone is under test.
        http: { host: '127.0.0.1', port: wsPort, connections: { maxPerAddress: 0, idleTimeoutMs: 30_000 } },
        rpc: { host: '127.0.0.1', port: rpcPort },
      });
    } finally {
      process.env = saved;
    }
  });

  afterAll(async () => {
    for (const ws of opened) ws.terminate();
    await node?.close();
    await redis?.cleanup();
  });

  it('holds 5 sockets that never log in; a 6th within their first second is refused 503 with the envelope', async () => {
    const silent = Array.from({ length: 5 }, () => open());
    for (const s of silent) expect(await s.outcome).toEqual({ open: true });
    const refused = await open().outcome;
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body!)).toEqual({
      code: 100503,
      msg: 'this node has too many connections waiting to log in, try again in a moment',
      data: null,
    });

    // A second on, a viewer with a token gets in: the oldest silent socket is closed (4401) to make room.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const user = (nextId += 1);
    expect(await open(await tokenFor(user)).outcome).toEqual({ login: user });
    expect(await silent[0].closed).toBe(4401);
    // The viewer, logged in, no longer counts: there is room for one more silent socket, and nobody is closed.
    expect(await open().outcome).toEqual({ open: true });
    const stillOpen = await Promise.race([
      Promise.race(silent.slice(1).map((s) => s.closed)).then(() => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 300)),
    ]);
    expect(stillOpen).toBe(true);
  });

  it('a socket that closes no longer counts: 5 silent sockets closed by their clients make room for 5 more at once', async () => {
    for (const ws of opened) ws.terminate();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const first = Array.from({ length: 5 }, () => open());
    for (const s of first) expect(await s.outcome).toEqual({ open: true });
    for (const ws of opened) ws.terminate();
    await Promise.all(first.map((s) => s.closed));
    await new Promise((resolve) => setTimeout(resolve, 200)); // the server's side of the closes
    // All younger than a second: had the closed ones still counted, these would be refused 503.
    const again = Array.from({ length: 5 }, () => open());
    for (const s of again) expect(await s.outcome).toEqual({ open: true });
  });

  it('logged-in sockets are not held to it: 8 viewers log in one after another while 5 silent sockets wait', async () => {
    for (const ws of opened) ws.terminate();
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (let i = 0; i < 5; i += 1) expect(await open().outcome).toEqual({ open: true });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const users = Array.from({ length: 8 }, () => (nextId += 1));
    for (const user of users) expect(await open(await tokenFor(user)).outcome).toEqual({ login: user });
  });
});
