import { LivingRoomReader } from '@live/contracts';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** Rooms whose anchor this process remembers (the least recently used go first). */
export const ROOM_ANCHOR_CACHE_MAX = 20_000;

/**
 * The anchor of each room a batch names, read from api-gateway's t_living_room through the reader its
 * owner publishes (LivingRoomReader), never from the message. A room's anchor never changes, so a known
 * one is kept (bounded, least recently used evicted) and needs no invalidation; an unknown room is not
 * kept (a flood of made-up room ids cannot fill the cache). One query per batch for the rooms not held.
 * Whether a room has closed, and when, is asked per batch (closedAt): only a close is kept.
 */
@Injectable()
export class RoomAnchors {
  private readonly reader: LivingRoomReader;
  private readonly known = new Map<number, number>();
  /** Rooms known closed, and when (a close is final: kept, bounded as `known`). */
  private readonly closed = new Map<number, number>();

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.reader = new LivingRoomReader(dataSource);
  }

  /** roomId -> anchorId for the rooms that exist. */
  async of(roomIds: readonly number[]): Promise<Map<number, number>> {
    const anchors = new Map<number, number>();
    const missing: number[] = [];
    for (const roomId of new Set(roomIds)) {
      const anchorId = this.known.get(roomId);
      if (anchorId === undefined) {
        missing.push(roomId);
        continue;
      }
      this.known.delete(roomId); // most recently used goes last
      this.known.set(roomId, anchorId);
      anchors.set(roomId, anchorId);
    }
    if (missing.length === 0) return anchors;
    for (const [roomId, anchorId] of await this.reader.anchorsOf(missing))
      anchors.set(roomId, hold(this.known, roomId, anchorId));
    return anchors;
  }

  /**
   * roomId -> when it closed (epoch ms), for the rooms among `roomIds` that are closed. Rooms known closed are
   * answered from memory; the others are asked every call (one query by primary key for the batch's rooms:
   * a room may close at any moment, and a gift sent after its close must not be charged).
   */
  async closedAt(roomIds: readonly number[]): Promise<Map<number, number>> {
    const closedAt = new Map<number, number>();
    const unknown: number[] = [];
    for (const roomId of new Set(roomIds)) {
      const at = this.closed.get(roomId);
      if (at === undefined) unknown.push(roomId);
      else closedAt.set(roomId, at);
    }
    if (unknown.length === 0) return closedAt;
    for (const [roomId, at] of await this.reader.closedAmong(unknown))
      closedAt.set(roomId, hold(this.closed, roomId, at));
    return closedAt;
  }

  /** How many rooms are held (for tests and health). */
  get size(): number {
    return this.known.size;
  }
}

/** Puts a room's fact last in `held` (the first goes past ROOM_ANCHOR_CACHE_MAX); returns the value. */
function hold(held: Map<number, number>, roomId: number, value: number): number {
  held.set(roomId, value);
  if (held.size > ROOM_ANCHOR_CACHE_MAX) held.delete(held.keys().next().value as number);
  return value;
}
