/**
 * t_living_room belongs to api-gateway (it opens and closes rooms). This reader is what the owner
 * publishes for other apps that need a room's facts without trusting a message about them: gift-service
 * checks that a gift's receiver is the anchor of its room, im-core that a chat message's room is live.
 * Read-only, one query for many rooms.
 */

/** The SQL surface the reader needs: a TypeORM DataSource or EntityManager fits. */
export interface SqlQueryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/** The most rooms one call asks for (one IN list). */
export const LIVING_ROOM_READ_MAX = 1_000;

export class LivingRoomReader {
  constructor(private readonly db: SqlQueryable) {}

  /**
   * The anchor of each room that exists, whatever its status (a room's anchor never changes: a gift sent
   * while it was live may be settled after it closed). Rooms that do not exist are absent from the map.
   */
  async anchorsOf(roomIds: readonly number[]): Promise<Map<number, number>> {
    const rows = await this.inChunks<{ id: string | number; anchor_id: string | number }>(
      'SELECT id, anchor_id FROM t_living_room WHERE id IN',
      roomIds,
    );
    return new Map(rows.map((row) => [Number(row.id), Number(row.anchor_id)]));
  }

  /**
   * When each of the rooms that are closed was closed (epoch ms; a row closed without a close time, by hand,
   * counts as closed at its last update), for the
   * rooms among `roomIds` that are closed (status 0: api-gateway's LivingRoomStatus.CLOSED); live rooms and
   * rooms that do not exist are absent. A close is final (a new live is a new room), so an answer never changes.
   */
  async closedAmong(roomIds: readonly number[]): Promise<Map<number, number>> {
    const rows = await this.inChunks<{ id: string | number; close_time: Date | string }>(
      'SELECT id, COALESCE(close_time, update_time) AS close_time FROM t_living_room WHERE status = 0 AND id IN',
      roomIds,
    );
    return new Map(rows.map((row) => [Number(row.id), new Date(row.close_time).getTime()]));
  }

  /** `select` (ending in `IN`) with the distinct ids as its list, LIVING_ROOM_READ_MAX ids a query: every row. */
  private async inChunks<R>(select: string, roomIds: readonly number[]): Promise<R[]> {
    const ids = [...new Set(roomIds)];
    const rows: R[] = [];
    for (let i = 0; i < ids.length; i += LIVING_ROOM_READ_MAX) {
      const chunk = ids.slice(i, i + LIVING_ROOM_READ_MAX);
      rows.push(...((await this.db.query(`${select} (${chunk.map(() => '?').join(',')})`, chunk)) as R[]));
    }
    return rows;
  }

  /**
   * A room's anchor, type (0 ordinary, 1 PK) and whether it is live (status 1), or null when there is no such
   * room. One query by primary key (gift-service's PK seat).
   */
  async roomOf(roomId: number): Promise<{ anchorId: number; type: number; live: boolean } | null> {
    const rows = (await this.db.query('SELECT anchor_id, type, status FROM t_living_room WHERE id = ?', [roomId])) as {
      anchor_id: string | number;
      type: string | number;
      status: string | number;
    }[];
    if (rows.length === 0) return null;
    return { anchorId: Number(rows[0].anchor_id), type: Number(rows[0].type), live: Number(rows[0].status) === 1 };
  }

  /** Whether the room exists and is live now (status 1: api-gateway's LivingRoomStatus.LIVING). One query by primary key. */
  async isLive(roomId: number): Promise<boolean> {
    const rows = (await this.db.query('SELECT 1 AS live FROM t_living_room WHERE id = ? AND status = 1', [
      roomId,
    ])) as unknown[];
    return rows.length > 0;
  }
}
