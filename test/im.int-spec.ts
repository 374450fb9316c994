import { createRpcClient, ImRouterClient, startApp } from '@live/common';
import { GiftEffectData, GiftFailData, ImBizCode, ImFrameCode, ImMsgBody } from '@live/contracts';
import { GatewayRedisKeys, ImRedisKeys } from '@live/redis';
import { createTestRedis, TestRedis } from '@live/testing';
import { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:net';
import { ConnectionRegistry } from '../apps/im-core/src/connection/connection-registry';
import { ImCoreModule } from '../apps/im-core/src/im-core.module';
import { ImRouterModule } from '../apps/im-router/src/im-router.module';
import { ImTestClient } from './support/im-client';
import { portBlock } from './support/test-stack';
import { waitFor } from './support/wait-for';

const HEARTBEAT_TIMEOUT_MS = 1_000;
const BEAT_MS = 250;

describe('im-core x2 + im-router on real Redis, with real WebSocket clients', () => {
  const [wsA, rpcA, wsB, rpcB, routerHttp, routerRpc] = portBlock();
  let redis: TestRedis;
  let nodeA: INestApplication;
  let nodeB: INestApplication;
  let router: INestApplication;
  let rpc: ImRouterClient;
  const clients: ImTestClient[] = [];
  let nextUser = 70_000 + Math.floor(Math.random() * 10_000);
  const urlA = `ws://127.0.0.1:${wsA}/ws`;
  const urlB = `ws://127.0.0.1:${wsB}/ws`;

  /** An IM token for a user, as api-gateway issues it. */
  async function tokenFor(userId: number): Promise<string> {
    const token = randomBytes(24).toString('base64url');
    await redis.redis.set(new GatewayRedisKeys(redis.prefix).imToken(token), String(userId), 'EX', 60);
    return token;
  }

  async function connect(url: string, userId: number, roomId?: number): Promise<ImTestClient> {
    const client = (await ImTestClient.connect(url, await tokenFor(userId), roomId)).startHeartbeat(BEAT_MS);
    clients.push(client);
    return client;
  }

  // The IM layer carries any data object: these tests mark messages with their own fields.
  const anyData = (data: object) => ({ ...data }) as unknown as GiftEffectData & GiftFailData;
  const toRoom = (roomId: number, data: object, msgId?: string) =>
    rpc.sendToRoom({ roomId, bizCode: ImBizCode.GIFT_SUCCESS, data: anyData(data), ...(msgId ? { msgId } : {}) });
  const toUser = (userId: number, data: object) =>
    rpc.sendToUser({ userId, bizCode: ImBizCode.GIFT_FAIL, data: anyData(data) });
  /** A guard, not a speed bound: a delivery that never comes fails the test after this long. */
  const DELIVERY_DEADLINE_MS = 30_000;
  const isMarker = (b: ImMsgBody) => (b.data as { marker?: boolean }).marker === true;
  /** What a client received (each delivery, resends included), the markers of drained() left out. */
  const received = (c: ImTestClient, bizCode?: number) => c.business(bizCode).filter((b) => !isMarker(b));
  /** Waits until every one of these clients has received every one of these msgIds. */
  async function delivered(cs: ImTestClient[], msgIds: string[]): Promise<void> {
    await waitFor(
      `${msgIds.join(', ')} to reach user(s) ${cs.map((c) => c.userId).join(', ')}`,
      () => cs.every((c) => msgIds.every((id) => c.business().some((b) => b.msgId === id))),
      DELIVERY_DEADLINE_MS,
    );
  }
  /**
   * Sends each client's user a marker and waits until every client has it: what was pushed to them before
   * has arrived by then (one socket, in order), so that nothing else came can be asserted.
   */
  async function drained(...cs: ImTestClient[]): Promise<void> {
    for (const userId of new Set(cs.map((c) => c.userId))) {
      const { msgId } = await toUser(userId, { marker: true });
      await delivered(
        cs.filter((c) => c.userId === userId),
        [msgId],
      );
    }
  }

  async function bootNode(nodeId: string, ws: number, rpcPort: number): Promise<INestApplication> {
    Object.assign(process.env, {
      IM_CORE_NODE_ID: nodeId,
      IM_CORE_WS_PORT: String(ws),
      IM_CORE_RPC_PORT: String(rpcPort),
    });
    return startApp({
      app: 'im-core',
      module: ImCoreModule,
      http: { host: '127.0.0.1', port: ws },
      rpc: { host: '127.0.0.1', port: rpcPort },
    });
  }

  beforeAll(async () => {
    redis = await createTestRedis();
    Object.assign(process.env, {
      REDIS_KEY_PREFIX: redis.prefix,
      LOG_LEVEL: 'warn',
      IM_HEARTBEAT_TIMEOUT_MS: String(HEARTBEAT_TIMEOUT_MS),
      IM_RESEND_INTERVAL_MS: '200',
      IM_RESEND_MAX: '2',
      IM_CORE_ADVERTISED_HOST: '127.0.0.1',
      IM_ROUTER_NODE_TIMEOUT_MS: '500',
    });
    nodeA = await bootNode('it-node-a', wsA, rpcA);
    nodeB = await bootNode('it-node-b', wsB, rpcB);
    router = await startApp({
      app: 'im-router',
      module: ImRouterModule,
      http: { host: '127.0.0.1', port: routerHttp },
      rpc: { host: '127.0.0.1', port: routerRpc },
    });
    rpc = new ImRouterClient(createRpcClient('im-it', { host: '127.0.0.1', port: routerRpc }));
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await rpc?.close();
    await router?.close();
    await nodeA?.close();
    await nodeB?.close();
    await redis?.cleanup();
  });

  it('a room broadcast reaches every member on both nodes exactly once, and nobody outside the room', async () => {
    const room = (nextUser += 1);
    const onA = [await connect(urlA, (nextUser += 1), room), await connect(urlA, (nextUser += 1), room)];
    const onB = [await connect(urlB, (nextUser += 1), room), await connect(urlB, (nextUser += 1), room)];
    const outsider = await connect(urlB, (nextUser += 1), room + 100_000);
    const answer = await toRoom(room, { giftId: 1, combo: 1 }, 'room-msg-1');
    expect(answer).toMatchObject({ msgId: 'room-msg-1', pushed: 4 });
    await delivered([...onA, ...onB], ['room-msg-1']);
    await drained(...onA, ...onB, outsider);
    for (const c of [...onA, ...onB]) {
      const got = received(c, ImBizCode.GIFT_SUCCESS);
      expect(got.map((b) => b.msgId)).toEqual(['room-msg-1']);
      expect(got[0].data).toEqual({ giftId: 1, combo: 1 });
    }
    expect(received(outsider)).toEqual([]);
    const members = await rpc.roomMembers(room);
    expect(members.userIds).toEqual([...onA, ...onB].map((c) => c.userId).sort((a, b) => a - b));
  });

  it('SEND_TO_ROOMS delivers several rooms across both nodes in one call, each message once per member', async () => {
    const rooms = [(nextUser += 1), (nextUser += 1), (nextUser += 1)];
    const members = [
      await connect(urlA, (nextUser += 1), rooms[0]),
      await connect(urlB, (nextUser += 1), rooms[1]),
      await connect(urlA, (nextUser += 1), rooms[2]),
      await connect(urlB, (nextUser += 1), rooms[2]),
    ];
    const res = await rpc.sendToRooms(
      rooms.map((roomId, i) => ({
        msgId: `multi-${roomId}`,
        roomId,
        bizCode: ImBizCode.GIFT_SUCCESS,
        data: anyData({ i }),
      })),
    );
    expect(res.results.map((r) => r.pushed)).toEqual([1, 1, 2]);
    const expected = [rooms[0], rooms[1], rooms[2], rooms[2]].map((roomId) => [`multi-${roomId}`]);
    await Promise.all(members.map((m, i) => delivered([m], expected[i])));
    await drained(...members);
    expect(members.map((m) => received(m).map((b) => b.msgId))).toEqual(expected);
  });

  it('a private message reaches every tab of its user (on any node) and never another user', async () => {
    const room = (nextUser += 1);
    const target = (nextUser += 1);
    const tabs = [await connect(urlA, target, room), await connect(urlB, target, room), await connect(urlA, target)];
    const neighbours = [await connect(urlA, (nextUser += 1), room), await connect(urlB, (nextUser += 1), room)];
    const res = await toUser(target, { requestId: 'r1', msg: 'insufficient balance' });
    expect(res).toMatchObject({ pushed: 3, offline: [] });
    await delivered(tabs, [res.msgId]);
    await drained(...tabs, ...neighbours);
    for (const t of tabs) {
      const got = received(t, ImBizCode.GIFT_FAIL);
      expect(got).toHaveLength(1);
      expect(got[0].userId).toBe(target);
    }
    for (const n of neighbours) expect(received(n)).toEqual([]);
  });

  it('offline users are reported, not errors', async () => {
    const ghost = (nextUser += 1);
    await expect(toUser(ghost, { x: 1 })).resolves.toMatchObject({ pushed: 0, offline: [ghost] });
    const live = (nextUser += 1);
    await connect(urlB, live);
    await expect(toUser(live, {})).resolves.toMatchObject({ pushed: 1, offline: [] });
    await expect(toRoom((nextUser += 1), { empty: true })).resolves.toMatchObject({ pushed: 0 });
  });

  it('an unacked message is resent a bounded number of times, then dropped; an acked one is not resent', async () => {
    const lazy = await connect(urlA, (nextUser += 1));
    lazy.autoAck = false;
    const diligent = await connect(urlB, (nextUser += 1));
    await toUser(lazy.userId, { n: 1 });
    await toUser(diligent.userId, { n: 2 });
    await waitFor('the first delivery and two resends', () => lazy.business().length >= 3, 5_000);
    await new Promise((r) => setTimeout(r, 1_000));
    const deliveries = lazy.business();
    expect(deliveries).toHaveLength(3); // 1 + IM_RESEND_MAX
    expect(new Set(deliveries.map((d) => d.msgId)).size).toBe(1);
    expect(diligent.business()).toHaveLength(1);
  });

  it('a dead connection is closed for silence (4408) once the heartbeat timeout passed; the user is then offline', async () => {
    const user = (nextUser += 1);
    const client = await connect(urlA, user, (nextUser += 1));
    client.stopHeartbeat();
    // 4408 is the close for silence: the heartbeat timeout did it. How soon is not measured here (the
    // deadlines only keep a socket that is never closed, or a binding that never goes, from hanging the test).
    expect(await client.closed()).toBe(4408);
    await waitFor(
      'the binding to go',
      async () => (await toUser(user, {})).offline.includes(user),
      DELIVERY_DEADLINE_MS,
    );
    expect(nodeA.get(ConnectionRegistry).ofUser(user).size).toBe(0);
  });

  it("an older connection's close never takes a newer connection's binding away (same node and across nodes)", async () => {
    const user = (nextUser += 1);
    const old = await connect(urlA, user);
    const newer = await connect(urlB, user);
    const newest = await connect(urlA, user);
    const onA = () => nodeA.get(ConnectionRegistry).ofUser(user).size;
    old.close();
    await old.closed();
    await waitFor('node A to let the old socket go', () => onA() === 1, DELIVERY_DEADLINE_MS);
    const res = await toUser(user, { after: 'close' });
    expect(res.pushed).toBe(2);
    await delivered([newer, newest], [res.msgId]);
    await drained(newer, newest);
    expect(received(newer)).toHaveLength(1);
    expect(received(newest)).toHaveLength(1);
    newest.close();
    await newest.closed();
    await waitFor('node A to let its last socket of the user go', () => onA() === 0, DELIVERY_DEADLINE_MS);
    expect((await toUser(user, { again: true })).pushed).toBe(1);
  });

  it('bad frames get an error answer and the node keeps serving; a bad token is refused with 4401', async () => {
    const client = await connect(urlA, (nextUser += 1));
    for (const raw of [
      'not json',
      '[]',
      JSON.stringify({ magic: 1, code: 1004 }),
      JSON.stringify({ magic: 18673, code: 9999 }),
      JSON.stringify({ magic: 18673, code: 1005, body: {} }),
    ]) {
      client.ws.send(raw);
    }
    await waitFor(
      'five error answers',
      () => client.frames.filter((f) => f.body && 'error' in f.body).length >= 5,
      3_000,
    );
    client.send(ImFrameCode.HEARTBEAT);
    await waitFor('a heartbeat answer', () => client.frames.some((f) => f.code === ImFrameCode.HEARTBEAT), 3_000);
    expect((await toUser(client.userId, { still: 'here' })).pushed).toBe(1);
    await expect(ImTestClient.connect(urlA, 'x'.repeat(32))).rejects.toThrow(
      /login refused: IM token is invalid or expired/,
    );
  });

  it('the same msgId pushed to a room twice reaches each socket once; another msgId still arrives', async () => {
    const room = (nextUser += 1);
    const members = [await connect(urlA, (nextUser += 1), room), await connect(urlB, (nextUser += 1), room)];
    expect((await toRoom(room, { n: 1 }, 'once-1')).pushed).toBe(2);
    expect((await toRoom(room, { n: 1 }, 'once-1')).pushed).toBe(0);
    const user = members[0].userId;
    const again = { userId: user, bizCode: ImBizCode.GIFT_FAIL, data: anyData({ n: 2 }), msgId: 'once-2' };
    expect((await rpc.sendToUser(again)).pushed).toBe(1);
    expect((await rpc.sendToUser(again)).pushed).toBe(0);
    expect((await toRoom(room, { n: 3 }, 'once-3')).pushed).toBe(2);
    await delivered(members, ['once-3']);
    await drained(...members);
    expect(received(members[0]).map((b) => b.msgId)).toEqual(['once-1', 'once-2', 'once-3']);
    expect(received(members[1]).map((b) => b.msgId)).toEqual(['once-1', 'once-3']);
  });

  it('when Redis loses the presence of live nodes, pushes still reach their members (offered to the vanished nodes)', async () => {
    const keys = new ImRedisKeys(redis.prefix);
    const room = (nextUser += 1);
    const member = await connect(urlA, (nextUser += 1), room);
    const private_ = await connect(urlB, (nextUser += 1));
    expect((await toRoom(room, { n: 0 }, 'lost-0')).pushed).toBe(1); // the router has read the registry
    await new Promise((r) => setTimeout(r, 300));
    // As a Redis restart without its data would: the registry and every binding gone at once, the nodes alive.
    const lost = [
      keys.nodeRegistry(),
      keys.roomNodes(room),
      keys.userNode(member.userId),
      keys.userNode(private_.userId),
    ];
    await Promise.all(lost.map((k) => redis.redis.del(k)));
    const [toRoomAnswer, toUserAnswer] = await Promise.all([
      toRoom(room, { n: 1 }, 'lost-1'),
      toUser(private_.userId, { n: 2 }),
    ]);
    expect(toRoomAnswer).toMatchObject({ msgId: 'lost-1', pushed: 1 });
    expect(toUserAnswer).toMatchObject({ pushed: 1, offline: [] });
    await delivered([member], ['lost-0', 'lost-1']);
    await delivered([private_], [toUserAnswer.msgId]);
    await drained(member, private_);
    expect(received(member).map((b) => b.msgId)).toEqual(['lost-0', 'lost-1']);
    expect(received(private_).map((b) => b.msgId)).toEqual([toUserAnswer.msgId]);
  });

  it('a node that does not answer is named in failedNodes; a live one delivers; a gone one is skipped quietly', async () => {
    // A hung node: accepts RPC connections, never answers. A gone node: registered and bound, nothing listening.
    const sockets: import('node:net').Socket[] = [];
    const hung: Server = createServer((s) => void sockets.push(s.on('error', () => undefined)));
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    const gone = createServer();
    await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
    const gonePort = (gone.address() as { port: number }).port;
    await new Promise((r) => gone.close(r));
    const keys = new ImRedisKeys(redis.prefix);
    const room = (nextUser += 1);
    const live = await connect(urlA, (nextUser += 1), room);
    const until = Date.now() + 60_000;
    for (const [nodeId, port] of [
      ['it-node-hung', (hung.address() as { port: number }).port],
      ['it-node-gone', gonePort],
    ] as const) {
      const info = {
        nodeId,
        wsUrl: 'ws://127.0.0.1:1/ws',
        rpcHost: '127.0.0.1',
        rpcPort: port,
        heartbeatAt: Date.now(),
      };
      await redis.redis.hset(keys.nodeRegistry(), nodeId, JSON.stringify(info));
      await redis.redis.zadd(keys.roomNodes(room), until, nodeId);
      await redis.redis.zadd(keys.userNode(live.userId), until, nodeId);
    }
    try {
      const [answer] = (
        await rpc.sendToRooms([{ msgId: 'fail-1', roomId: room, bizCode: ImBizCode.GIFT_SUCCESS, data: anyData({}) }])
      ).results;
      expect(answer).toEqual({ msgId: 'fail-1', pushed: 1, offline: [], failedNodes: ['it-node-hung'] });
      const direct = await toUser(live.userId, { direct: true });
      expect(direct).toMatchObject({ pushed: 1, offline: [], failedNodes: ['it-node-hung'] });
      await delivered([live], ['fail-1', direct.msgId]);
      await drained(live);
      expect(received(live).map((b) => b.msgId)).toEqual(['fail-1', direct.msgId]);
      // Without the hung node the answer names no failure.
      await redis.redis.zrem(keys.roomNodes(room), 'it-node-hung');
      const [clean] = (
        await rpc.sendToRooms([{ msgId: 'fail-2', roomId: room, bizCode: ImBizCode.GIFT_SUCCESS, data: anyData({}) }])
      ).results;
      expect(clean).toEqual({ msgId: 'fail-2', pushed: 1, offline: [] });
    } finally {
      await redis.redis.hdel(keys.nodeRegistry(), 'it-node-hung', 'it-node-gone');
      for (const s of sockets) s.destroy();
      await new Promise((r) => hung.close(r));
    }
  });
});
