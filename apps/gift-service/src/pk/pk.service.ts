import { GatewayErrorCode, BizException, ImRouterClient, PkErrorCode } from '@live/common';
import {
  ImBizCode,
  LivingRoomReader,
  parsePkHash,
  PK_PROGRESS_START,
  PkEndReason,
  PkHashState,
  PkOnlineResponse,
  PkStateResponse,
} from '@live/contracts';
import { GiftRedisKeys, InjectRedis, RedisClient, withScripts } from '@live/redis';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PK_ENDED_TTL_SECONDS } from '../board/gift-outcome.service';
import { GiftServiceEnv } from '../config/gift-service.env';
import { EndedPk } from './pk-end';
import { PkPushes } from './pk-pushes';
import { PK_END, PK_ONLINE, PK_UNLIST } from './pk-scripts';

/** Room type 1: a PK room (t_living_room.type). */
const PK_ROOM_TYPE = 1;
/** How long a user's set of challenged rooms lives past its last write: a PK's longest life plus a day. */
const CHALLENGER_TTL_EXTRA_S = 86_400;
/** A running PK's hash lives until its endsAt plus a day (pkState shows the last PK). */
const RUNNING_TTL_EXTRA_MS = PK_ENDED_TTL_SECONDS * 1000;

interface PkCommands {
  pkOnline(key: string, ...args: (string | number)[]): Promise<(string | number)[]>;
  pkEnd(key: string, ...args: (string | number)[]): Promise<(string | number)[]>;
  pkUnlist(key: string, roomId: number, endsAt: number): Promise<number>;
}

/**
 * PK battles (issue 21): the challenger seat of a PK room, the PK's state in Redis (one hash in the room's
 * slot, the authority for the live bar; the gift script moves it: GiftOutcomeService), its history in
 * t_living_pk, and its end: at a bound (the gift script), when its time runs out (the sweeper on every
 * instance, or pkState lazily), when the challenger leaves (offlinePK) or their IM session ends (im-core's
 * PK_SESSION_ENDED). Each end is decided by one atomic script: only the call that ends a PK pushes its 5561
 * and completes its row. Pushes go to the whole room through im-router: 5559 seat taken/left, 5561 ended.
 */
@Injectable()
export class PkService {
  private readonly logger = new Logger(PkService.name);
  private readonly redis: RedisClient & PkCommands;
  private readonly rooms: LivingRoomReader;
  private readonly pushes: PkPushes;

  constructor(
    @InjectRedis() redis: RedisClient,
    private readonly keys: GiftRedisKeys,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly imRouter: ImRouterClient,
    private readonly env: GiftServiceEnv,
  ) {
    this.redis = withScripts<PkCommands>(redis, {
      pkOnline: { numberOfKeys: 1, lua: PK_ONLINE },
      pkEnd: { numberOfKeys: 1, lua: PK_END },
      pkUnlist: { numberOfKeys: 1, lua: PK_UNLIST },
    });
    this.rooms = new LivingRoomReader(dataSource);
    this.pushes = new PkPushes(imRouter);
  }

  /** The user takes the challenger seat of a live PK room: a PK starts (or, a retry, the same one is answered). */
  async online(roomId: number, userId: number): Promise<PkOnlineResponse> {
    const room = await this.rooms.roomOf(roomId);
    if (!room || !room.live)
      throw new BizException(GatewayErrorCode.LIVING_ROOM_NOT_FOUND, `room ${roomId} is not living`);
    if (room.type !== PK_ROOM_TYPE) throw new BizException(PkErrorCode.PK_NOT_A_PK_ROOM);
    if (room.anchorId === userId) throw new BizException(PkErrorCode.PK_ANCHOR_CANNOT_CHALLENGE);
    const lastSeq = await this.lastSeq(roomId);
    for (let attempt = 0; attempt < 2; attempt++) {
      const now = Date.now();
      const [answer, pkId, endsAt, fourth] = await this.redis.pkOnline(
        this.keys.roomPk(roomId),
        room.anchorId,
        userId,
        now,
        this.env.GIFT_PK_DURATION_MS,
        roomId,
        lastSeq,
        RUNNING_TTL_EXTRA_MS,
      );
      if (answer === 'due') {
        await this.end(roomId, 'time');
        continue;
      }
      if (answer === 'taken')
        throw new BizException(
          PkErrorCode.PK_SEAT_TAKEN,
          `the PK seat of room ${roomId} is taken by another challenger`,
        );
      const started = {
        pkId: String(pkId),
        roomId,
        anchorId: room.anchorId,
        challengerId: userId,
        startedAt: answer === 'new' ? now : Number(endsAt) - this.env.GIFT_PK_DURATION_MS,
        endsAt: Number(endsAt),
        seq: Number(fourth),
      };
      // A retry ('same') writes these again (the row, the lists: idempotent), in case its first call failed half way.
      await this.recordStart(started);
      if (answer === 'new') {
        this.logger.log(`room ${roomId}: PK ${started.pkId} started, challenger ${userId}`);
        await this.pushes.online(started, true, PK_PROGRESS_START, started.seq);
      }
      return { pkId: started.pkId, endsAt: started.endsAt };
    }
    throw new BizException(PkErrorCode.PK_SEAT_TAKEN, `the PK seat of room ${roomId} is busy, try again`);
  }

