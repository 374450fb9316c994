import { IM_MAGIC, ImBizCode, ImFrameCode, ImMsgBody } from '@live/contracts';
import WebSocket from 'ws';
import { ConnectionRegistry } from '../apps/im-core/src/connection/connection-registry';
import { HttpClient } from './support/http-client';
import { startTestStack, TestStack } from './support/test-stack';
import { loginNewUser, rechargeCoins, startLiving } from './support/test-users';
import { waitFor } from './support/wait-for';

interface Frame {
  code: number;
  body?: Record<string, unknown>;
}

/**
 * A client of the original protocol, written with `ws` alone: it acks every 1003 with a 1005 whose body is
 * a whole ImMsgBody (`{ msgId, appId, userId, bizCode, data }`): its own userId, or (echo) the body as received.
 */
class OriginalClient {
  readonly frames: Frame[] = [];
  closeCode: number | null = null;
  private beat: NodeJS.Timeout | undefined;

  private constructor(
    readonly ws: WebSocket,
    private readonly ackAs: 'own-user' | 'echo',
  ) {
    ws.on('close', (code) => ((this.closeCode = code), clearInterval(this.beat)));
    ws.on('message', (raw: Buffer) => {
      const f = JSON.parse(raw.toString()) as Frame;
      this.frames.push(f);
      if (f.code !== ImFrameCode.BIZ || !f.body) return;
      const b = f.body as unknown as ImMsgBody;
      const body = {
        msgId: b.msgId,
        appId: b.appId,
        userId: this.ackAs === 'echo' ? b.userId : this.userId,
        bizCode: b.bizCode,
        data: b.data,
      };
      ws.send(
        JSON.stringify({ magic: IM_MAGIC, code: ImFrameCode.ACK, len: Buffer.byteLength(JSON.stringify(body)), body }),
      );
    });
  }

  static async open(url: string, token: string, roomId: number, ackAs: 'own-user' | 'echo'): Promise<OriginalClient> {
    const client = new OriginalClient(new WebSocket(`${url}?token=${token}&roomId=${roomId}`), ackAs);
    await waitFor(
      'the login answer',
      () => client.frames.some((f) => f.code === ImFrameCode.LOGIN) || client.closeCode !== null,
      10_000,
    );
    // A refused login is answered with an error 1001, then closed: the close may come a moment after the answer
    // (CI, 2026-12-02: the answer was read first and the refused socket taken for a logged-in one).
    const answer = client.frames.find((f) => f.code === ImFrameCode.LOGIN)?.body as { error?: unknown } | undefined;
    if (answer?.error !== undefined) await waitFor('the refused login closed', () => client.closeCode !== null, 10_000);
    if (client.closeCode !== null) throw new Error(`login refused, closed ${client.closeCode}`);
    client.beat = setInterval(
      () => client.ws.send(JSON.stringify({ magic: IM_MAGIC, code: ImFrameCode.HEARTBEAT, len: 0 })),
      5_000,
    );
    return client;
  }

  get userId(): number {
    return Number(this.frames.find((f) => f.code === ImFrameCode.LOGIN)?.body?.userId);
  }

  /** msgId -> how many times it arrived with this bizCode. */
  received(bizCode: ImBizCode): Map<string, number> {
    const seen = new Map<string, number>();
    for (const f of this.frames) {
      const b = f.body as unknown as ImMsgBody | undefined;
      if (f.code === ImFrameCode.BIZ && b?.bizCode === bizCode) seen.set(b.msgId, (seen.get(b.msgId) ?? 0) + 1);
    }
    return seen;
  }

  close(): void {
    clearInterval(this.beat);
    this.ws.close();
  }
}

