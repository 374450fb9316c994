import { HttpClient } from './support/http-client';
import { HEART, PkRoomKit, startPkStack } from './support/pk-room';
import { TestStack } from './support/test-stack';
import { loginNewUser, rechargeCoins } from './support/test-users';
import { waitFor, waitForGiftRecords } from './support/wait-for';

/**
 * Issue 21, the end of a PK by its time (GIFT_PK_DURATION_MS, short in this stack: the sweeper ends it, pkState
 * reports it ended). 6 s: long enough for the gift sent at the start to come in time on a loaded machine (the
 * end agrees with what it did either way); every wait is for an event or derived from endsAt, never a delay. Plain fetch and WebSockets against the five apps on real MariaDB, Redis and Kafka.
 */
describe('PK battles: the time limit', () => {
  let stack: TestStack;
  let http: HttpClient;
  let kit: PkRoomKit;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ stack, http, kit, close } = await startPkStack({ GIFT_PK_DURATION_MS: '6000' }));
  });

  afterAll(async () => {
    await close?.();
  });

  it('time up: the side the bar leans to wins (a draw at 50); gifts after it move nothing', async () => {
    const { anchor, roomId } = await kit.room();
    const viewerWs = await kit.openIm((await loginNewUser(http)).client, roomId);
    const [challenger, sender] = [await loginNewUser(http), await loginNewUser(http)];
    await rechargeCoins(sender.client, 60);
    const { pkId, endsAt } = (await challenger.client.post('/living/onlinePK', { roomId })).body.data;
    const gift = await kit.send(sender, roomId, challenger.userId, HEART, 'time-1');
    expect(gift.status).toBe(200);
    await waitFor('the PK past its time', () => Date.now() > endsAt);
    const ended = await kit.waitForEnd(viewerWs, pkId);
    await waitForGiftRecords(stack.db.dataSource, [gift.requestId]);
    // Whether the gift came in time is the machine's business; the end agrees with what it did.
    const [record] = await kit.records([gift.requestId]);
    const progress = 50 + Number(record.pk_step);
    expect(ended).toMatchObject({
      pkId,
      reason: 'time',
      progress,
      winnerId: progress < 50 ? challenger.userId : 0,
    });
    const state = await kit.state(roomId);
    expect(state).toMatchObject({ pkId, progress, endReason: 'time', winnerId: ended.winnerId });
    // Ended by the clock, not before it: its row's end time is at or past its endsAt (the row is written
    // before the 5561 went out).
    const [row] = await stack.db.dataSource.query(
      'SELECT ended_at >= ends_at AS byClock FROM t_living_pk WHERE pk_id = ?',
      [pkId],
    );
    expect(Number(row?.byClock)).toBe(1);
    // After the time: a message naming the PK moves nothing.
    const stale = kit.signed(sender.userId, roomId, anchor.userId, HEART, `${sender.userId}:time-stale`, pkId);
    await kit.produce([stale]);
    await waitForGiftRecords(stack.db.dataSource, [stale.requestId]);
    expect((await kit.records([stale.requestId]))[0].pk_step).toBe(0);
    expect(await kit.state(roomId)).toMatchObject({ progress });

    // No gift at all: a draw (pkState reports it whether or not the sweeper came first).
    const next = await loginNewUser(http);
    const second = (await next.client.post('/living/onlinePK', { roomId })).body.data;
    await waitFor('the second PK past its time', () => Date.now() > second.endsAt);
    expect(await kit.state(roomId)).toMatchObject({ pkId: second.pkId, progress: 50, winnerId: 0, endReason: 'time' });
    expect(await kit.waitForEnd(viewerWs, second.pkId)).toMatchObject({ winnerId: 0, reason: 'time' });
    expect(kit.ends(viewerWs, second.pkId)).toHaveLength(1);
  });
});