  /** The challenger leaves: the PK ends, the anchor wins. Anyone else: PK_NOT_CHALLENGER. */
  async offline(roomId: number, userId: number): Promise<{ pkId: string }> {
    const [ended, refusal] = await this.end(roomId, 'offline', userId);
    if (ended) return { pkId: ended.pkId };
    // Already ended (a retry, or time ran out first): the same answer to the PK's own challenger.
    if (refusal.why === 'ended' && refusal.challengerId === userId) return { pkId: refusal.pkId };
    throw new BizException(PkErrorCode.PK_NOT_CHALLENGER);
  }

  /** The room's running or last PK; one past its time is ended first (the sweeper may not have come yet). */
  async state(roomId: number): Promise<PkStateResponse> {
    const room = await this.rooms.roomOf(roomId);
    if (!room) throw new BizException(GatewayErrorCode.LIVING_ROOM_NOT_FOUND);
    let pk = await this.read(roomId);
    if (pk && pk.endReason === '' && Date.now() > pk.endsAt) {
      await this.end(roomId, 'time');
      pk = await this.read(roomId);
    }
    if (!pk)
      return {
        pkId: null,
        anchorId: room.anchorId,
        challengerId: null,
        progress: PK_PROGRESS_START,
        seq: 0,
        endsAt: null,
        winnerId: null,
        endReason: null,
      };
    const { pkId, anchorId, challengerId, progress, seq, endsAt, winnerId, endReason } = pk;
    return {
      pkId,
      anchorId,
      challengerId,
      progress,
      seq,
      endsAt,
      winnerId: endReason === '' ? null : winnerId,
      endReason,
    };
  }

  /** im-core: the user's last socket closed. Every PK they challenge ends (the anchor wins). */
  async sessionEnded(userId: number): Promise<number> {
    const key = this.keys.pkChallenger(userId);
    const rooms = (await this.redis.smembers(key)).map(Number).filter((r) => Number.isSafeInteger(r) && r > 0);
    let ended = 0;
    for (const roomId of rooms) {
      const [done, refusal] = await this.end(roomId, 'session', userId);
      if (done) ended += 1;
      // Not theirs any more (ended, or another challenger now): forget it.
      else if (refusal.why !== 'running') await this.redis.srem(key, roomId);
    }
    if (ended > 0) this.logger.log(`user ${userId}: IM session ended, ${ended} PK(s) ended`);
    return ended;
  }

