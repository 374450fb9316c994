import { startApp } from '@live/common';
import { IM_MAGIC, ImBizCode, ImFrameCode } from '@live/contracts';
import { GatewayRedisKeys } from '@live/redis';
import { createTestRedis, TestRedis } from '@live/testing';
import { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect, Socket } from 'node:net';
import WebSocket from 'ws';
import { ConnectionRegistry } from '../apps/im-core/src/connection/connection-registry';
import { ImCoreModule } from '../apps/im-core/src/im-core.module';
import { ImPushService } from '../apps/im-core/src/push/im-push.service';
import { portBlock } from './support/test-stack';
import { waitFor } from './support/wait-for';

interface Frame {
  code: number;
  body: Record<string, unknown>;
}

/**
 * What one socket may send (an attacker pass, 2026-12-01): one socket that never logged in, sending nothing but
 * heartbeats (200,000 a second), held im-core's event loop, every other user's heartbeat answered after 0.5 s.
 * Now every frame but an ack that settles a message takes a token of the socket's IM_FRAMES_PER_SECOND budget
 * (here 20 a second, 100 at once); past it the socket is closed (4429). Before its login a socket's frames are
 * bad frames (20 close it, 4400). A socket the server closes (logout, bad frames) is not acted on any more,
 * and a client that never answers the close is dropped after the 1 s grace, not ws' 30 s.
 */
