import { ImBizCode, ImFrameCode } from '@live/contracts';
import { ConnectionRegistry } from '../apps/im-core/src/connection/connection-registry';
import { ImTestClient } from './support/im-client';
import { HttpClient } from './support/http-client';
import { startTestStack, TestStack } from './support/test-stack';
import { loginNewUser, rechargeCoins, startLiving } from './support/test-users';
import { waitFor } from './support/wait-for';

describe('batch frames on the real stack: a burst of gifts to one room', () => {
  let stack: TestStack;
  let http: HttpClient;
  const sockets: ImTestClient[] = [];

  async function socket(client: HttpClient, roomId: number, batch: boolean): Promise<ImTestClient> {
    const { body } = await client.post('/im/getImConfig');
    expect(body.code).toBe(200);
    const ws = (await ImTestClient.connect(stack.wsUrl!, body.data.token, roomId, 10_000, batch)).startHeartbeat(5_000);
    sockets.push(ws);
    return ws;
  }

  beforeAll(async () => {
    stack = await startTestStack({ realIm: true });
    http = new HttpClient(stack.baseUrl);
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    await stack?.close();
  });

  it('a batching viewer and a single-message viewer in the same room both get every effect exactly once', async () => {
    const anchor = await loginNewUser(http);
    const room = await startLiving(anchor.client);
    const sender = await loginNewUser(http);
    await rechargeCoins(sender.client, 300);
    const batching = await socket((await loginNewUser(http)).client, room, true);
    const single = await socket((await loginNewUser(http)).client, room, false);
    const senderWs = await socket(sender.client, room, true);

    // 80 roses at once (under the 100-per-second send limit): settled in a few consumer batches.
    const answers = await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        sender.client.post(
          '/gift/send',
          { giftId: 1, roomId: room, receiverId: anchor.userId },
          { 'idempotency-key': `batch-${room}-${i}` },
        ),
      ),
    );
    expect(answers.map((a) => a.body.code)).toEqual(answers.map(() => 200));
    const accepted = answers.map((a) => a.body.data.requestId).sort();

    const effects = (c: ImTestClient) => c.business(ImBizCode.GIFT_SUCCESS).map((m) => m.msgId);
    await waitFor(
      'every effect on the three sockets',
      () => [batching, single, senderWs].every((c) => new Set(effects(c)).size === accepted.length),
      30_000,
    );
    const registry = stack.imCore!.get(ConnectionRegistry);
    const pending = (c: ImTestClient) => [...registry.ofUser(c.userId)].reduce((n, x) => n + x.pending.size, 0);
    await waitFor('every ack taken', () => [batching, single, senderWs].every((c) => pending(c) === 0), 10_000);

    for (const c of [batching, single, senderWs]) {
      expect(effects(c).sort()).toEqual(accepted); // each exactly once
      expect(c.frames.filter((f) => f.code === 0)).toEqual([]);
    }
    for (const c of [batching, senderWs]) {
      expect(c.frames.filter((f) => f.code === ImFrameCode.BIZ)).toEqual([]);
    }
    expect(single.batches()).toEqual([]);
    expect(single.frames.filter((f) => f.code === ImFrameCode.BIZ)).toHaveLength(accepted.length);
    expect(senderWs.business(ImBizCode.GIFT_FAIL)).toEqual([]);
  });
});