describe('IM acks of the original clients (issue 14): 100 gifts and 20 failures on the real stack', () => {
  let stack: TestStack;
  let http: HttpClient;
  const sockets: OriginalClient[] = [];
  const login = () => loginNewUser(http);
  const recharge = rechargeCoins;

  async function imToken(client: HttpClient): Promise<string> {
    const { body } = await client.post('/im/getImConfig');
    expect(body.code).toBe(200);
    return body.data.token;
  }

  beforeAll(async () => {
    stack = await startTestStack({ realIm: true });
    http = new HttpClient(stack.baseUrl);
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    await stack?.close();
  });

  it('a client acking with whole ImMsgBody bodies stays connected and gets every 5556 and 5557 for it exactly once', async () => {
    const anchor = await login();
    const room = await startLiving(anchor.client);
    const sender = await login();
    const watcher = await login();
    await recharge(sender.client, 300);
    const senderWs = await OriginalClient.open(stack.wsUrl!, await imToken(sender.client), room, 'own-user');
    const watcherWs = await OriginalClient.open(stack.wsUrl!, await imToken(watcher.client), room, 'echo');
    sockets.push(senderWs, watcherWs);

    const charged = new Set<string>();
    const failed = new Set<string>();
    let seq = 0;
    /** n gifts at once; waits for the sender's outcome of every accepted one. */
    const wave = async (giftId: number, n: number): Promise<number> => {
      const send = (key: string) =>
        sender.client.post(
          '/gift/send',
          { giftId, roomId: room, receiverId: anchor.userId },
          { 'idempotency-key': key },
        );
      const sendAll = (keys: string[]) => Promise.all(keys.map(async (key) => ({ key, answer: await send(key) })));
      let round = await sendAll(Array.from({ length: n }, () => `ack-${(seq += 1)}`));
      const answers = round.filter((r) => r.answer.status !== 429).map((r) => r.answer);
      // The send limit is 100 per second per user, counted in the server's window: a wave that meets it sends its
      // refused gifts again once the window is over (a 429 releases its key; a few times at most).
      for (let retry = 0; retry < 5 && round.some((r) => r.answer.status === 429); retry++) {
        await new Promise((r) => setTimeout(r, 1_100));
        const limited = round.filter((r) => r.answer.status === 429).map((r) => r.key);
        round = await sendAll(limited);
        answers.push(...round.filter((r) => r.answer.status !== 429).map((r) => r.answer));
      }
      answers.push(...round.filter((r) => r.answer.status === 429).map((r) => r.answer)); // still refused: named below
      const accepted = answers.filter((a) => a.body.code === 200).map((a) => a.body.data.requestId);
      await waitFor(
        'an outcome of every accepted gift on the sender socket',
        () =>
          accepted.every(
            (id) => senderWs.received(ImBizCode.GIFT_SUCCESS).has(id) || senderWs.received(ImBizCode.GIFT_FAIL).has(id),
          ),
        30_000,
      );
      for (const id of accepted) (senderWs.received(ImBizCode.GIFT_SUCCESS).has(id) ? charged : failed).add(id);
      expect(answers.filter((a) => a.body.code !== 200 && a.status !== 402)).toEqual([]);
      return accepted.length;
    };

    // 100 roses (price 1) in waves under the 100-per-second send limit.
    while (charged.size < 100) await wave(1, Math.min(25, 100 - charged.size));
    // Then rockets (199) fired together past the balance: the cached pre-check lets them in, settlement
    // charges what the balance covers and refuses the rest (5557, to the sender only).
    for (let round = 0; failed.size < 20 && round < 15; round++) {
      await wave(5, 12);
      if (failed.size < 20) await recharge(sender.client, 300);
    }
    expect(charged.size).toBeGreaterThanOrEqual(100);
    expect(failed.size).toBeGreaterThanOrEqual(20);

    // Every effect arrived, then every ack was taken: nothing is left to resend on the node, so nothing will
    // arrive twice (in that order: an effect still on its way would be pending after the acks were counted).
    await waitFor(
      'the effects on both clients and the failures on the sender',
      () =>
        [senderWs, watcherWs].every((c) => [...charged].every((id) => c.received(ImBizCode.GIFT_SUCCESS).has(id))) &&
        [...failed].every((id) => senderWs.received(ImBizCode.GIFT_FAIL).has(id)),
      10_000,
    );
    const registry = stack.imCore!.get(ConnectionRegistry);
    const pending = (userId: number) => [...registry.ofUser(userId)].reduce((n, c) => n + c.pending.size, 0);
    await waitFor(
      'the acks of both clients',
      () => pending(sender.userId) === 0 && pending(watcher.userId) === 0,
      10_000,
    );

    for (const client of [senderWs, watcherWs]) {
      expect(client.closeCode).toBeNull();
      expect(client.ws.readyState).toBe(WebSocket.OPEN);
      expect(client.frames.filter((f) => f.code === 0)).toEqual([]); // no error frame for any ack
      const effects = client.received(ImBizCode.GIFT_SUCCESS);
      expect([...effects.keys()].sort()).toEqual([...charged].sort());
      expect([...effects.values()].every((n) => n === 1)).toBe(true);
    }
    const failures = senderWs.received(ImBizCode.GIFT_FAIL);
    expect([...failures.keys()].sort()).toEqual([...failed].sort());
    expect([...failures.values()].every((n) => n === 1)).toBe(true);
    expect(watcherWs.received(ImBizCode.GIFT_FAIL).size).toBe(0);
  });

  it('an IM token logs in once: the same token on a second socket is refused with 4401', async () => {
    const user = await login();
    const room = await startLiving((await login()).client);
    const token = await imToken(user.client);
    sockets.push(await OriginalClient.open(stack.wsUrl!, token, room, 'own-user'));
    await expect(OriginalClient.open(stack.wsUrl!, token, room, 'own-user')).rejects.toThrow(/closed 4401/);
  });

  it('/im/getImConfig is rate-limited per user: 30 a minute, then 429 with code -10001', async () => {
    const user = await login();
    const answers = await Promise.all(Array.from({ length: 35 }, () => user.client.post('/im/getImConfig')));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(30);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused).toHaveLength(5);
    expect(refused[0].body).toEqual({ code: -10001, msg: 'too many IM tokens requested, wait a minute', data: null });
    // Another user is not affected.
    expect((await (await login()).client.post('/im/getImConfig')).status).toBe(200);
  });
});