describe('im-core: the frames one socket may send (plain ws / raw sockets, real Redis)', () => {
  const [wsPort, rpcPort] = portBlock(2);
  const url = `ws://127.0.0.1:${wsPort}/ws`;
  let redis: TestRedis;
  let node: INestApplication;
  let nextId = 90_000 + Math.floor(Math.random() * 9_000);
  const opened: WebSocket[] = [];
  const raws: Socket[] = [];
  const frameOf = (code: number, body?: object): string => JSON.stringify({ magic: IM_MAGIC, code, len: 0, body });
  const heartbeat = frameOf(ImFrameCode.HEARTBEAT);

  async function tokenFor(userId: number): Promise<string> {
    const token = randomBytes(24).toString('base64url');
    await redis.redis.set(new GatewayRedisKeys(redis.prefix).imToken(token), String(userId), 'EX', 60);
    return token;
  }

  /** A socket (logged in with a fresh user's token when `login`), its frames, and its close code once closed. */
  async function socket(login: boolean, room?: number) {
    const userId = (nextId += 1);
    const query = login ? `?token=${await tokenFor(userId)}${room ? `&roomId=${room}` : ''}` : '';
    const ws = new WebSocket(url + query);
    opened.push(ws);
    const frames: Frame[] = [];
    ws.on('message', (raw: Buffer) => frames.push(JSON.parse(raw.toString()) as Frame));
    ws.on('error', () => undefined);
    const closed = new Promise<number>((resolve) => ws.once('close', resolve));
    await new Promise((resolve) => ws.once('open', resolve));
    if (login) await waitFor('the login answer', () => frames.some((f) => f.code === ImFrameCode.LOGIN), 5_000);
    return { ws, userId, frames, closed };
  }

  /** `count` failure pushes (5557, one 1003 each) to the user's sockets on the node, each asking for an ack. */
  function pushTo(userId: number, count: number): void {
    for (let i = 0; i < count; i++)
      node
        .get(ImPushService)
        .pushToUsers(`budget-${userId}-${i}`, [userId], ImBizCode.GIFT_FAIL, { requestId: `r${i}`, msg: 'x' });
  }

  /** A raw client of a fresh user (rawSocketOf): the close frame it is sent is never answered. */
  async function rawSocket() {
    const userId = (nextId += 1);
    const token = await tokenFor(userId);
    return { ...(await rawSocketOf(wsPort, token, raws)), userId, token };
  }

  beforeAll(async () => {
    redis = await createTestRedis();
    Object.assign(process.env, {
      REDIS_KEY_PREFIX: redis.prefix,
      LOG_LEVEL: 'warn',
      IM_HEARTBEAT_TIMEOUT_MS: '30000',
      IM_FRAMES_PER_SECOND: '20',
      // Resends come fast here (a stalled client's backlog in a second).
      IM_RESEND_INTERVAL_MS: '200',
      IM_RESEND_MAX: '3',
      IM_CORE_ADVERTISED_HOST: '127.0.0.1',
      IM_CORE_NODE_ID: 'budget-node',
      IM_CORE_WS_PORT: String(wsPort),
      IM_CORE_RPC_PORT: String(rpcPort),
    });
    node = await startApp({
      app: 'im-core',
      module: ImCoreModule,
      http: { host: '127.0.0.1', port: wsPort },
      rpc: { host: '127.0.0.1', port: rpcPort },
    });
  });

  afterAll(async () => {
    for (const ws of opened) ws.terminate();
    for (const raw of raws) raw.destroy();
    await node?.close();
    await redis?.cleanup();
  });

  it('a socket that sends before it logs in: its frames are bad frames, 20 close it (4400)', async () => {
    const { ws, frames, closed } = await socket(false);
    for (let i = 0; i < 25; i++) ws.send(heartbeat);
    expect(await closed).toBe(4400);
    const answers = frames.filter((f) => f.body?.error === 'log in first (1001 with a token)');
    expect(answers).toHaveLength(20);
  });

  it('a logged-in socket flooding heartbeats is closed (4429) and gone from the node; another user is answered as before', async () => {
    const other = await socket(true);
    const flooder = await socket(true);
    for (let i = 0; i < 5_000; i++) flooder.ws.send(heartbeat);
    expect(await flooder.closed).toBe(4429);
    const answered = flooder.frames.filter((f) => f.code === ImFrameCode.HEARTBEAT).length;
    expect(answered).toBeGreaterThanOrEqual(99);
    expect(answered).toBeLessThanOrEqual(110); // the burst (100) and what refilled meanwhile, not 5,000
    expect(node.get(ConnectionRegistry).ofUser(flooder.userId).size).toBe(0);
    other.ws.send(heartbeat);
    await waitFor('the other user answered', () => other.frames.some((f) => f.code === ImFrameCode.HEARTBEAT), 2_000);
    expect(other.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('acks of messages written are free (300 acked, the socket stays); acks of nothing count (closed, 4429)', async () => {
    const user = await socket(true);
    pushTo(user.userId, 300);
    const acked = new Set<string>();
    await waitFor(
      '300 messages acked',
      () => {
        for (const f of user.frames) {
          const msgId = f.code === ImFrameCode.BIZ ? (f.body.msgId as string) : undefined;
          if (msgId && !acked.has(msgId)) {
            acked.add(msgId);
            user.ws.send(frameOf(ImFrameCode.ACK, { msgId, userId: user.userId }));
          }
        }
        return acked.size === 300;
      },
      10_000,
    );
    const conn = [...node.get(ConnectionRegistry).ofUser(user.userId)][0];
    await waitFor('nothing pending', () => conn.pending.size === 0, 5_000);
    expect(user.ws.readyState).toBe(WebSocket.OPEN);
    // Acks of nothing it was sent (a fresh socket: no write to match) cost a token each.
    const idle = await socket(true);
    for (let i = 0; i < 200; i++) idle.ws.send(frameOf(ImFrameCode.ACK, { msgId: `nothing-${i}` }));
    expect(await idle.closed).toBe(4429);
  });

  it('a client that stalls, then acks every copy it got (the resends too), stays: those acks follow the writes', async () => {
    const user = await socket(true);
    pushTo(user.userId, 120);
    // Stalled for 1 s: every message written again (200 ms apart, up to 3 times) before the client acks anything.
    await new Promise((r) => setTimeout(r, 1_000));
    const copies = user.frames.filter((f) => f.code === ImFrameCode.BIZ);
    expect(copies.length).toBeGreaterThan(200); // more than the burst of 100 in acks
    for (const f of copies) user.ws.send(frameOf(ImFrameCode.ACK, { msgId: f.body.msgId, userId: user.userId }));
    user.ws.send(heartbeat);
    await waitFor('the heartbeat answered', () => user.frames.some((f) => f.code === ImFrameCode.HEARTBEAT), 5_000);
    expect(user.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('after its logout (1002) a client that never answers the close is not acted on, and is dropped within the grace', async () => {
    const room = 700_000 + Math.floor(Math.random() * 100_000);
    const { raw, received, dropped, userId, token } = await rawSocket();
    const switchRoom = frameOf(ImFrameCode.LOGIN, { token, roomId: room }); // its own token: a room switch
    expect(switchRoom.length).toBeLessThan(126);
    const loggedOutAt = Date.now();
    raw.write(masked(frameOf(ImFrameCode.LOGOUT)));
    await waitFor('the close frame', () => received().includes('logged out'), 2_000);
    raw.write(masked(switchRoom)); // a room switch after the logout: not acted on
    await new Promise((r) => setTimeout(r, 300));
    expect(node.get(ConnectionRegistry).ofRoom(room).size).toBe(0); // it would have joined (its own token)
    const droppedAt = await dropped;
    expect(droppedAt - loggedOutAt).toBeLessThan(5_000); // the 1 s grace (ws' own close timeout is 30 s)
    await waitFor('the socket gone from the node', () => node.get(ConnectionRegistry).ofUser(userId).size === 0, 2_000);
    expect(node.get(ConnectionRegistry).ofRoom(room).size).toBe(0);
    expect(received()).not.toContain('IM token is invalid');
  });

  it.each([
    // Unasked pongs (ws dropped them unseen): each costs a frame token.
    ['pongs', Buffer.from([0x8a, 0x80, 0, 0, 0, 0]), 500, 'too many frames'],
    // Empty continuation fragments of a message never finished (ws skipped them unseen): the bytes count.
    ['empty fragments', Buffer.from([0x00, 0x80, 0, 0, 0, 0]), 50_000, 'too many bytes'],
  ])('a flood of %s is closed (4429) and the socket dropped', async (_what, frame, count, reason) => {
    const { raw, received, dropped } = await rawSocket();
    if (frame[0] === 0x00) raw.write(Buffer.from([0x01, 0x81, 0, 0, 0, 0, 0x7b])); // a text frame begun: "{"
    raw.write(Buffer.concat(Array<Buffer>(count).fill(frame)));
    await dropped;
    expect(received()).toContain(reason);
    expect(received()).toContain(Buffer.from([0x11, 0x4d]).toString('latin1')); // 4429 in the close frame
  });
});

/** A hand-framed WebSocket client (raw TCP), logged in with a fresh user's token: what it got, and its drop. */
async function rawSocketOf(port: number, token: string, raws: Socket[]) {
  const raw: Socket = tcpConnect(port, '127.0.0.1');
  raws.push(raw);
  let received = '';
  raw.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  raw.on('error', () => undefined);
  const dropped = new Promise<number>((resolve) => raw.once('close', () => resolve(Date.now())));
  raw.write(
    `GET /ws?token=${token} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  await waitFor('the login answer', () => received.includes('"userId"'), 5_000);
  return { raw, received: () => received, dropped };
}

/** A masked client text frame of up to 125 bytes (a zero mask leaves the payload as it is). */
function masked(text: string): Buffer {
  return Buffer.concat([Buffer.from([0x81, 0x80 | text.length, 0, 0, 0, 0]), Buffer.from(text)]);
}
