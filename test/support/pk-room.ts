import { ImBizCode, PkEndedData, PkOnlineData, PkProgressData, SendGiftMq, SendGiftType } from '@live/contracts';
import { SEED_GIFTS } from '@live/database';
import { Producer } from 'kafkajs';
import { HttpClient } from './http-client';
import { ImTestClient } from './im-client';
import { signedAsGateway } from './signed-gift';
import { startTestStack, TestStack } from './test-stack';
import { loginNewUser, waitForImNode } from './test-users';
import { waitFor } from './wait-for';

/** The bar's rule (README "PK battles") with the defaults: min(10, ceil(amount / 10)) points. */
export const pkStep = (amount: number): number => Math.min(10, Math.ceil(amount / 10));

/** What the specs of PK battles share: users, a PK room, sockets, sends, the ledger and the records. */
export class PkRoomKit {
  readonly sockets: ImTestClient[] = [];

  constructor(
    private readonly stack: TestStack,
    readonly http: HttpClient,
    private readonly producer: Producer,
  ) {}

  sql<T = Record<string, string>>(query: string, params: unknown[] = []): Promise<T[]> {
    return this.stack.db.dataSource.query(query, params);
  }

  /** An anchor's living room of `type` (1: PK). */
  async room(type: 0 | 1 = 1): Promise<{ anchor: { client: HttpClient; userId: number }; roomId: number }> {
    const anchor = await loginNewUser(this.http);
    const res = await anchor.client.post('/living/startingLiving', { type });
    if (res.body.code !== 200) throw new Error(`startingLiving failed: ${res.body.code} ${res.body.msg}`);
    return { anchor, roomId: res.body.data.roomId };
  }

  /** A socket of the client's user in the room (heartbeating). */
  async openIm(client: HttpClient, roomId: number): Promise<ImTestClient> {
    const { body } = await client.post('/im/getImConfig');
    const socket = await ImTestClient.connect(body.data.wsImServerAddress, body.data.token, roomId);
    this.sockets.push(socket.startHeartbeat(5_000));
    return socket;
  }

  /** The distinct 5558s the socket received (by msgId), ordered by seq. */
  progress(ws: ImTestClient, pkId: string): PkProgressData[] {
    const seen = new Map<string, PkProgressData>();
    for (const b of ws.business(ImBizCode.PK_PROGRESS)) {
      const data = b.data as unknown as PkProgressData;
      if (data.pkId === pkId) seen.set(b.msgId, data);
    }
    return [...seen.values()].sort((a, b) => a.seq - b.seq);
  }

  seats(ws: ImTestClient, pkId: string): PkOnlineData[] {
    return ws
      .business(ImBizCode.PK_ONLINE)
      .map((b) => b.data as unknown as PkOnlineData)
      .filter((d) => d.pkId === pkId);
  }

  ends(ws: ImTestClient, pkId: string): PkEndedData[] {
    return ws
      .business(ImBizCode.PK_ENDED)
      .map((b) => b.data as unknown as PkEndedData)
      .filter((d) => d.pkId === pkId);
  }

  async waitForEnd(ws: ImTestClient, pkId: string): Promise<PkEndedData> {
    await waitFor(`the 5561 of ${pkId}`, () => this.ends(ws, pkId).length > 0);
    return this.ends(ws, pkId)[0];
  }

  private observer: HttpClient | undefined;

  /** /living/pkState, as a logged-in user of its own (every route but login needs one). */
  async state(roomId: number) {
    this.observer ??= (await loginNewUser(this.http)).client;
    const { body } = await this.observer.post('/living/pkState', { roomId });
    if (body.code !== 200) throw new Error(`pkState failed: ${body.code} ${body.msg}`);
    return body.data;
  }

  /** A gift by HTTP with an Idempotency-Key (its request id is known before the answer: `<userId>:<key>`). */
  async send(
    sender: { client: HttpClient; userId: number },
    roomId: number,
    receiverId: number,
    [giftId]: [number, string, number],
    key: string,
  ): Promise<{ requestId: string; status: number; code: number }> {
    const res = await sender.client.post('/gift/send', { giftId, roomId, receiverId }, { 'idempotency-key': key });
    return { requestId: `${sender.userId}:${key}`, status: res.status, code: res.body.code };
  }

  /** The gift signed as the gateway signs it, straight to Kafka: a redelivery of the same request id. */
  async produce(messages: SendGiftMq[]): Promise<void> {
    await this.producer.send({
      topic: `${this.stack.topicPrefix}send_gift`,
      messages: messages.map((m) => ({ key: String(m.userId), value: JSON.stringify(m) })),
    });
  }

  signed(
    senderId: number,
    roomId: number,
    receiverId: number,
    [giftId, giftName, price]: [number, string, number],
    requestId: string,
    pkId?: string,
  ): SendGiftMq {
    return signedAsGateway({
      userId: senderId,
      giftId,
      giftName,
      price,
      receiverId,
      roomId,
      url: 'https://cdn.example/g.svga',
      requestId,
      type: pkId === undefined ? SendGiftType.DEFAULT : SendGiftType.PK,
      sendTime: Date.now(),
      ...(pkId === undefined ? {} : { pkId }),
    });
  }

  /** Waits until the ledger decided every request id (the sender's debit row: charged, or refused with num 0). */
  async waitDecided(requestIds: string[]): Promise<Map<string, number>> {
    let rows: { request_id: string; num: string }[] = [];
    await waitFor(`${requestIds.length} gifts decided`, async () => {
      rows = await this.sql(
        'SELECT request_id, num FROM t_qiyu_currency_trade WHERE direction = 1 AND request_id IN (?)',
        [requestIds],
      );
      return rows.length === requestIds.length;
    });
    return new Map(rows.map((r) => [r.request_id, Number(r.num)]));
  }

  async records(requestIds: string[]) {
    return this.sql<{
      request_id: string;
      receiver_id: string;
      price: string;
      count: string;
      pk_id: string | null;
      pk_step: string;
    }>('SELECT request_id, receiver_id, price, count, pk_id, pk_step FROM t_gift_record WHERE request_id IN (?)', [
      requestIds,
    ]);
  }

  close(): void {
    for (const s of this.sockets) s.close();
  }
}

export const HEART = SEED_GIFTS[1];
export const APPLAUSE = SEED_GIFTS[2];
export const CROWN = SEED_GIFTS[3];
export const ROCKET = SEED_GIFTS[4];

/** A stack with the real IM layer (env: on top of the defaults), its kit, and what closes both. */
export async function startPkStack(env: Record<string, string> = {}) {
  const stack = await startTestStack({ realIm: true, env });
  const http = new HttpClient(stack.baseUrl);
  const producer = stack.kafka.kafka.producer();
  await producer.connect();
  const kit = new PkRoomKit(stack, http, producer);
  await waitForImNode(http, stack.wsUrl);
  const close = async (): Promise<void> => {
    kit.close();
    await producer.disconnect();
    await stack.close();
  };
  return { stack, http, kit, close };
}
