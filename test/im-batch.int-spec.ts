import { createRpcClient, ImRouterClient, startApp } from '@live/common';
import { GiftEffectData, ImBizCode, ImFrameCode } from '@live/contracts';
import { GatewayRedisKeys } from '@live/redis';
import { createTestRedis, TestRedis } from '@live/testing';
import { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { ConnectionRegistry } from '../apps/im-core/src/connection/connection-registry';
import { ImCoreModule } from '../apps/im-core/src/im-core.module';
import { ImRouterModule } from '../apps/im-router/src/im-router.module';
import { CLOSE_BAD_FRAMES } from '../apps/im-core/src/ws/im-close';
import { ImTestClient } from './support/im-client';
import { portBlock } from './support/test-stack';
import { waitFor } from './support/wait-for';

const RESEND_INTERVAL_MS = 200;
const RESEND_MAX = 2;
const MAX_BATCH = 4;

/**
 * Batch frames (1006) on one im-core node behind im-router, real Redis, plain `ws` clients: a client that
 * logs in with `batch=1` gets a tick's messages in frames of at most IM_MAX_BATCH_MESSAGES, acks each
 * frame once, and is resent an unacked frame as a single-message client is resent a message.
 */
describe('im-core batch frames (1006) with plain ws clients', () => {
  const [ws, rpcPort, routerHttp, routerRpc] = portBlock();
  const url = `ws://127.0.0.1:${ws}/ws`;
  let redis: TestRedis;
  let node: INestApplication;
  let router: INestApplication;
  let rpc: ImRouterClient;
  const clients: ImTestClient[] = [];
  let nextUser = 80_000 + Math.floor(Math.random() * 10_000);

  async function tokenFor(userId: number): Promise<string> {
    const token = randomBytes(24).toString('base64url');
    await redis.redis.set(new GatewayRedisKeys(redis.prefix).imToken(token), String(userId), 'EX', 60);
    return token;
  }

  async function connect(roomId: number, batch: boolean, userId = (nextUser += 1)): Promise<ImTestClient> {
    const client = (await ImTestClient.connect(url, await tokenFor(userId), roomId, 5_000, batch)).startHeartbeat(250);
    clients.push(client);
    return client;
  }

  const effect = (n: number) => ({ n }) as unknown as GiftEffectData;
  const message = (roomId: number, msgId: string, excludeUserIds?: number[]) => ({
    msgId,
    roomId,
    bizCode: ImBizCode.GIFT_SUCCESS,
    data: effect(Number(msgId.split('-').pop())),
    ...(excludeUserIds ? { excludeUserIds } : {}),
  });
  const pendingOf = (client: ImTestClient) =>
    [...node.get(ConnectionRegistry).ofUser(client.userId)].flatMap((c) => [...c.pending.keys()]);
  const errors = (client: ImTestClient) => client.frames.filter((f) => f.code === 0).map((f) => f.body?.error);
  /** A heartbeat answered: every frame sent before it was handled. */
  const roundTrip = async (client: ImTestClient) => {
    const beats = client.frames.filter((f) => f.code === ImFrameCode.HEARTBEAT).length;
    client.send(ImFrameCode.HEARTBEAT);
    await waitFor(
      'the heartbeat answer',
      () => client.frames.filter((f) => f.code === ImFrameCode.HEARTBEAT).length > beats,
      5_000,
    );
  };

  beforeAll(async () => {
    redis = await createTestRedis();
    Object.assign(process.env, {
      REDIS_KEY_PREFIX: redis.prefix,
      LOG_LEVEL: 'warn',
      IM_HEARTBEAT_TIMEOUT_MS: '2000',
      IM_RESEND_INTERVAL_MS: String(RESEND_INTERVAL_MS),
      IM_RESEND_MAX: String(RESEND_MAX),
      IM_MAX_BATCH_MESSAGES: String(MAX_BATCH),
      IM_CORE_ADVERTISED_HOST: '127.0.0.1',
      IM_CORE_NODE_ID: 'batch-node',
      IM_CORE_WS_PORT: String(ws),
      IM_CORE_RPC_PORT: String(rpcPort),
    });
    node = await startApp({
      app: 'im-core',
      module: ImCoreModule,
      http: { host: '127.0.0.1', port: ws },
      rpc: { host: '127.0.0.1', port: rpcPort },
    });
    router = await startApp({
      app: 'im-router',
      module: ImRouterModule,
      http: { host: '127.0.0.1', port: routerHttp },
      rpc: { host: '127.0.0.1', port: routerRpc },
    });
    rpc = new ImRouterClient(createRpcClient('im-batch-it', { host: '127.0.0.1', port: routerRpc }));
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await rpc?.close();
    await router?.close();
    await node?.close();
    await redis?.cleanup();
  });

  it('one call of messages to a room: a batching client gets them in order in frames of at most 4, a single-message client one 1003 each; one ack per frame clears the resend', async () => {
    const room = (nextUser += 1);
    const batching = await connect(room, true);
    const single = await connect(room, false);
    expect(batching.frames.find((f) => f.code === ImFrameCode.LOGIN)?.body).toMatchObject({ batch: 1 });
    expect(single.frames.find((f) => f.code === ImFrameCode.LOGIN)?.body).toMatchObject({ batch: 0 });

    const ids = Array.from({ length: 10 }, (_, i) => `burst-${room}-${i}`);
    const res = await rpc.sendToRooms(ids.map((id) => message(room, id)));
    expect(res.results.map((r) => r.pushed)).toEqual(ids.map(() => 2));
    await waitFor('every message on both', () => batching.business().length === 10 && single.business().length === 10);

    const frames = batching.batches();
    expect(frames.map((f) => f.msgs.length)).toEqual([4, 4, 2]);
    expect(new Set(frames.map((f) => f.frameId)).size).toBe(3);
    expect(batching.business().map((b) => b.msgId)).toEqual(ids);
    expect(batching.frames.filter((f) => f.code === ImFrameCode.BIZ)).toEqual([]);
    expect(batching.business()[0]).toMatchObject({ appId: 10001, userId: 0, bizCode: 5556, data: { n: 0 } });
    expect(single.business().map((b) => b.msgId)).toEqual(ids);
    expect(single.batches()).toEqual([]);

    // Three acks (one per frame) leave nothing to resend: two resend intervals later, nothing came again.
    await waitFor(
      'the acks of the batch frames',
      () => pendingOf(batching).length === 0 && pendingOf(single).length === 0,
    );
    await new Promise((r) => setTimeout(r, RESEND_INTERVAL_MS * 3));
    await roundTrip(batching);
    expect(batching.batches()).toHaveLength(3);
    expect(single.business()).toHaveLength(10);
    expect(errors(batching)).toEqual([]);
  });

  it('an unacked frame is resent whole, with its frameId, IM_RESEND_MAX times, then given up', async () => {
    const room = (nextUser += 1);
    const lazy = await connect(room, true);
    lazy.autoAck = false;
    await rpc.sendToRooms([message(room, `lazy-${room}-1`), message(room, `lazy-${room}-2`)]);
    await waitFor('the first delivery and two resends', () => lazy.batches().length >= 1 + RESEND_MAX);
    await waitFor('the frame given up', () => pendingOf(lazy).length === 0);
    await new Promise((r) => setTimeout(r, RESEND_INTERVAL_MS * 2));
    const frames = lazy.batches();
    expect(frames).toHaveLength(1 + RESEND_MAX);
    expect(new Set(frames.map((f) => f.frameId)).size).toBe(1);
    for (const f of frames) expect(f.msgs.map((m) => m.msgId)).toEqual([`lazy-${room}-1`, `lazy-${room}-2`]);
  });

  it('a frame acked after its first resend is not resent again; the same msgId pushed twice is written once', async () => {
    const room = (nextUser += 1);
    const late = await connect(room, true);
    late.autoAck = false;
    await rpc.sendToRooms([message(room, `late-${room}-1`), message(room, `late-${room}-1`)]);
    await waitFor('the first resend', () => late.batches().length === 2);
    late.send(ImFrameCode.ACK, { frameId: late.batches()[0].frameId });
    await waitFor('the ack', () => pendingOf(late).length === 0);
    await new Promise((r) => setTimeout(r, RESEND_INTERVAL_MS * 3));
    await roundTrip(late);
    expect(late.batches().map((f) => f.msgs.length)).toEqual([1, 1]);
  });

  it('several frames acked in one 1005 { frameIds }: none resent after it; ids not pending ignored; a foreign userId acks none; an empty list is a bad frame', async () => {
    const room = (nextUser += 1);
    const client = await connect(room, true);
    client.autoAck = false;
    for (let i = 1; i <= 3; i++) {
      await rpc.sendToRoom(message(room, `many-${room}-${i}`));
      await waitFor(`frame ${i}`, () => new Set(client.batches().map((f) => f.frameId)).size === i);
    }
    const ids = [...new Set(client.batches().map((f) => f.frameId))];
    client.send(ImFrameCode.ACK, { frameIds: ids, userId: client.userId + 1 });
    await roundTrip(client);
    expect(errors(client)).toEqual([
      `ack of frames ${ids.join(',')} ignored: its userId is not this connection's user`,
    ]);
    expect(pendingOf(client).sort()).toEqual(ids.map((id) => `#${id}`).sort());

    // As a client writes it ({ frameIds } alone: the parser's fast path), an id not pending among them.
    client.send(ImFrameCode.ACK, { frameIds: [999_999_999, ...ids] });
    await waitFor('the three frames acked', () => pendingOf(client).length === 0);
    const written = client.batches().length;
    await new Promise((r) => setTimeout(r, RESEND_INTERVAL_MS * 3));
    client.send(ImFrameCode.ACK, { frameIds: [] });
    await roundTrip(client);
    expect(client.batches()).toHaveLength(written);
    expect(errors(client).slice(1)).toEqual([
      'ack body: frameIds must be 1-64 positive integers (frameIds of 1006 frames)',
    ]);
  });

  it('exclusions and private messages: each socket gets exactly its own messages, in frames shared where they are the same', async () => {
    const room = (nextUser += 1);
    const [a, b, c] = [await connect(room, true), await connect(room, true), await connect(room, true)];
    const single = await connect(room, false);
    await rpc.sendToRooms([
      message(room, `mix-${room}-1`),
      message(room, `mix-${room}-2`, [b.userId, single.userId]),
      message(room, `mix-${room}-3`),
    ]);
    await rpc.sendToUser({ userId: c.userId, bizCode: ImBizCode.GIFT_FAIL, data: { requestId: 'x', msg: 'no' } });
    await waitFor('every delivery', () => a.business().length === 3 && b.business().length === 2);
    await waitFor('the private message', () => c.business().length === 4 && single.business().length === 2);
    await roundTrip(a);
    expect(a.business().map((m) => m.msgId)).toEqual([`mix-${room}-1`, `mix-${room}-2`, `mix-${room}-3`]);
    expect(b.business().map((m) => m.msgId)).toEqual([`mix-${room}-1`, `mix-${room}-3`]);
    expect(single.business().map((m) => m.msgId)).toEqual([`mix-${room}-1`, `mix-${room}-3`]);
    expect(c.business(ImBizCode.GIFT_FAIL)).toHaveLength(1);
    expect(c.business(ImBizCode.GIFT_FAIL)[0].userId).toBe(c.userId);
    expect(a.business(ImBizCode.GIFT_FAIL)).toEqual([]);
    expect(b.business(ImBizCode.GIFT_FAIL)).toEqual([]);
    await waitFor('every ack', () => [a, b, c, single].every((x) => pendingOf(x).length === 0));
  });

  it('bad acks of frames: an invalid frameId is a bad frame (20 close 4400), a foreign userId an error that acks nothing, an unknown frameId is ignored', async () => {
    const room = (nextUser += 1);
    const client = await connect(room, true);
    client.autoAck = false;
    client.stopHeartbeat();
    await rpc.sendToRoom(message(room, `bad-${room}-1`));
    await waitFor('the frame', () => client.batches().length === 1);
    const frameId = client.batches()[0].frameId;

    client.send(ImFrameCode.ACK, { frameId, userId: client.userId + 1 });
    for (let i = 0; i < 25; i++) client.send(ImFrameCode.ACK, { frameId: 999_999_000 + i });
    await roundTrip(client);
    expect(errors(client)).toEqual([`ack of frame ${frameId} ignored: its userId is not this connection's user`]);
    expect(pendingOf(client)).toEqual([`#${frameId}`]);

    client.send(ImFrameCode.ACK, { frameId, userId: 0 });
    await roundTrip(client);
    expect(pendingOf(client)).toEqual([]);

    client.send(ImFrameCode.ACK, { frameId: 1, msgId: 'm' });
    client.send(ImFrameCode.ACK, { frameId: -3 });
    await roundTrip(client);
    expect(errors(client).slice(1)).toEqual([
      'ack body: a msgId or a frameId, not both',
      'ack body: frameId must be a positive integer (the frameId of a 1006)',
    ]);
    const closed = client.closed();
    for (let i = 0; i < 18; i++) client.send(ImFrameCode.ACK, { frameId: 'x' });
    expect(await closed).toBe(CLOSE_BAD_FRAMES);
  });

  it('the announcement: batch=2 on the URL is an error and no login (the token stays good for a 1001); a 1001 with batch 1 turns it on, a bad batch is a bad login body', async () => {
    const room = (nextUser += 1);
    const userId = (nextUser += 1);
    const token = await tokenFor(userId);
    const raw = new WebSocket(`${url}?token=${token}&roomId=${room}&batch=2`);
    const frames: { code: number; body?: Record<string, unknown> }[] = [];
    raw.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString()) as (typeof frames)[number]));
    const send = (code: number, body: object) =>
      raw.send(JSON.stringify({ magic: 18673, code, len: Buffer.byteLength(JSON.stringify(body)), body }));
    await waitFor('the error answer', () => frames.length === 1);
    expect(frames[0]).toMatchObject({ code: 0, body: { error: 'login URL: batch must be 0 or 1' } });

    send(ImFrameCode.LOGIN, { token, roomId: room, batch: 'yes' });
    await waitFor('the second error', () => frames.length === 2);
    expect(frames[1]).toMatchObject({ code: 0, body: { error: expect.stringMatching(/^login body: batch/) } });

    send(ImFrameCode.LOGIN, { token, roomId: room, batch: 1 });
    await waitFor('the login answer', () => frames.some((f) => f.code === ImFrameCode.LOGIN));
    expect(frames.find((f) => f.code === ImFrameCode.LOGIN)?.body).toEqual({
      userId,
      roomId: room,
      nodeId: 'batch-node',
      batch: 1,
    });
    await rpc.sendToRoom(message(room, `ann-${room}-1`));
    await waitFor('the frame', () => frames.some((f) => f.code === ImFrameCode.BATCH));
    // A later 1001 (switching room or not) with batch 0 turns it off.
    send(ImFrameCode.LOGIN, { token, roomId: room, batch: 0 });
    await waitFor('the second login answer', () => frames.filter((f) => f.code === ImFrameCode.LOGIN).length === 2);
    await rpc.sendToRoom(message(room, `ann-${room}-2`));
    await waitFor('the single frame', () => frames.some((f) => f.code === ImFrameCode.BIZ));
    raw.close();
  });
});
