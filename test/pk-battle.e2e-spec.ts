import { ImFrameCode, KafkaTopic } from '@live/contracts';
import { ConnectionRegistry } from '../apps/im-core/src/connection/connection-registry';
import { ImPkService } from '../apps/im-core/src/pk/im-pk.service';
import { HttpClient } from './support/http-client';
import { readParked } from './support/parked-reader';
import { APPLAUSE, CROWN, HEART, PkRoomKit, pkStep, ROCKET, startPkStack } from './support/pk-room';
import { TestStack } from './support/test-stack';
import { loginNewUser, rechargeCoins } from './support/test-users';
import { waitFor, waitForGiftRecords } from './support/wait-for';

/**
 * Issue 21, PK battles, driven as users and attackers do: plain fetch and WebSockets against the five apps on
 * real MariaDB, Redis and Kafka, and a raw Kafka producer for redeliveries and forged messages.
 */
describe('PK battles', () => {
  let stack: TestStack;
  let http: HttpClient;
  let kit: PkRoomKit;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ stack, http, kit, close } = await startPkStack());
  });

  afterAll(async () => {
    await close?.();
  });

  /** A PK room with a viewer socket in it, and a challenger online (its pkId). */
  async function runningPk() {
    const { anchor, roomId } = await kit.room();
    const watcher = await loginNewUser(http);
    const viewerWs = await kit.openIm(watcher.client, roomId);
    const challenger = await loginNewUser(http);
    const online = await challenger.client.post('/living/onlinePK', { roomId });
    expect(online.body.code).toBe(200);
    const { pkId, endsAt } = online.body.data;
    return { anchor, roomId, viewerWs, challenger, pkId, endsAt };
  }

  it('gifts to both sides, concurrent and redelivered: the bar ends at exactly 50 + the steps of the charged gifts, one seq per move; pkState and a joining socket agree', async () => {
    const { anchor, roomId, viewerWs, challenger, pkId, endsAt } = await runningPk();
    expect(pkId).toMatch(new RegExp(`^pk-${roomId}-\\d+$`));
    await waitFor('the 5559 of the challenger', () => kit.seats(viewerWs, pkId).length > 0);
    expect(kit.seats(viewerWs, pkId)).toEqual([
      expect.objectContaining({
        pkId,
        challengerId: challenger.userId,
        online: true,
        progress: 50,
        anchorId: anchor.userId,
        endsAt,
      }),
    ]);
    const start = kit.seats(viewerWs, pkId)[0].seq;

    // A: 14 hearts (5 coins) to the anchor with 60 coins; B: applause (10) and crowns (52) to the challenger with 60.
    const [a, b] = [await loginNewUser(http), await loginNewUser(http)];
    await Promise.all([rechargeCoins(a.client, 60), rechargeCoins(b.client, 60)]);
    const sends = [
      ...Array.from({ length: 14 }, (_, i) => ({ who: a, to: anchor.userId, gift: HEART, key: `pk-a-${i}` })),
      ...[APPLAUSE, CROWN, APPLAUSE, CROWN, APPLAUSE].map((gift, i) => ({
        who: b,
        to: challenger.userId,
        gift,
        key: `pk-b-${i}`,
      })),
    ];
    const redeliveries = sends.map((s) =>
      kit.signed(s.who.userId, roomId, s.to, s.gift, `${s.who.userId}:${s.key}`, pkId),
    );
    const [answers] = await Promise.all([
      Promise.all(sends.map((s) => kit.send(s.who, roomId, s.to, s.gift, s.key))),
      kit.produce(redeliveries),
      kit.produce(redeliveries.slice().reverse()),
    ]);
    // Accepted, or refused by the balance pre-check (402): never anything else.
    expect(answers.every((r) => r.status === 200 || (r.status === 402 && r.code === 12001))).toBe(true);

    const requestIds = sends.map((s) => `${s.who.userId}:${s.key}`);
    const debits = await kit.waitDecided(requestIds);
    const charged = requestIds.filter((id) => debits.get(id) !== 0);
    // Some were refused for the balance: 60 coins cannot pay all.
    expect(charged.length).toBeGreaterThan(0);
    expect(charged.length).toBeLessThan(requestIds.length);
    await waitForGiftRecords(stack.db.dataSource, charged);
    const expected =
      50 +
      charged.reduce((sum, id) => {
        const s = sends[requestIds.indexOf(id)];
        return sum + (s.to === anchor.userId ? 1 : -1) * pkStep(s.gift[2]);
      }, 0);

    // Every charged gift moved the bar once: one 5558 each, seqs consecutive, each progress the previous + its step.
    await waitFor('a 5558 per charged gift', () => kit.progress(viewerWs, pkId).length >= charged.length);
    const moves = kit.progress(viewerWs, pkId);
    expect(moves.map((m) => m.seq)).toEqual(charged.map((_, i) => start + 1 + i));
    expect(moves.map((m) => m.requestId).sort()).toEqual([...charged].sort());
    moves.forEach((m, i) => expect(m.progress).toBe((i === 0 ? 50 : moves[i - 1].progress) + m.step!));
    expect(moves.at(-1)!.progress).toBe(expected);

    const state = await kit.state(roomId);
    expect(state).toEqual({
      pkId,
      anchorId: anchor.userId,
      challengerId: challenger.userId,
      progress: expected,
      seq: start + charged.length,
      endsAt,
      winnerId: null,
      endReason: '',
    });
    // The records carry the PK and the step each gift made; refused gifts have none.
    const records = await kit.records(requestIds);
    expect(records.map((r) => r.request_id).sort()).toEqual([...charged].sort());
    expect(records.every((r) => r.pk_id === pkId)).toBe(true);
    expect(records.reduce((sum, r) => sum + Number(r.pk_step), 0)).toBe(expected - 50);
    for (const r of records)
      expect(Number(r.pk_step)).toBe((Number(r.receiver_id) === anchor.userId ? 1 : -1) * pkStep(Number(r.price)));
    // A socket joining now gets the state, to itself.
    const late = await kit.openIm((await loginNewUser(http)).client, roomId);
    await waitFor('the snapshot', () => kit.progress(late, pkId).some((p) => p.snapshot));
    expect(kit.progress(late, pkId).find((p) => p.snapshot)).toEqual({
      pkId,
      progress: expected,
      seq: start + charged.length,
      requestId: null,
      anchorId: anchor.userId,
      challengerId: challenger.userId,
      endsAt,
      winnerId: null,
      snapshot: true,
    });
  });

  it('ends at a bound: dear gifts to the anchor take the bar to 100 (5561, the anchor wins), later gifts move nothing', async () => {
    const { anchor, roomId, viewerWs, challenger, pkId } = await runningPk();
    const sender = await loginNewUser(http);
    await rechargeCoins(sender.client, 1980);
    const sent = await Promise.all(
      Array.from({ length: 6 }, (_, i) => kit.send(sender, roomId, anchor.userId, ROCKET, `bound-${i}`)),
    );
    expect(sent.map((s) => s.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const ended = await kit.waitForEnd(viewerWs, pkId);
    expect(ended).toMatchObject({
      pkId,
      winnerId: anchor.userId,
      reason: 'bound',
      progress: 100,
      challengerId: challenger.userId,
    });
    const ids = sent.map((s) => s.requestId);
    await waitForGiftRecords(stack.db.dataSource, ids);
    const steps = (await kit.records(ids)).map((r) => Number(r.pk_step)).sort((x, y) => y - x);
    expect(steps).toEqual([10, 10, 10, 10, 10, 0]);
    // After the end: a gift to the anchor is an ordinary one; to the challenger it is refused; a message naming the
    // ended PK moves nothing.
    const after = await kit.send(sender, roomId, anchor.userId, HEART, 'bound-after');
    expect(after.status).toBe(200);
    expect((await kit.send(sender, roomId, challenger.userId, HEART, 'bound-to-challenger')).status).toBe(400);
    const stale = kit.signed(sender.userId, roomId, anchor.userId, HEART, `${sender.userId}:bound-stale`, pkId);
    await kit.produce([stale]);
    await waitForGiftRecords(stack.db.dataSource, [after.requestId, stale.requestId]);
    const late = await kit.records([after.requestId, stale.requestId]);
    expect(late.map((r) => Number(r.pk_step))).toEqual([0, 0]);
    expect(await kit.state(roomId)).toMatchObject({ pkId, progress: 100, winnerId: anchor.userId, endReason: 'bound' });
    expect(kit.ends(viewerWs, pkId)).toHaveLength(1);
  });

  it('ends at the other bound: the challenger wins at 0', async () => {
    const { roomId, viewerWs, challenger, pkId } = await runningPk();
    const sender = await loginNewUser(http);
    await rechargeCoins(sender.client, 1980);
    for (let i = 0; i < 5; i++) await kit.send(sender, roomId, challenger.userId, ROCKET, `low-${i}`);
    expect(await kit.waitForEnd(viewerWs, pkId)).toMatchObject({
      winnerId: challenger.userId,
      reason: 'bound',
      progress: 0,
    });
    expect(await kit.state(roomId)).toMatchObject({ progress: 0, winnerId: challenger.userId, endReason: 'bound' });
  });

  it("ends when the challenger's IM session ends (logout) and by offlinePK: the anchor wins; the next PK continues the seq", async () => {
    const { anchor, roomId, viewerWs, challenger, pkId } = await runningPk();
    const challengerWs = await kit.openIm(challenger.client, roomId);
    challengerWs.send(ImFrameCode.LOGOUT);
    expect(await challengerWs.closed()).toBe(1000);
    expect(await kit.waitForEnd(viewerWs, pkId)).toMatchObject({
      winnerId: anchor.userId,
      reason: 'session',
      progress: 50,
    });
    await waitFor('the 5559 offline', () => kit.seats(viewerWs, pkId).some((s) => !s.online));
    expect(await kit.state(roomId)).toMatchObject({ pkId, winnerId: anchor.userId, endReason: 'session' });

    const next = await loginNewUser(http);
    const online = await next.client.post('/living/onlinePK', { roomId });
    const nextPk = online.body.data.pkId;
    expect(Number(nextPk.split('-')[2])).toBeGreaterThan(Number(pkId.split('-')[2]) + 1);
    // The challenger of the ended PK is not this one's.
    expect((await challenger.client.post('/living/offlinePK', { roomId })).body.code).toBe(14004);
    const off = await next.client.post('/living/offlinePK', { roomId });
    expect([off.status, off.body.code, off.body.data]).toEqual([200, 200, null]);
    expect(await kit.waitForEnd(viewerWs, nextPk)).toMatchObject({ winnerId: anchor.userId, reason: 'offline' });
    // Leaving again: the same answer, nothing ends twice.
    expect((await next.client.post('/living/offlinePK', { roomId })).body.code).toBe(200);
    expect(kit.ends(viewerWs, nextPk)).toHaveLength(1);
    const rows = await kit.sql<{ pk_id: string; end_reason: string; winner_id: string; final_progress: number }>(
      'SELECT pk_id, end_reason, winner_id, final_progress FROM t_living_pk WHERE room_id = ? ORDER BY id',
      [roomId],
    );
    expect(rows.map((r) => [r.pk_id, r.end_reason, Number(r.winner_id), Number(r.final_progress)])).toEqual([
      [pkId, 'session', anchor.userId, 50],
      [nextPk, 'offline', anchor.userId, 50],
    ]);
  });

  it("the challenger's socket closing ends the PK (the anchor wins); a socket of another user closing does not", async () => {
    const { anchor, roomId } = await kit.room();
    const viewerWs = await kit.openIm((await loginNewUser(http)).client, roomId);
    const bystander = await loginNewUser(http);
    const bystanderWs = await kit.openIm(bystander.client, roomId);
    const challenger = await loginNewUser(http);
    const challengerWs = await kit.openIm(challenger.client, roomId);
    const { pkId } = (await challenger.client.post('/living/onlinePK', { roomId })).body.data;
    bystanderWs.close();
    await bystanderWs.closed();
    // The node processed the bystander's close (its last socket: the session-end check ran for them): the PK runs on.
    const registry = stack.imCore!.get(ConnectionRegistry);
    const imPk = stack.imCore!.get(ImPkService);
    // Its last socket gone (the session end is started at once), then the session end told (or found nothing).
    await waitFor("the bystander's close processed", () => registry.ofUser(bystander.userId).size === 0);
    await waitFor("the bystander's session end done", () => imPk.sessionCallsInFlight === 0);
    expect(await kit.state(roomId)).toMatchObject({ pkId, endReason: '', winnerId: null });
    challengerWs.close();
    const ended = await kit.waitForEnd(viewerWs, pkId);
    expect(ended).toMatchObject({ winnerId: anchor.userId, reason: 'session' });
  });

  it('the seat: two challengers race, exactly one gets it (14001 for the other); the anchor 14003; a non-PK room 14002; leaving by a non-challenger 14004; bad bodies 400 / 100001 with nothing changed', async () => {
    const { anchor, roomId } = await kit.room();
    const [x, y] = [await loginNewUser(http), await loginNewUser(http)];
    const raced = await Promise.all([x, y].map((u) => u.client.post('/living/onlinePK', { roomId })));
    const won = raced.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    expect(raced.filter((r) => r.status === 409).map((r) => r.body.code)).toEqual([14001]);
    const pkId = won[0].body.data.pkId;
    const winner = raced[0].status === 200 ? x : y;
    // A retry by the winner is the same PK.
    expect((await winner.client.post('/living/onlinePK', { roomId })).body.data.pkId).toBe(pkId);
    const anchorTry = await anchor.client.post('/living/onlinePK', { roomId });
    expect([anchorTry.status, anchorTry.body.code]).toEqual([409, 14003]);
    const plain = await kit.room(0);
    const notPk = await x.client.post('/living/onlinePK', { roomId: plain.roomId });
    expect([notPk.status, notPk.body.code]).toEqual([409, 14002]);
    expect((await x.client.post('/living/onlinePK', { roomId: 999_999_999 })).body.code).toBe(10003);
    const loser = winner === x ? y : x;
    const notYours = await loser.client.post('/living/offlinePK', { roomId });
    expect([notYours.status, notYours.body.code]).toEqual([403, 14004]);
    const nowhere = await loser.client.post('/living/offlinePK', { roomId: 999_999_999 });
    expect([nowhere.status, nowhere.body.code]).toEqual([404, 10003]); // as onlinePK and pkState (it was 403 14004)
    const before = await kit.state(roomId);
    for (const path of ['/living/onlinePK', '/living/offlinePK', '/living/pkState'])
      for (const body of [{}, { roomId: 'x' }, { roomId: -1 }, { roomId: 1.5 }, { roomId, userId: loser.userId }]) {
        const res = await loser.client.postUntyped<unknown>(path, body);
        expect([path, res.status, res.body.code]).toEqual([path, 400, 100001]);
      }
    expect(await kit.state(roomId)).toEqual(before);
    expect(before).toMatchObject({ pkId, challengerId: winner.userId, endReason: '' });
    // A room that never had a PK.
    expect(await kit.state(plain.roomId)).toEqual({
      pkId: null,
      anchorId: plain.anchor.userId,
      challengerId: null,
      progress: 50,
      seq: 0,
      endsAt: null,
      winnerId: null,
      endReason: null,
    });
  });

  it('an attacker with the signing key: a receiver who is not the challenger, or a pkId of another room: parked, not charged, the bar unmoved', async () => {
    const { anchor, roomId, pkId } = await runningPk();
    const other = await runningPk();
    const [attacker, stranger] = [await loginNewUser(http), await loginNewUser(http)];
    await rechargeCoins(attacker.client, 300);
    const parked = await readParked(stack.kafka, stack.topicPrefix + KafkaTopic.SEND_GIFT_PARKED);
    try {
      const before = await kit.state(roomId);
      // Each forged by the attacker, signed as the gateway signs: [receiver, pkId] it names.
      const [toStranger, otherRoomPk] = (
        [
          [stranger.userId, pkId],
          [anchor.userId, other.pkId],
        ] as const
      ).map(([to, names], i) =>
        kit.signed(attacker.userId, roomId, to, CROWN, `${attacker.userId}:forged-${i}`, names),
      );
      await kit.produce([toStranger, otherRoomPk]);
      await waitFor('both parked', () =>
        [toStranger, otherRoomPk].every((m) => parked.messages.some((p) => p.rawValue?.includes(m.requestId))),
      );
      const reasons = parked.messages.map((p) => p.reason).join('\n');
      expect(reasons).toContain(`receiver ${stranger.userId} is not the anchor of room ${roomId}`);
      expect(reasons).toContain(`PK ${other.pkId} is not a PK of room ${roomId}`);
      const debits = await kit.sql<{ num: string }>('SELECT num FROM t_qiyu_currency_trade WHERE request_id IN (?)', [
        [toStranger.requestId, otherRoomPk.requestId],
      ]);
      expect(debits.every((d) => Number(d.num) === 0)).toBe(true);
      expect((await attacker.client.post('/bank/balance')).body.data.balance).toBe(300);
      expect(await kit.state(roomId)).toEqual(before);
      expect(await kit.state(other.roomId)).toMatchObject({ progress: 50 });
    } finally {
      await parked.stop();
    }
  });
});
