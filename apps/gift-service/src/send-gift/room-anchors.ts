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
 */
@Injectable()
export class RoomAnchors {
  private readonly reader: LivingRoomReader;
  private readonly known = new Map<number, number>();

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
    for (const [roomId, anchorId] of await this.reader.anchorsOf(missing)) {
      anchors.set(roomId, anchorId);
      this.known.set(roomId, anchorId);
      if (this.known.size > ROOM_ANCHOR_CACHE_MAX) this.known.delete(this.known.keys().next().value as number);
    }
    return anchors;
  }

  /** How many rooms are held (for tests and health). */
  get size(): number {
    return this.known.size;
  }
}
