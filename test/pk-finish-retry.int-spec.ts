import { ImRouterClient } from '@live/common';
import { parsePkHash } from '@live/contracts';
import { GiftRedisKeys } from '@live/redis';
import { createTestRedis, TestRedis } from '@live/testing';
import type { DataSource } from 'typeorm';
import { GiftServiceEnv } from '../apps/gift-service/src/config/gift-service.env';
import { PkSweeper } from '../apps/gift-service/src/pk/pk-sweeper';
import { PkService } from '../apps/gift-service/src/pk/pk.service';
import { anchorOfRoom } from './support/pk-service-drive';

/**
 * Issue 21, a PK's follow-up is retried until done (real Redis; t_living_pk stood in by rows in memory whose
 * writes can be made to fail): an end whose row UPDATE fails keeps the room listed, unfinished, and the
 * sweeper's next pass (or a retried offlinePK) completes it; a start whose INSERT fails gives the seat back;
 * the seq continues after the database's PKs (start seq and final_seq) when the hash is gone.
 */
describe('PK follow-up retried (finish), seat released, seq kept', () => {
  let redis: TestRedis;
  let keys: GiftRedisKeys;
  let room = 90_000 + Math.floor(Math.random() * 5_000) * 10;

  beforeAll(async () => {
    redis = await createTestRedis();
    keys = new GiftRedisKeys(redis.prefix);
  });

  afterAll(async () => {
    await redis?.cleanup();
  });

  /** A PkService over the test Redis; `failing` makes the next t_living_pk writes of that kind throw. */
  function service() {
    const rows = new Map<string, { roomId: number; endedAt: Date | null; reason: string | null; finalSeq: number }>();
    const failing = { insert: false, update: false };
    const pushes: string[] = [];
    const db = {
      query: async (sql: string, params: unknown[]) => {
        if (sql.includes('t_living_room')) return [{ anchor_id: anchorOfRoom(Number(params[0])), type: 1, status: 1 }];
        if (sql.startsWith('INSERT IGNORE INTO t_living_pk')) {
          if (failing.insert) throw new Error('connect ECONNREFUSED 127.0.0.1:3306');
          if (!rows.has(String(params[0])))
            rows.set(String(params[0]), { roomId: Number(params[1]), endedAt: null, reason: null, finalSeq: 0 });
          return { affectedRows: 1 };
        }
        if (sql.startsWith('UPDATE t_living_pk')) {
          if (failing.update) throw new Error('connect ECONNREFUSED 127.0.0.1:3306');
          const row = rows.get(String(params[5]));
          if (row && row.endedAt === null)
            Object.assign(row, { endedAt: params[0], reason: params[2], finalSeq: params[4] });
          return { affectedRows: row ? 1 : 0 };
        }
        if (sql.includes('FROM t_living_pk')) {
          const seqs = [...rows.entries()]
            .filter(([, r]) => r.roomId === Number(params[0]))
            .map(([pkId, r]) => Math.max(Number(pkId.split('-')[2]), r.finalSeq));
          return [{ seq: seqs.length ? Math.max(...seqs) : null }];
        }
        throw new Error(`unexpected query ${sql}`);
      },
    };
    const imRouter = {
      sendToRoom: async (m: { msgId: string }) => (pushes.push(m.msgId), { msgId: m.msgId, pushed: 1, offline: [] }),
    };
    const env = Object.assign(new GiftServiceEnv(), { GIFT_PK_DURATION_MS: 60_000 });
    const pk = new PkService(
      redis.redis,
      keys,
      db as unknown as DataSource,
      imRouter as unknown as ImRouterClient,
      env,
    );
    return { pk, sweeper: new PkSweeper(redis.redis, keys, pk), rows, failing, pushes, env };
  }
  /** A room whose first PK its challenger left (completed). */
  async function leftOnce() {
    const roomId = (room += 10);
    const CHALLENGER = roomId + 1;
    const s = service();
    const first = await s.pk.online(roomId, CHALLENGER);
    await s.pk.offline(roomId, CHALLENGER);
    return { roomId, CHALLENGER, s, first };
  }
  const listed = async (roomId: number) => (await redis.redis.zscore(keys.pkEnds(), String(roomId))) !== null;
  const hash = async (roomId: number) => redis.redis.hgetall(keys.roomPk(roomId));

  it('an end whose row UPDATE fails stays listed and unfinished; the sweeper next pass completes the row', async () => {
    const roomId = (room += 10);
    const CHALLENGER = roomId + 1;
    const s = service();
    const { pkId, endsAt } = await s.pk.online(roomId, CHALLENGER);
    s.failing.update = true;
    // The time runs out; the sweep ends it in Redis but cannot complete its row: nothing else is done.
    expect(await s.sweeper.sweep(endsAt + 1)).toBe(0);
    expect(parsePkHash(await hash(roomId))?.endReason).toBe('time');
    expect((await hash(roomId)).finished).not.toBe('1');
    expect(s.rows.get(pkId)?.endedAt).toBeNull();
    expect(await listed(roomId)).toBe(true);
    expect(s.pushes).toEqual([`${pkId}:on`]);
    expect(await redis.redis.sismember(keys.pkChallenger(CHALLENGER), pkId)).toBe(1);
    // The database is back: the next pass completes the row (its end's seq kept), pushes the 5561, unlists.
    s.failing.update = false;
    await s.sweeper.sweep(endsAt + 1_001);
    const state = parsePkHash(await hash(roomId))!;
    expect(s.rows.get(pkId)).toMatchObject({ reason: 'time', finalSeq: state.seq });
    expect(s.rows.get(pkId)?.endedAt).toEqual(new Date(state.endedAt));
    expect((await hash(roomId)).finished).toBe('1');
    expect(await listed(roomId)).toBe(false);
    expect(await redis.redis.sismember(keys.pkChallenger(CHALLENGER), pkId)).toBe(0);
    expect(s.pushes).toEqual([`${pkId}:on`, `${pkId}:end`]);
  });

  it('an offlinePK whose follow-up failed completes it when retried; a new PK waits for it', async () => {
    const roomId = (room += 10);
    const CHALLENGER = roomId + 1;
    const s = service();
    const { pkId } = await s.pk.online(roomId, CHALLENGER);
    s.failing.update = true;
    await expect(s.pk.offline(roomId, CHALLENGER)).rejects.toThrow(/ECONNREFUSED/);
    // Another challenger cannot take the hash of an ended PK whose row is still open (finish runs first, fails).
    await expect(s.pk.online(roomId, CHALLENGER + 1)).rejects.toThrow(/ECONNREFUSED/);
    expect(s.rows.get(pkId)?.endedAt).toBeNull();
    s.failing.update = false;
    expect(await s.pk.offline(roomId, CHALLENGER)).toEqual({ pkId });
    expect(s.rows.get(pkId)).toMatchObject({ reason: 'offline' });
    expect(s.pushes).toEqual([`${pkId}:on`, `${pkId}:off`, `${pkId}:end`]);
    expect(await listed(roomId)).toBe(false);
  });

  it('a start whose INSERT fails gives the seat back (answering the error); a retry pushes 5559 again', async () => {
    const roomId = (room += 10);
    const CHALLENGER = roomId + 1;
    const s = service();
    s.failing.insert = true;
    await expect(s.pk.online(roomId, CHALLENGER)).rejects.toThrow(/ECONNREFUSED/);
    expect(await redis.redis.exists(keys.roomPk(roomId))).toBe(0);
    expect(await listed(roomId)).toBe(false);
    s.failing.insert = false;
    const first = await s.pk.online(roomId, CHALLENGER);
    const retry = await s.pk.online(roomId, CHALLENGER);
    expect(retry).toEqual(first);
    expect(s.pushes).toEqual([`${first.pkId}:on`, `${first.pkId}:on`]);
    // Its challenger's set lists the PK (by pkId) and has a TTL.
    expect(await redis.redis.smembers(keys.pkChallenger(CHALLENGER))).toContain(first.pkId);
    expect(await redis.redis.ttl(keys.pkChallenger(CHALLENGER))).toBeGreaterThan(60);
  });

  it('the seq never goes back when the hash is gone: a new PK continues after the last PK end (final_seq)', async () => {
    const { roomId, CHALLENGER, s, first } = await leftOnce();
    const endSeq = s.rows.get(first.pkId)!.finalSeq;
    expect(endSeq).toBe(Number(first.pkId.split('-')[2]) + 1);
    await redis.redis.del(keys.roomPk(roomId));
    const next = await s.pk.online(roomId, CHALLENGER);
    expect(next.pkId).toBe(`pk-${roomId}-${endSeq + 1}`);
  });

  it('a finish of an older PK removes only its own entry from the challenger set, never a newer PK of the room', async () => {
    const { roomId, CHALLENGER, s, first } = await leftOnce();
    const second = await s.pk.online(roomId, CHALLENGER);
    // The first PK's follow-up run again (a late retry): the second stays in the set, and ends with the session.
    const [, refusal] = await s.pk.end(roomId, 'time', undefined, Date.now(), first.pkId);
    expect(refusal?.why).toBe('other');
    await s.pk.finish({
      roomId,
      pkId: first.pkId,
      winnerId: anchorOfRoom(roomId),
      progress: 50,
      seq: 1,
      anchorId: anchorOfRoom(roomId),
      challengerId: CHALLENGER,
      endsAt: first.endsAt,
      reason: 'offline',
      endedAt: Date.now(),
    });
    expect(await redis.redis.smembers(keys.pkChallenger(CHALLENGER))).toEqual([second.pkId]);
    expect(await listed(roomId)).toBe(true);
    expect(await s.pk.sessionEnded(CHALLENGER)).toBe(1);
    expect(parsePkHash(await hash(roomId))?.endReason).toBe('session');
  });
});
