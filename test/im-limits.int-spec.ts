import { startApp } from '@live/common';
import { IM_MAGIC, ImBizCode, ImFrameCode } from '@live/contracts';
import { GatewayRedisKeys, ImRedisKeys } from '@live/redis';
import { createTestRedis, TestRedis } from '@live/testing';
import { INestApplication, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import { connect as tcpConnect, Socket } from 'node:net';
import WebSocket from 'ws';
import { ConnectionRegistry } from '../apps/im-core/src/connection/connection-registry';
import { ImCoreModule } from '../apps/im-core/src/im-core.module';
import { ImPushService } from '../apps/im-core/src/push/im-push.service';
import { AddressRateLimiter } from '../apps/im-core/src/ws/address-rate-limiter';
import { ImWebSocketServer } from '../apps/im-core/src/ws/im-websocket.server';
import { portBlock } from './support/test-stack';
import { waitFor } from './support/wait-for';

/**
 * The IM bounds of issue 15 (point 5), each attacked with plain `ws` clients or raw TCP sockets against an
 * im-core node on the real Redis: single-use tokens, sockets per user, connections per address, a client
 * that stops reading, and a socket that closes while its login is in flight.
 */
describe('im-core bounds under attack (plain ws / raw sockets, real Redis)', () => {
  const [ws1, rpc1, ws2, rpc2] = portBlock();
  const url = `ws://127.0.0.1:${ws1}/ws`;
  const NODE = 'limits-node';
  let redis: TestRedis;
  let node: INestApplication;
  let strictNode: INestApplication;
  let nextId = 80_000 + Math.floor(Math.random() * 10_000);
  const opened: WebSocket[] = [];

  async function tokenFor(userId: number): Promise<string> {
    const token = randomBytes(24).toString('base64url');
    await redis.redis.set(new GatewayRedisKeys(redis.prefix).imToken(token), String(userId), 'EX', 60);
    return token;
  }

  type Outcome = { login?: Record<string, unknown>; closed?: number; open?: true; status?: number; body?: string };

  /**
   * Opens a socket. `outcome`: the login answer, the close code (refused), or the HTTP answer of a refused
   * upgrade; with `untilOpen`, the handshake's success is enough. `closed`: the close code, whenever it comes.
   */
  function openWs(
    target: string,
    options: WebSocket.ClientOptions & { untilOpen?: boolean } = {},
  ): { ws: WebSocket; outcome: Promise<Outcome>; closed: Promise<number> } {
    const ws = new WebSocket(target, options);
    opened.push(ws);
    const closed = new Promise<number>((resolve) => ws.once('close', resolve));
    const outcome = new Promise<Outcome>((resolve) => {
      if (options.untilOpen) ws.on('open', () => resolve({ open: true }));
      ws.on('message', (raw: Buffer) => {
        const f = JSON.parse(raw.toString()) as { code: number; body: Record<string, unknown> };
        if (f.code === ImFrameCode.LOGIN && !('error' in f.body)) resolve({ login: f.body });
      });
      ws.on('close', (code) => resolve({ closed: code }));
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      });
      ws.on('error', () => undefined);
    });
    return { ws, outcome, closed };
  }

  const registry = () => node.get(ConnectionRegistry);
  const roomNodes = (roomId: number) => redis.redis.zrange(new ImRedisKeys(redis.prefix).roomNodes(roomId), 0, -1);

  beforeAll(async () => {
    redis = await createTestRedis();
    Object.assign(process.env, {
      REDIS_KEY_PREFIX: redis.prefix,
      LOG_LEVEL: 'warn',
      IM_HEARTBEAT_TIMEOUT_MS: '6000',
      IM_CORE_ADVERTISED_HOST: '127.0.0.1',
      IM_MAX_BUFFERED_BYTES: '65536',
      // The slow-consumer bound alone: the frame budget (test/im-frame-budget) would close a flood first.
      IM_FRAMES_PER_SECOND: '100000',
      IM_BYTES_PER_SECOND: '100000000',
      IM_CORE_NODE_ID: NODE,
      IM_CORE_WS_PORT: String(ws1),
      IM_CORE_RPC_PORT: String(rpc1),
    });
    delete process.env.IM_MAX_SOCKETS_PER_USER; // the default (5) is what is tested
    node = await startApp({
      app: 'im-core',
      module: ImCoreModule,
      http: { host: '127.0.0.1', port: ws1 },
      rpc: { host: '127.0.0.1', port: rpc1 },
    });
    // A node with a tight per-address connection limit: 5 at once, 1 more a second; its sockets not logged in
    // are closed for silence after 60 s only (the slow-consumer spec's socket that never logs in).
    const { IM_CONNECT_BURST_PER_ADDRESS, IM_CONNECT_RATE_PER_ADDRESS, IM_HEARTBEAT_TIMEOUT_MS } = process.env;
    Object.assign(process.env, {
      IM_HEARTBEAT_TIMEOUT_MS: '60000',
      IM_CORE_NODE_ID: `${NODE}-strict`,
      IM_CORE_WS_PORT: String(ws2),
      IM_CORE_RPC_PORT: String(rpc2),
      IM_CONNECT_BURST_PER_ADDRESS: '5',
      IM_CONNECT_RATE_PER_ADDRESS: '1',
    });
    strictNode = await startApp({
      app: 'im-core',
      module: ImCoreModule,
      // As runApp bounds every listener, with a 1 s idle timeout: a WebSocket it accepted is not held to it.
      http: { host: '127.0.0.1', port: ws2, connections: { maxPerAddress: 0, idleTimeoutMs: 1_000 } },
      rpc: { host: '127.0.0.1', port: rpc2 },
    });
    Object.assign(process.env, { IM_CONNECT_BURST_PER_ADDRESS, IM_CONNECT_RATE_PER_ADDRESS, IM_HEARTBEAT_TIMEOUT_MS });
  });

  afterAll(async () => {
    for (const ws of opened) ws.terminate();
    await strictNode?.close();
    await node?.close();
    await redis?.cleanup();
  });

  it('an IM token logs in once: reused after a login, or raced by 10 sockets at once, only one socket gets in (4401 for the rest)', async () => {
    const user = (nextId += 1);
    const token = await tokenFor(user);
    expect((await openWs(`${url}?token=${token}`).outcome).login).toMatchObject({ userId: user });
    expect(await openWs(`${url}?token=${token}`).outcome).toEqual({ closed: 4401 });

    const raced = await tokenFor((nextId += 1));
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => openWs(`${url}?token=${raced}`).outcome));
    expect(outcomes.filter((o) => o.login)).toHaveLength(1);
    expect(outcomes.filter((o) => o.closed === 4401)).toHaveLength(9);
  });

  it('refused logins flood no log: 40 bogus tokens at once are all closed 4401, with at most 20 lines per 10 s', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      const outcomes = await Promise.all(
        Array.from(
          { length: 40 },
          (_, i) => openWs(`${url}?token=bogus-${i}-${randomBytes(6).toString('hex')}`).outcome,
        ),
      );
      expect(outcomes.filter((o) => o.closed === 4401)).toHaveLength(40);
      const lines = warn.mock.calls.filter(([m]) => String(m).startsWith('refused an IM login'));
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.length).toBeLessThanOrEqual(20);
    } finally {
      warn.mockRestore();
    }
  });

  it('a user holds at most 5 sockets on a node: the 6th and 7th close the oldest ones (4409)', async () => {
    const user = (nextId += 1);
    const sockets = [];
    for (let i = 0; i < 7; i++) {
      const s = openWs(`${url}?token=${await tokenFor(user)}`);
      expect((await s.outcome).login).toMatchObject({ userId: user });
      sockets.push(s);
    }
    expect(await Promise.all(sockets.slice(0, 2).map((s) => s.closed))).toEqual([4409, 4409]);
    expect(sockets.slice(2).every((s) => s.ws.readyState === WebSocket.OPEN)).toBe(true);
    expect(registry().ofUser(user).size).toBe(5);
    expect(
      node.get(ImPushService).pushToUsers('cap-1', [user], ImBizCode.GIFT_FAIL, { requestId: 'cap-1', msg: 'x' }),
    ).toEqual({ pushed: 5, offline: [] });
  });

  it('connections per address are rate-limited: past the burst the upgrade gets 429 with the envelope; another address still gets in', async () => {
    const strictUrl = `ws://127.0.0.1:${ws2}/ws`;
    // The limiter's clock stands still while the 20 arrive: no refill (1 a second) however slowly they come,
    // so the burst of 5 is all that gets in. (The setting's floor is 1 a second: its env cannot say 0.)
    const take = AddressRateLimiter.prototype.take;
    const frozenAt = Date.now();
    const frozen = jest.spyOn(AddressRateLimiter.prototype, 'take').mockImplementation(function (
      this: AddressRateLimiter,
      address: string,
    ) {
      return take.call(this, address, frozenAt);
    });
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => openWs(strictUrl, { untilOpen: true }).outcome),
    ).finally(() => frozen.mockRestore());
    const refused = outcomes.filter((o) => o.status === 429);
    expect(outcomes.filter((o) => o.open)).toHaveLength(5);
    expect(refused).toHaveLength(15);
    expect(JSON.parse(refused[0].body ?? '')).toEqual({
      code: -10001,
      msg: 'too many connections from this address, try again in a moment',
      data: null,
    });
    expect(await openWs(strictUrl, { localAddress: '127.0.0.2', untilOpen: true }).outcome).toEqual({ open: true });
  });

  it('an upgrade whose request target is not a URL is answered 400 with the envelope, and the node lives on (it ended the process)', async () => {
    /** The raw answer to one upgrade request with `target` (the connection closed by the server). */
    const rawUpgrade = (target: string): Promise<string> =>
      new Promise((resolve, reject) => {
        const socket: Socket = tcpConnect(ws1, '127.0.0.1');
        let answer = '';
        socket.on('data', (c: Buffer) => (answer += c.toString()));
        socket.on('close', () => resolve(answer));
        socket.on('error', reject);
        socket.write(
          `GET ${target} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
        );
      });
    for (const target of ['http://[', 'http://[::1', 'http://a:99999/ws', 'http://%zz/ws']) {
      const answer = await rawUpgrade(target);
      expect([target, answer.split('\r\n')[0]]).toEqual([target, 'HTTP/1.1 400 Bad Request']);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({
        code: 100001,
        msg: 'the WebSocket URL could not be read',
        data: null,
      });
    }
    expect((await rawUpgrade('/elsewhere')).split('\r\n')[0]).toBe('HTTP/1.1 404 Not Found');
    // Clients that reset the connection as they are answered (a socket error with no listener ended the process).
    const resetOnAnswer = (target: string): Promise<void> =>
      new Promise((resolve) => {
        const socket: Socket = tcpConnect(ws1, '127.0.0.1', () =>
          socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`),
        );
        socket.on('error', () => undefined);
        socket.once('data', () => socket.resetAndDestroy());
        socket.on('close', () => resolve());
      });
    for (const target of ['/elsewhere', 'http://[', '/elsewhere', 'http://['])
      await Promise.all(Array.from({ length: 5 }, () => resetOnAnswer(target)));
    // A client that reads the refusal and keeps its side open (half-open): the server closes the connection (an
    // upgrade's socket has no timeout left: it was held for good).
    const server = node.getHttpServer() as HttpServer;
    const connections = (): Promise<number> =>
      new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
    await new Promise((r) => setTimeout(r, 300)); // the resets above are gone
    const baseline = await connections();
    const lingering: Socket = tcpConnect({ port: ws1, host: '127.0.0.1', allowHalfOpen: true }, () =>
      lingering.write(`GET /elsewhere HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`),
    );
    lingering.on('error', () => undefined);
    let refusal = '';
    lingering.on('data', (d: Buffer) => (refusal += d.toString()));
    await waitFor('the 404', () => refusal.startsWith('HTTP/1.1 404'), 5_000);
    try {
      await waitFor('the refused upgrade closed by the server', async () => (await connections()) === baseline, 5_000);
    } finally {
      lingering.destroy();
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(await openWs(url, { untilOpen: true }).outcome).toEqual({ open: true });
  });

  it("an accepted WebSocket is not held to the listener's idle timeout for a first request (1 s on this node): it lives on its heartbeat timeout", async () => {
    const { ws, closed } = openWs(`ws://127.0.0.1:${ws2}/ws`, { localAddress: '127.0.0.3' });
    let closedWith: number | undefined;
    void closed.then((code) => (closedWith = code));
    await new Promise((r) => ws.once('open', r));
    await new Promise((r) => setTimeout(r, 2_500));
    expect([ws.readyState, closedWith]).toEqual([WebSocket.OPEN, undefined]);
    ws.terminate();
  });

  it('a socket that stops reading is closed as a slow consumer: its state on the node and its room binding are gone', async () => {
    // Nothing else on the node, so its socket count tells whether this one is gone too.
    for (const ws of opened) ws.terminate();
    const server = node.get(ImWebSocketServer);
    await waitFor('the earlier sockets to go', () => socketsHeldBy(server) === 0, 5_000);
    const user = (nextId += 1);
    const room = (nextId += 1);
    const raw: Socket = tcpConnect(ws1, '127.0.0.1');
    let received = Buffer.alloc(0);
    raw.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
    const ended = new Promise<void>((resolve) => raw.once('close', () => resolve()));
    raw.write(
      `GET /ws?token=${await tokenFor(user)}&roomId=${room} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    await waitFor(
      'the login answer on the raw socket',
      () => received.toString('latin1').includes(`"userId":${user}`),
      5_000,
    );
    const conn = [...registry().ofUser(user)][0];
    expect(conn.roomId).toBe(room);
    expect(await roomNodes(room)).toEqual([NODE]);
    raw.pause(); // reads nothing from now on

    const push = node.get(ImPushService);
    const effect = {
      requestId: 'slow',
      giftId: 1,
      giftName: 'x'.repeat(32_768),
      svgaUrl: '',
      senderId: 1,
      receiverId: 2,
      roomId: room,
      combo: 1,
      count: 1,
    };
    let pushes = 0;
    while (registry().has(conn) && pushes < 1_500) {
      push.pushToRoom(`slow-${(pushes += 1)}`, room, ImBizCode.GIFT_SUCCESS, effect);
      await new Promise((r) => setImmediate(r));
    }
    expect(registry().has(conn)).toBe(false);
    expect(conn.pending.size).toBe(0);
    expect(registry().ofUser(user).size).toBe(0);
    expect(registry().ofRoom(room).size).toBe(0);
    await waitFor('the room binding to go from Redis', async () => (await roomNodes(room)).length === 0, 5_000);
    // The TCP connection is dropped (the client sees its end once it reads again).
    raw.resume();
    await ended;
    await waitFor('the socket gone from the node', () => socketsHeldBy(server) === 0, 5_000);
  });

  // Pings too: ws answered them itself (autoPong) past every bound: 4 sockets that never read grew a node by
  // 4 GB in 25 s, without logging in. Now the node writes the pongs, held to the bound like any answer.
  it.each([
    ['heartbeat frames', 'heartbeat'],
    ['pings', 'ping'],
  ] as const)(
    'a socket that sends %s but never reads their answers is closed as a slow consumer, logged in or not',
    async (_what, kind) => {
      for (const ws of opened) ws.terminate();
      const servers = [node.get(ImWebSocketServer), strictNode.get(ImWebSocketServer)];
      await waitFor('the earlier sockets to go', () => servers.every((s) => socketsHeldBy(s) === 0), 5_000);
      const warn = jest.spyOn(Logger.prototype, 'warn');
      try {
        await neverReads(warn, servers, kind);
      } finally {
        warn.mockRestore();
      }
    },
  );

  /** Logged in on the first node, then not logged in on the strict one (60 s before a silent socket is closed). */
  async function neverReads(
    warn: jest.SpyInstance,
    servers: ImWebSocketServer[],
    kind: 'heartbeat' | 'ping',
  ): Promise<void> {
    const heartbeat = JSON.stringify({ magic: IM_MAGIC, code: ImFrameCode.HEARTBEAT, len: 0 });
    // A masked client frame (a zero mask leaves the payload as it is): a text heartbeat, or a ping of 125 bytes
    // (the most a control frame holds); 2,000 of them per write.
    const frame =
      kind === 'heartbeat'
        ? Buffer.concat([Buffer.from([0x81, 0x80 | heartbeat.length, 0, 0, 0, 0]), Buffer.from(heartbeat)])
        : Buffer.concat([Buffer.from([0x89, 0x80 | 125, 0, 0, 0, 0]), Buffer.alloc(125, 0x61)]);
    const frames = Buffer.concat(Array(2_000).fill(frame));
    const sockets: [number, string][] = [
      [ws1, `?token=${await tokenFor((nextId += 1))}`],
      [ws2, ''],
    ];
    for (const [[port, query], server] of sockets.map((s, i) => [s, servers[i]] as const)) {
      const raw: Socket = tcpConnect(port, '127.0.0.1');
      let received = '';
      raw.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
      raw.on('error', () => undefined);
      raw.write(
        `GET /ws${query} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      const ready = query ? '"userId"' : ' 101 ';
      await waitFor('the upgrade (and the login answer)', () => received.includes(ready), 5_000);
      raw.pause(); // reads nothing from now on: every answer stays on the node's side
      // Written until the node drops the socket (a write then fails), at most 20 s: a guard, not a measure (a node
      // that never closes it fails the test). Only as fast as the node reads (a full buffer waits for its drain).
      const giveUpAt = Date.now() + 20_000;
      while (!raw.destroyed && Date.now() < giveUpAt) {
        if (!raw.write(frames)) await new Promise((r) => (raw.once('drain', r), setTimeout(r, 200)));
        await new Promise((r) => setImmediate(r));
      }
      expect(raw.destroyed).toBe(true); // the node closed it (4413, then dropped): writing failed
      await waitFor('the socket gone from the node', () => socketsHeldBy(server) === 0, 5_000);
    }
    // Logged in: IM_MAX_BUFFERED_BYTES (64 KiB here); not logged in: 16 KiB (only errors are ever due to it). A
    // socket not logged in that sends heartbeats is closed by its 20th (a bad frame before a login) before that.
    const closes = warn.mock.calls.map(([m]) => String(m)).filter((m) => m.startsWith('closing a slow consumer'));
    expect(closes).toEqual([
      expect.stringMatching(/^closing a slow consumer \(user \d+, 127\.0\.0\.1\): more than 65536 bytes unsent$/),
      ...(kind === 'ping'
        ? ['closing a slow consumer (user not logged in, 127.0.0.1): more than 16384 bytes unsent']
        : []),
    ]);
  }

  it('a socket that closes while its login is in flight is never left in a room (nor bound in Redis)', async () => {
    const room = (nextId += 1);
    const attempts = Array.from({ length: 40 }, async (_, i) => {
      const token = await tokenFor((nextId += 1));
      const byFrame = i % 2 === 0;
      const { ws } = openWs(byFrame ? url : `${url}?token=${token}&roomId=${room}`);
      await new Promise((resolve) => ws.once('open', resolve));
      if (byFrame)
        ws.send(JSON.stringify({ magic: IM_MAGIC, code: ImFrameCode.LOGIN, len: 0, body: { token, roomId: room } }));
      // Close at once or a little later: before, during and after the token check and the bindings.
      await new Promise((r) => setTimeout(r, i % 5));
      if (i % 3 === 0) ws.terminate();
      else ws.close();
      await new Promise((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve(null) : ws.once('close', resolve)));
    });
    await Promise.all(attempts);
    // A control that logs in to the same room and leaves: its answer comes after every earlier login's Redis calls.
    const control = openWs(`${url}?token=${await tokenFor((nextId += 1))}&roomId=${room}`);
    expect((await control.outcome).login).toMatchObject({ roomId: room });
    control.ws.close();
    await waitFor('every socket closed on the node', () => registry().ofRoom(room).size === 0, 5_000);
    const registryKey = new ImRedisKeys(redis.prefix).nodeRegistry();
    const beatOf = async () =>
      (JSON.parse((await redis.redis.hget(registryKey, NODE)) ?? '{}') as { heartbeatAt?: number }).heartbeatAt ?? 0;
    const before = await beatOf();
    await waitFor('a presence refresh of the node', async () => (await beatOf()) > before, 10_000);
    expect(registry().ofRoom(room).size).toBe(0);
    expect(await roomNodes(room)).toEqual([]);
  });

  it('a login frame of 890 unknown fields, before any login: a short error frame, refused before validation; the socket lives on', async () => {
    // An attacker pass (2026-12-02): each such 8 KB frame cost 1.4 ms of validation (an error per field) and a
    // 28 KB answer; 200 sockets of 19 held the node's event loop 5 s, with no login.
    const { ws, outcome } = openWs(url, { untilOpen: true });
    expect(await outcome).toEqual({ open: true });
    const answers: string[] = [];
    ws.on('message', (raw: Buffer) => answers.push(raw.toString()));
    const body = Object.fromEntries(Array.from({ length: 890 }, (_, i) => [`p${i}`, 1]));
    ws.send(JSON.stringify({ magic: IM_MAGIC, code: ImFrameCode.LOGIN, body }));
    await waitFor('the error frame', () => answers.length > 0, 10_000);
    expect(answers[0].length).toBeLessThan(300);
    expect(answers[0]).toContain('frame has more than 64 fields');
    expect(ws.readyState).toBe(WebSocket.OPEN);
  });

  it('a socket that never logs in is closed (4401) once the heartbeat timeout has passed', async () => {
    const { outcome } = openWs(url);
    expect(await outcome).toEqual({ closed: 4401 });
  });
});

/** The sockets a node still holds, logged in or not (its private table: what a leak would grow). */
function socketsHeldBy(server: ImWebSocketServer): number {
  return (server as unknown as { sockets: Map<unknown, unknown> }).sockets.size;
}