  /**
   * Ends the room's running PK (`challengerId`: only when they hold the seat), as of `now` (the sweeper's
   * clock). [the ended PK, null] when this call ended it (its 5559/5561 pushed, its row completed), else
   * [null, why it did not].
   */
  async end(
    roomId: number,
    reason: Exclude<PkEndReason, 'bound'>,
    challengerId?: number,
    now = Date.now(),
  ): Promise<[EndedPk, null] | [null, { why: string; pkId: string; challengerId: number; endsAt: number }]> {
    const answer = await this.redis.pkEnd(
      this.keys.roomPk(roomId),
      reason,
      now,
      '',
      challengerId ?? '',
      PK_ENDED_TTL_SECONDS,
    );
    if (Number(answer[0]) !== 1) {
      const [, why, pkId, endsAt, challenger] = answer;
      return [
        null,
        {
          why: String(why),
          pkId: String(pkId ?? ''),
          endsAt: Number(endsAt ?? 0),
          challengerId: Number(challenger ?? 0),
        },
      ];
    }
    const [, pkId, winnerId, progress, seq, anchorId, challenger, endsAt, decided] = answer;
    const ended: EndedPk = {
      roomId,
      pkId: String(pkId),
      winnerId: Number(winnerId),
      progress: Number(progress),
      seq: Number(seq),
      anchorId: Number(anchorId),
      challengerId: Number(challenger),
      endsAt: Number(endsAt),
      reason: String(decided) as PkEndReason,
      endedAt: now,
    };
    await this.finish(ended);
    return [ended, null];
  }

  /**
   * What follows an end (by any path; the gift pipeline calls it for a gift that took the bar to a bound):
   * the 5559 seat left (when the challenger left), the 5561, the row completed, the lists cleaned. Repeated
   * harmlessly (msgIds per PK, the row's update only while it is open).
   */
  async finish(ended: EndedPk): Promise<void> {
    const { roomId, pkId, winnerId, reason, progress, seq, anchorId, challengerId, endsAt } = ended;
    if (reason === 'offline' || reason === 'session')
      await this.pushes.online({ pkId, roomId, anchorId, challengerId, endsAt }, false, progress, seq);
    await this.pushes.send(roomId, `${pkId}:end`, ImBizCode.PK_ENDED, {
      pkId,
      winnerId,
      reason,
      progress,
      seq,
      anchorId,
      challengerId,
    });
    await Promise.all([
      this.dataSource.query(
        'UPDATE t_living_pk SET ended_at = ?, winner_id = ?, end_reason = ?, final_progress = ? WHERE pk_id = ? AND ended_at IS NULL',
        [new Date(ended.endedAt), winnerId, reason, progress, pkId],
      ),
      this.redis.pkUnlist(this.keys.pkEnds(), roomId, endsAt),
      this.redis.srem(this.keys.pkChallenger(challengerId), roomId),
    ]);
    this.logger.log(`room ${roomId}: PK ${pkId} ended (${reason}), winner ${winnerId}, progress ${progress}`);
  }

  /** Drops the room from the sweeper's list unless a newer PK of the room is listed (a later endsAt). */
  async unlist(roomId: number, endsAt: number): Promise<void> {
    await this.redis.pkUnlist(this.keys.pkEnds(), roomId, endsAt);
  }

  private async read(roomId: number): Promise<PkHashState | null> {
    return parsePkHash(await this.redis.hgetall(this.keys.roomPk(roomId)));
  }

  /** The room's highest PK seq in t_living_pk (0: none): the hash may have expired, the seq never goes back. */
  private async lastSeq(roomId: number): Promise<number> {
    const rows: { pk_id: string }[] = await this.dataSource.query(
      'SELECT pk_id FROM t_living_pk WHERE room_id = ? ORDER BY id DESC LIMIT 1',
      [roomId],
    );
    return rows.length === 0 ? 0 : Number(rows[0].pk_id.split('-')[2]) || 0;
  }

  private async recordStart(pk: {
    pkId: string;
    roomId: number;
    anchorId: number;
    challengerId: number;
    startedAt: number;
    endsAt: number;
  }): Promise<void> {
    const challengerKey = this.keys.pkChallenger(pk.challengerId);
    await Promise.all([
      this.dataSource.query(
        'INSERT IGNORE INTO t_living_pk (pk_id, room_id, anchor_id, challenger_id, started_at, ends_at) VALUES (?, ?, ?, ?, ?, ?)',
        [pk.pkId, pk.roomId, pk.anchorId, pk.challengerId, new Date(pk.startedAt), new Date(pk.endsAt)],
      ),
      this.redis.zadd(this.keys.pkEnds(), pk.endsAt, pk.roomId),
      this.redis.sadd(challengerKey, pk.roomId),
    ]);
    await this.redis.expire(challengerKey, Math.ceil((pk.endsAt - Date.now()) / 1000) + CHALLENGER_TTL_EXTRA_S);
  }
}
