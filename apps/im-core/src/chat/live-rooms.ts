import { LivingRoomReader } from '@live/contracts';
import { Injectable } from '@nestjs/common';
import { ChatDatabase } from './chat-database';
import { ChatEnv } from './chat.env';

/** Rooms whose live-or-not answer this process holds at once (the oldest answers go first past it). */
export const LIVE_ROOM_CACHE_MAX = 10_000;

/**
 * Whether a room is live (exists in api-gateway's t_living_room with status LIVING), read through the reader
 * its owner publishes (LivingRoomReader, on ChatDatabase) and held IM_CHAT_ROOM_CACHE_MS (a few seconds), so a room's chat
 * costs the database at most one query per room per that period, not one per message. Both answers are held
 * (a flood of made-up room ids costs one query per id per period, and the cache stays bounded: past
 * LIVE_ROOM_CACHE_MAX the oldest answer goes). Concurrent asks for a room share one query. A room closed
 * meanwhile still counts as live for at most IM_CHAT_ROOM_CACHE_MS. A failed query is not held.
 */
@Injectable()
export class LiveRooms {
  private readonly reader: LivingRoomReader;
  private readonly held = new Map<number, { until: number; live: Promise<boolean> }>();

  constructor(
    db: ChatDatabase,
    private readonly env: ChatEnv,
  ) {
    this.reader = new LivingRoomReader(db);
  }

  isLive(roomId: number): Promise<boolean> {
    const now = Date.now();
    const entry = this.held.get(roomId);
    if (entry && entry.until > now) return entry.live;
    this.held.delete(roomId); // a fresh answer goes last (the oldest first out)
    const live = this.reader.isLive(roomId);
    if (this.env.IM_CHAT_ROOM_CACHE_MS === 0) return live;
    const held = { until: now + this.env.IM_CHAT_ROOM_CACHE_MS, live };
    this.held.set(roomId, held);
    if (this.held.size > LIVE_ROOM_CACHE_MAX) this.held.delete(this.held.keys().next().value as number);
    live.catch(() => {
      if (this.held.get(roomId) === held) this.held.delete(roomId);
    });
    return live;
  }

  /** How many rooms are held (for tests and health). */
  get size(): number {
    return this.held.size;
  }
}
