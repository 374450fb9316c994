import { SqlQueryable } from '@live/contracts';
import { ChatDatabase } from './chat-database';
import { ChatEnv } from './chat.env';
import { LIVE_ROOM_CACHE_MAX, LiveRooms } from './live-rooms';

/** t_living_room standing in: the live room ids; every query counted (and failing while `down`). */
function fakeDb(live: Set<number>) {
  const db = {
    queries: 0,
    down: false,
    query: (_sql: string, params?: unknown[]) => {
      db.queries += 1;
      if (db.down) return Promise.reject(new Error('database down'));
      return Promise.resolve(live.has(params?.[0] as number) ? [{ live: 1 }] : []);
    },
  };
  return db;
}

const rooms = (db: SqlQueryable, cacheMs = 5_000) =>
  new LiveRooms(db as ChatDatabase, Object.assign(new ChatEnv(), { IM_CHAT_ROOM_CACHE_MS: cacheMs }));

describe('LiveRooms', () => {
  afterEach(() => jest.useRealTimers());

  it('answers live for a live room only, one query per room for the cache period, shared by concurrent asks', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const db = fakeDb(new Set([7]));
    const live = rooms(db);
    expect(await Promise.all([live.isLive(7), live.isLive(7), live.isLive(8), live.isLive(8)])).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(db.queries).toBe(2);
    for (let i = 0; i < 100; i += 1) await live.isLive(7);
    expect(db.queries).toBe(2);
    jest.setSystemTime(1_000_000 + 5_001); // the period over: read again
    expect(await live.isLive(7)).toBe(true);
    expect(db.queries).toBe(3);
  });

  it('holds at most LIVE_ROOM_CACHE_MAX rooms (a flood of made-up ids evicts the oldest)', async () => {
    const live = rooms(fakeDb(new Set()));
    for (let id = 1; id <= LIVE_ROOM_CACHE_MAX + 50; id += 1) await live.isLive(id);
    expect(live.size).toBe(LIVE_ROOM_CACHE_MAX);
  });

  it('does not hold a failed query; 0 holds nothing', async () => {
    const db = fakeDb(new Set([7]));
    const live = rooms(db);
    db.down = true;
    await expect(live.isLive(7)).rejects.toThrow('database down');
    db.down = false;
    expect(await live.isLive(7)).toBe(true);
    const uncached = rooms(db, 0);
    const before = db.queries;
    await uncached.isLive(7);
    await uncached.isLive(7);
    expect([db.queries - before, uncached.size]).toEqual([2, 0]);
  });
});
