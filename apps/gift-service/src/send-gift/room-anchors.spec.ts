import { DataSource } from 'typeorm';
import { ROOM_ANCHOR_CACHE_MAX, RoomAnchors } from './room-anchors';

/** A t_living_room stand-in answering the reader's one query: rooms 1..n exist, anchored by 1000 + id. */
function fakeRooms(existing: number) {
  const queries: number[][] = [];
  const db = {
    query: async (_sql: string, ids: number[]) => {
      queries.push(ids);
      return ids.filter((id) => id <= existing).map((id) => ({ id: String(id), anchor_id: String(1000 + id) }));
    },
  };
  return { anchors: new RoomAnchors(db as unknown as DataSource), queries };
}

describe('RoomAnchors', () => {
  it('asks once per batch for the rooms it does not hold, then answers from memory', async () => {
    const { anchors, queries } = fakeRooms(10);
    expect(await anchors.of([1, 2, 2, 3])).toEqual(
      new Map([
        [1, 1001],
        [2, 1002],
        [3, 1003],
      ]),
    );
    expect(await anchors.of([2, 3, 4])).toEqual(
      new Map([
        [2, 1002],
        [3, 1003],
        [4, 1004],
      ]),
    );
    expect(queries).toEqual([[1, 2, 3], [4]]);
    expect(await anchors.of([1, 4])).toEqual(
      new Map([
        [1, 1001],
        [4, 1004],
      ]),
    );
    expect(queries).toHaveLength(2);
  });

  it('does not keep rooms that do not exist (made-up ids cannot fill it), and is bounded', async () => {
    const { anchors, queries } = fakeRooms(ROOM_ANCHOR_CACHE_MAX + 5);
    expect(await anchors.of([ROOM_ANCHOR_CACHE_MAX + 100, ROOM_ANCHOR_CACHE_MAX + 101])).toEqual(new Map());
    expect(anchors.size).toBe(0);
    await anchors.of([ROOM_ANCHOR_CACHE_MAX + 100]);
    expect(queries).toHaveLength(2);

    // Full with rooms 1..MAX; room 1 used again; one more room evicts the least recently used: room 2.
    await anchors.of(Array.from({ length: ROOM_ANCHOR_CACHE_MAX }, (_, i) => i + 1));
    await anchors.of([1]);
    await anchors.of([ROOM_ANCHOR_CACHE_MAX + 1]);
    expect(anchors.size).toBe(ROOM_ANCHOR_CACHE_MAX);
    const before = queries.length;
    expect((await anchors.of([1])).get(1)).toBe(1001);
    expect(queries.length).toBe(before);
    expect((await anchors.of([2])).get(2)).toBe(1002);
    expect(queries.slice(before)).toEqual([[2]]);
  });

  it('asks which rooms have closed on every call, for the rooms not known closed; a close is kept (final)', async () => {
    const closes = new Map<number, Date>([[7, new Date(1_764_000_000_123)]]);
    const asked: number[][] = [];
    const db = {
      query: async (sql: string, ids: number[]) => {
        expect(sql).toMatch(
          /^SELECT id, COALESCE\(close_time, update_time\) AS close_time FROM t_living_room WHERE status = 0 AND id IN \(\?(,\?)*\)$/,
        );
        asked.push(ids);
        return ids.filter((id) => closes.has(id)).map((id) => ({ id: String(id), close_time: closes.get(id) }));
      },
    };
    const rooms = new RoomAnchors(db as unknown as DataSource);
    expect(await rooms.closedAt([7, 8, 8])).toEqual(new Map([[7, 1_764_000_000_123]]));
    closes.set(8, new Date(1_764_000_009_000)); // room 8 closes meanwhile: the next call sees it
    expect(await rooms.closedAt([7, 8, 9])).toEqual(
      new Map([
        [7, 1_764_000_000_123],
        [8, 1_764_000_009_000],
      ]),
    );
    expect(await rooms.closedAt([7, 8])).toEqual(
      new Map([
        [7, 1_764_000_000_123],
        [8, 1_764_000_009_000],
      ]),
    );
    expect(asked).toEqual([
      [7, 8],
      [8, 9],
    ]); // the third call: both known closed, no query
  });
});
