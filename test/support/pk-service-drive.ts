import { ImRouterClient } from '@live/common';
import { GiftRedisKeys, RedisClient } from '@live/redis';
import type { DataSource } from 'typeorm';
import { GiftOutcomeService } from '../../apps/gift-service/src/board/gift-outcome.service';
import { GiftServiceEnv } from '../../apps/gift-service/src/config/gift-service.env';
import { PkSweeper } from '../../apps/gift-service/src/pk/pk-sweeper';
import { PkService } from '../../apps/gift-service/src/pk/pk.service';

/** The anchor the stand-in database gives room R. */
export const anchorOfRoom = (roomId: number): number => 1_000_000 + roomId;

/**
 * Drives every PK script through PkService, PkSweeper and GiftOutcomeService on `redis` (one server or a
 * Cluster), the database and im-router stood in for: each room (PK rooms of anchor anchorOfRoom(R)) gets its
 * challenger `challengers[i]` and one charged gift of 30 coins to them (the bar to 47); then the first room's
 * challenger leaves, the second's session ends, and the sweeper, a minute later, ends the rest by time.
 */
export async function drivePkService(redis: RedisClient, prefix: string, rooms: number[], challengers: number[]) {
  const keys = new GiftRedisKeys(prefix);
  const db = {
    query: async (sql: string, params: unknown[]) =>
      sql.includes('t_living_room') ? [{ anchor_id: anchorOfRoom(Number(params[0])), type: 1, status: 1 }] : [],
  };
  const pushes: { msgId: string; bizCode: number }[] = [];
  const imRouter = {
    sendToRoom: async (m: { msgId: string; bizCode: number }) => (
      pushes.push(m),
      { msgId: m.msgId, pushed: 1, offline: [] }
    ),
  };
  const env = new GiftServiceEnv();
  const pk = new PkService(redis, keys, db as unknown as DataSource, imRouter as unknown as ImRouterClient, env);
  const outcomes = new GiftOutcomeService(redis, keys, env);
  const started = await Promise.all(rooms.map((roomId, i) => pk.online(roomId, challengers[i])));
  const applied = await outcomes.apply(
    rooms.map((roomId, i) => ({
      requestId: `7:pk-${prefix}-${roomId}`,
      roomId,
      senderId: 7,
      giftId: 1,
      price: 30,
      sendTime: Date.now(),
      receiverId: challengers[i],
      pkId: started[i].pkId,
      charged: true,
      fingerprint: `fp-${roomId}`,
    })),
    3_000,
  );
  await pk.offline(rooms[0], challengers[0]);
  const sessionEnded = await pk.sessionEnded(challengers[1]);
  const swept = await new PkSweeper(redis, keys, pk).sweep(Date.now() + 2 * env.GIFT_PK_DURATION_MS);
  const states = await Promise.all(rooms.map((roomId) => pk.state(roomId)));
  const leftOver = await Promise.all([
    redis.zcard(keys.pkEnds()),
    ...challengers.map((u) => redis.exists(keys.pkChallenger(u))),
  ]);
  return { started, applied, sessionEnded, swept, states, pushes, leftOver };
}
