import { createRpcClient, GiftClient } from '@live/common';
import { GiftHistoryByRoomRequest, GiftHistoryByUserRequest } from '@live/contracts';
import { SEED_GIFTS } from '@live/database';
import { giftHistorySql, GiftHistoryScope } from '../apps/gift-service/src/gift-history/gift-history.service';
import { ApiData, HttpClient } from './support/http-client';
import { startTestStack, TestStack } from './support/test-stack';
import { loginNewUser, rechargeCoins, startLiving } from './support/test-users';
import { waitFor } from './support/wait-for';

type HistoryPath = '/gift/history/sent' | '/gift/history/received' | '/gift/history/room';
type HistoryPage = ApiData<'/gift/history/sent'>;

/**
 * Issue 19, gift history: /gift/history/sent, /received and /room over plain HTTP against the real stack
 * (MariaDB, Redis, Kafka, gift-service's consumer settling through bank-service). Keyset pages walk every
 * row exactly once while gifts keep arriving; each user sees their own sent and received gifts, a room's
 * anchor (and an admin) its room's; bad cursors and limits are refused and change nothing.
 */
describe('gift history (keyset paged, per user and per room)', () => {
  let stack: TestStack;
  let http: HttpClient;
  const adminPhone = `137${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  const [roseId, roseName, rosePrice] = SEED_GIFTS[0];
  const [heartId, heartName, heartPrice] = SEED_GIFTS[1];
  let keySeq = 0;

  beforeAll(async () => {
    stack = await startTestStack({ env: { GATEWAY_ADMIN_PHONES: adminPhone } });
    http = new HttpClient(stack.baseUrl);
  });

  afterAll(async () => {
    await stack?.close();
  });

  async function openRoom(): Promise<{ client: HttpClient; anchorId: number; roomId: number }> {
    const anchor = await loginNewUser(http);
    return { client: anchor.client, anchorId: anchor.userId, roomId: await startLiving(anchor.client) };
  }

  async function richViewer(): Promise<{ client: HttpClient; userId: number }> {
    const viewer = await loginNewUser(http);
    await rechargeCoins(viewer.client, 300);
    return viewer;
  }

  /** Sends one gift and answers its request id (accepted: settled later by the consumer). */
  async function send(
    sender: HttpClient,
    room: { roomId: number; anchorId: number },
    giftId: number = roseId,
  ): Promise<string> {
    const res = await sender.post(
      '/gift/send',
      { giftId, roomId: room.roomId, receiverId: room.anchorId },
      { 'idempotency-key': `hist-${(keySeq += 1)}` },
    );
    expect([res.status, res.body.code]).toEqual([200, 200]);
    return res.body.data.requestId;
  }

  async function page(
    client: HttpClient,
    path: HistoryPath,
    body: { roomId?: number; cursor?: string; limit?: number },
  ): Promise<HistoryPage> {
    const res = await client.post(path, body as { roomId: number });
    expect([path, res.status, res.body.code, res.body.msg]).toEqual([path, 200, 200, 'success']);
    return res.body.data;
  }

  /** Every row of a history, one page of 100 (the tests stay under it). */
  const all = async (client: HttpClient, path: HistoryPath, roomId?: number) =>
    (await page(client, path, { roomId, limit: 100 })).list;

  /**
   * Waits until these request ids are all in the history (the consumer has settled and recorded them), reading
   * it 4 times a second (each route takes 100 reads per user every 10 s).
   */
  async function recorded(client: HttpClient, path: HistoryPath, ids: string[], roomId?: number): Promise<void> {
    await waitFor(
      `${ids.length} gift(s) in ${path}`,
      async () => {
        const have = new Set((await all(client, path, roomId)).map((r) => r.requestId));
        return ids.every((id) => have.has(id));
      },
      60_000,
      250,
    );
  }

  it('empty histories: no rows and nextCursor null', async () => {
    const room = await openRoom();
    for (const path of ['/gift/history/sent', '/gift/history/received'] as const) {
      expect(await page(room.client, path, {})).toEqual({ list: [], nextCursor: null });
    }
    expect(await page(room.client, '/gift/history/room', { roomId: room.roomId })).toEqual({
      list: [],
      nextCursor: null,
    });
  });

  it('each row says what was sent, by whom, to whom, where and when; newest first', async () => {
    const room = await openRoom();
    const viewer = await richViewer();
    const before = Date.now();
    const rose = await send(viewer.client, room, roseId);
    await recorded(viewer.client, '/gift/history/sent', [rose]);
    const heart = await send(viewer.client, room, heartId);
    await recorded(viewer.client, '/gift/history/sent', [heart]);

    const rows = await all(viewer.client, '/gift/history/sent');
    expect(rows.map((r) => r.requestId)).toEqual([heart, rose]);
    const common = { senderId: viewer.userId, receiverId: room.anchorId, roomId: room.roomId, combo: 1, count: 1 };
    expect(rows[0]).toMatchObject({
      ...common,
      requestId: heart,
      giftId: heartId,
      giftName: heartName,
      price: heartPrice,
    });
    expect(rows[1]).toMatchObject({ ...common, requestId: rose, giftId: roseId, giftName: roseName, price: rosePrice });
    for (const row of rows) {
      expect(Object.keys(row).sort()).toEqual(
        [
          'combo',
          'count',
          'giftId',
          'giftName',
          'price',
          'receiverId',
          'requestId',
          'roomId',
          'sendTime',
          'senderId',
        ].sort(),
      );
      expect(row.sendTime).toBeGreaterThanOrEqual(before - 1_000);
      expect(row.sendTime).toBeLessThanOrEqual(Date.now() + 1_000);
    }
    // The anchor sees the same two as received and in the room's history.
    expect(await all(room.client, '/gift/history/received')).toEqual(rows);
    expect(await all(room.client, '/gift/history/room', room.roomId)).toEqual(rows);
  });

  it.each([
    ['sent', '/gift/history/sent'],
    ['received', '/gift/history/received'],
    ['room', '/gift/history/room'],
  ] as const)(
    '%s: pages of 3 walk every row exactly once while new gifts are recorded between pages',
    async (_name, path) => {
      const room = await openRoom();
      const viewer = await richViewer();
      // The reader: the sender for /sent, the anchor for /received and /room.
      const reader = path === '/gift/history/sent' ? viewer.client : room.client;
      const roomId = path === '/gift/history/room' ? room.roomId : undefined;
      const first: string[] = [];
      for (let i = 0; i < 8; i += 1) first.push(await send(viewer.client, room));
      await recorded(reader, path, first, roomId);
      const expected = (await all(reader, path, roomId)).map((r) => r.requestId);
      expect([...expected].sort()).toEqual([...first].sort());

      const walked: string[] = [];
      const inserted: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const res = await page(reader, path, { roomId, cursor, limit: 3 });
        pages += 1;
        expect(res.list.length).toBeLessThanOrEqual(3);
        walked.push(...res.list.map((r) => r.requestId));
        cursor = res.nextCursor ?? undefined;
        if (cursor !== undefined) {
          // A gift arrives between two pages: newer than every row, it never enters the walk.
          const fresh = await send(viewer.client, room);
          await recorded(reader, path, [fresh], roomId);
          inserted.push(fresh);
          expect(typeof cursor).toBe('string');
        }
      } while (cursor !== undefined && pages < 10);

      expect(pages).toBe(3);
      expect(walked).toEqual(expected);
      expect(new Set(walked).size).toBe(walked.length);
      expect(inserted).toHaveLength(2);
      // A walk from the top again sees the new ones first, then the same rows.
      expect((await all(reader, path, roomId)).map((r) => r.requestId)).toEqual(
        [...inserted].reverse().concat(expected),
      );
    },
  );

  it('visibility: sent and received are the caller own; a room is its anchor (and admins), others are refused', async () => {
    const roomA = await openRoom();
    const roomB = await openRoom();
    const alice = await richViewer();
    const bob = await richViewer();
    // One at a time, each recorded before the next: their order in the histories is the sending order.
    const a1 = await send(alice.client, roomA);
    await recorded(roomA.client, '/gift/history/received', [a1]);
    const b1 = await send(bob.client, roomA);
    await recorded(roomA.client, '/gift/history/received', [b1]);
    const b2 = await send(bob.client, roomB);
    await recorded(roomB.client, '/gift/history/received', [b2]);

    expect((await all(alice.client, '/gift/history/sent')).map((r) => r.requestId)).toEqual([a1]);
    expect((await all(bob.client, '/gift/history/sent')).map((r) => r.requestId)).toEqual([b2, b1]);
    expect(await all(alice.client, '/gift/history/received')).toEqual([]);
    expect((await all(roomA.client, '/gift/history/received')).map((r) => r.requestId)).toEqual([b1, a1]);
    expect((await all(roomB.client, '/gift/history/received')).map((r) => r.requestId)).toEqual([b2]);
    expect((await all(roomA.client, '/gift/history/room', roomA.roomId)).map((r) => r.requestId)).toEqual([b1, a1]);

    // Another anchor, a viewer who sent gifts there: refused with the room-owner code; nothing listed.
    for (const outsider of [roomB.client, alice.client, bob.client]) {
      const res = await outsider.post('/gift/history/room', { roomId: roomA.roomId, limit: 20 });
      expect([res.status, res.body]).toEqual([
        403,
        { code: 10004, msg: "only the room's anchor can read its gift history", data: null },
      ]);
    }
    const unknown = await roomA.client.post('/gift/history/room', { roomId: 999_999_999 });
    expect([unknown.status, unknown.body.code, unknown.body.data]).toEqual([404, 10003, null]);

    // A closed room's history stays readable by its anchor.
    expect((await roomA.client.post('/living/closeLiving', { roomId: roomA.roomId })).body.code).toBe(200);
    expect((await all(roomA.client, '/gift/history/room', roomA.roomId)).map((r) => r.requestId)).toEqual([b1, a1]);

    // An admin may read any room's (support, disputes).
    const code = await http.post('/userLogin/sendLoginCode', { phone: adminPhone });
    const login = await http.post('/userLogin/login', { phone: adminPhone, code: code.body.data.devCode! });
    const admin = http.as(login.body.data.token);
    expect((await all(admin, '/gift/history/room', roomA.roomId)).map((r) => r.requestId)).toEqual([b1, a1]);
    // Without a token: 401.
    const anonymous = await http.post('/gift/history/sent', {});
    expect([anonymous.status, anonymous.body.code]).toEqual([401, 100002]);
  });

  it('bad cursors and limits are refused with PARAM_ERROR (400, 100001) and change nothing', async () => {
    const room = await openRoom();
    const viewer = await richViewer();
    const ids = [await send(viewer.client, room), await send(viewer.client, room)];
    await recorded(viewer.client, '/gift/history/sent', ids);
    const balance = (await viewer.client.post('/bank/balance')).body.data.balance;
    const sent = await all(viewer.client, '/gift/history/sent');
    const good = (await page(viewer.client, '/gift/history/sent', { limit: 1 })).nextCursor!;
    expect(good).toEqual(expect.any(String));

    const base64url = (s: string): string => Buffer.from(s).toString('base64url');
    const bad: [string, Record<string, unknown>][] = [
      ['a cursor nobody gave', { cursor: 'garbage' }],
      ['a cursor of other characters', { cursor: 'a/b+c=' }],
      ['a cursor too long', { cursor: 'A'.repeat(65) }],
      ['a cursor naming row 0', { cursor: base64url('h1.0') }],
      ['a forged cursor past the safe integers', { cursor: base64url('h1.99999999999999999') }],
      ['a cursor that is a number', { cursor: 12 }],
      ['an empty cursor', { cursor: '' }],
      ['a cursor of another version', { cursor: base64url('h2.5') }],
      ['a cursor with more after the id', { cursor: base64url('h1.5;1') }],
      ["null: the last page's nextCursor sent back", { cursor: null }],
      ['limit 0', { limit: 0 }],
      ['limit 101', { limit: 101 }],
      ['limit -1', { limit: -1 }],
      ['limit 2.5', { limit: 2.5 }],
      ['limit "many"', { limit: 'many' }],
      ['an unknown field', { userId: room.anchorId }],
    ];
    // Each asked by a caller who may read it (the sender; the anchor), so only the bad field is wrong.
    for (const path of ['/gift/history/sent', '/gift/history/received', '/gift/history/room'] as const) {
      const reader = path === '/gift/history/sent' ? viewer.client : room.client;
      for (const [what, body] of bad) {
        const res = await reader.postUntyped(path, {
          ...body,
          ...(path.endsWith('room') ? { roomId: room.roomId } : {}),
        });
        expect([path, what, res.status, res.body.code, res.body.data]).toEqual([path, what, 400, 100001, null]);
      }
    }
    const noRoom = await room.client.postUntyped('/gift/history/room', { limit: 5 });
    expect([noRoom.status, noRoom.body.code]).toEqual([400, 100001]);
    // Nothing changed: the same rows, the same balance; the good cursor still continues.
    expect(await all(viewer.client, '/gift/history/sent')).toEqual(sent);
    expect(await all(room.client, '/gift/history/received')).toEqual(sent);
    expect((await viewer.client.post('/bank/balance')).body.data.balance).toBe(balance);
    expect((await page(viewer.client, '/gift/history/sent', { cursor: good, limit: 5 })).list).toEqual(sent.slice(1));
  });

  it('each route takes 100 reads per user every 10 s: the 101st is 429 / -10001; the other routes and another user read on', async () => {
    const room = await openRoom();
    const [reader, other] = [await loginNewUser(http), await loginNewUser(http)];
    // The 100 at once, so all fall in the first 10 s window even on a slow machine; then the 101st.
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => reader.client.post('/gift/history/sent', { limit: 1 })),
    );
    answers.push(await reader.client.post('/gift/history/sent', { limit: 1 }));
    expect(answers.slice(0, 100).every((a) => a.status === 200 && a.body.code === 200)).toBe(true);
    expect([answers[100].status, answers[100].body]).toEqual([
      429,
      { code: -10001, msg: 'too many history reads, wait a moment', data: null },
    ]);
    expect((await reader.client.post('/gift/history/received', {})).body.code).toBe(200);
    expect((await other.client.post('/gift/history/sent', {})).body.code).toBe(200);
    // The room's anchor: its own bucket on /room.
    await Promise.all(
      Array.from({ length: 100 }, () => room.client.post('/gift/history/room', { roomId: room.roomId, limit: 1 })),
    );
    const over = await room.client.post('/gift/history/room', { roomId: room.roomId });
    expect([over.status, over.body.code]).toEqual([429, -10001]);
  });

  it('the RPC validates its input too: a caller of gift-service cannot ask for more, or for nonsense', async () => {
    const gift = new GiftClient(createRpcClient('history-e2e', { host: '127.0.0.1', port: stack.ports.giftRpc }));
    try {
      const byUser = (req: object) => gift.historySent(req as GiftHistoryByUserRequest);
      const byRoom = (req: object) => gift.historyRoom(req as GiftHistoryByRoomRequest);
      for (const req of [
        { userId: 1, limit: 1_000 },
        { userId: 1, limit: 0 },
        { userId: 1 },
        { userId: 0, limit: 5 },
        { userId: '1', limit: 5 },
        { userId: 1, limit: 5, cursor: 'garbage' },
        { userId: 1, limit: 5, cursor: "1' OR 1=1 --" },
        { userId: 1, limit: 5, cursor: null },
      ]) {
        await expect(byUser(req)).rejects.toMatchObject({ code: 100001 });
      }
      await expect(byRoom({ roomId: -1, limit: 5 })).rejects.toMatchObject({ code: 100001 });
      await expect(gift.historyReceived({ userId: 1, limit: 5 })).resolves.toEqual({ list: [], nextCursor: null });
    } finally {
      await gift.close();
    }
  });

  it.each([
    ['sender', 'idx_gift_record_user'],
    ['receiver', 'idx_gift_record_receiver'],
    ['room', 'idx_gift_record_room'],
  ] as const)(
    'the %s history finds a page on %s alone (EXPLAIN): a range from the cursor, then one row per id',
    async (scope, index) => {
      type PlanRow = { select_type: string; table: string; type: string; key: string | null; Extra: string | null };
      for (const beforeId of [null, 1_000]) {
        const params = beforeId === null ? [1, 21] : [1, beforeId, 21];
        const plan: PlanRow[] = await stack.db.dataSource.query(
          `EXPLAIN ${giftHistorySql(scope as GiftHistoryScope, beforeId)}`,
          params,
        );
        // The page's ids: on the (column, id) index only ("Using index"), a range below the cursor (not a
        // walk from the newest row), or the newest rows of the column (ref) on the first page.
        const ids = plan.find((p) => p.select_type === 'DERIVED')!;
        expect([scope, beforeId, ids.table, ids.key, ids.type]).toEqual([
          scope,
          beforeId,
          't_gift_record',
          index,
          beforeId === null ? 'ref' : 'range',
        ]);
        expect(ids.Extra).toMatch(/Using index/);
        // Then each row by its primary key, and its gift's name by the gift's.
        expect(plan.filter((p) => p.table === 'r' || p.table === 'c').map((p) => [p.table, p.type, p.key])).toEqual([
          ['r', 'eq_ref', 'PRIMARY'],
          ['c', 'eq_ref', 'PRIMARY'],
        ]);
      }
    },
  );
});
