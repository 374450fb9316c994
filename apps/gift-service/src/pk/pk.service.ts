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
  roomOfPkId,
  seqOfPkId,
} from '@live/contracts';
import { GiftRedisKeys, InjectRedis, RedisClient, withScripts } from '@live/redis';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PK_ENDED_TTL_SECONDS } from '../board/gift-outcome.service';
import { GiftServiceEnv } from '../config/gift-service.env';
import { EndedPk, endedOf, PkEndRefusal } from './pk-end';
import { PkRows, StartedPk } from './pk-rows';
import { PkPushes } from './pk-pushes';
import { PK_CHALLENGER_ADD, PK_END, PK_FINISHED, PK_ONLINE, PK_RELEASE, PK_UNLIST, PkCommands } from './pk-scripts';

/** Room type 1: a PK room (t_living_room.type). */
const PK_ROOM_TYPE = 1;
/** How long a user's set of challenged PKs lives past its last write: a PK's longest life plus a day. */
const CHALLENGER_TTL_EXTRA_S = 86_400;
/** A running PK's hash lives until its endsAt plus a day (pkState shows the last PK). */
const RUNNING_TTL_EXTRA_MS = PK_ENDED_TTL_SECONDS * 1000;

/**
 * PK battles (issue 21): the challenger seat of a PK room, the PK's state in Redis (one hash in the room's
 * slot, the authority for the live bar; the gift script moves it: GiftOutcomeService), its history in
 * t_living_pk, and its end: at a bound (the gift script), when its time runs out (the sweeper on every
 * instance, or pkState lazily), when the challenger leaves (offlinePK) or their IM session ends (im-core's
 * PK_SESSION_ENDED). Each end is decided by one atomic script; its follow-up (`finish`: the row, the pushes,
 * the lists) is retried until done: the room stays in the sweeper's list, and the hash unmarked `finished`,
 * until it is, so the sweeper (and a retried offlinePK, a session end, the next onlinePK) runs it again.
 * Pushes go to the whole room through im-router: 5559 seat taken/left, 5561 ended.
 */
@Injectable()
export class PkService {
  private readonly logger = new Logger(PkService.name);
  private readonly redis: RedisClient & PkCommands;
  private readonly rooms: LivingRoomReader;
  private readonly pushes: PkPushes;
  private readonly rows: PkRows;

  constructor(
    @InjectRedis() redis: RedisClient,
    private readonly keys: GiftRedisKeys,
    @InjectDataSource() dataSource: DataSource,
    private readonly imRouter: ImRouterClient,
    private readonly env: GiftServiceEnv,
  ) {
    this.redis = withScripts<PkCommands>(redis, {
      pkOnline: { numberOfKeys: 1, lua: PK_ONLINE },
      pkEnd: { numberOfKeys: 1, lua: PK_END },
      pkUnlist: { numberOfKeys: 1, lua: PK_UNLIST },
      pkFinished: { numberOfKeys: 1, lua: PK_FINISHED },
      pkRelease: { numberOfKeys: 1, lua: PK_RELEASE },
      pkChallengerAdd: { numberOfKeys: 1, lua: PK_CHALLENGER_ADD },
    });
    this.rooms = new LivingRoomReader(dataSource);
    this.pushes = new PkPushes(imRouter);
    this.rows = new PkRows(dataSource);
  }

  /** The user takes the challenger seat of a live PK room: a PK starts (or, a retry, the same one is answered). */
  async online(roomId: number, userId: number): Promise<PkOnlineResponse> {
    const room = await this.rooms.roomOf(roomId);
    if (!room || !room.live)
      throw new BizException(GatewayErrorCode.LIVING_ROOM_NOT_FOUND, `room ${roomId} is not living`);
    if (room.type !== PK_ROOM_TYPE) throw new BizException(PkErrorCode.PK_NOT_A_PK_ROOM);
    if (room.anchorId === userId) throw new BizException(PkErrorCode.PK_ANCHOR_CANNOT_CHALLENGE);
    const lastSeq = await this.rows.lastSeq(roomId);
    for (let attempt = 0; attempt < 3; attempt++) {
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
      if (answer === 'unfinished') {
        // The last PK's follow-up never completed (its row is still open): done now, before a new PK takes the hash.
        const [, refusal] = await this.end(roomId, 'time');
        if (refusal) await this.finishUnfinished(refusal);
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
        // The seq at its start (a retry: the hash's seq has moved since): the 5559 says what the first one said.
        seq: answer === 'new' ? Number(fourth) : seqOfPkId(String(pkId)),
      };
      await this.recordStart(started, answer === 'new');
      if (answer === 'new') this.logger.log(`room ${roomId}: PK ${started.pkId} started, challenger ${userId}`);
      // A retry ('same') pushes again too, in case its first call failed before: msgId `<pkId>:on`, written once.
      await this.pushes.online(started, true, PK_PROGRESS_START, started.seq);
      return { pkId: started.pkId, endsAt: started.endsAt };
    }
    throw new BizException(PkErrorCode.PK_SEAT_TAKEN, `the PK seat of room ${roomId} is busy, try again`);
  }

  /** The challenger leaves: the PK ends, the anchor wins. Anyone else: PK_NOT_CHALLENGER (no such room: as the other PK routes). */
  async offline(roomId: number, userId: number): Promise<{ pkId: string }> {
    const [ended, refusal] = await this.end(roomId, 'offline', userId);
    if (ended) return { pkId: ended.pkId };
    // Already ended (a retry, or time ran out first): the same answer to the PK's own challenger, its follow-up
    // run again when it never completed (the retry of a call whose finish failed).
    if (refusal.why === 'ended' && refusal.challengerId === userId) {
      await this.finishUnfinished(refusal);
      return { pkId: refusal.pkId };
    }
    if (!(await this.rooms.roomOf(roomId))) throw new BizException(GatewayErrorCode.LIVING_ROOM_NOT_FOUND);
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
    let ended = 0;
    // Members are pkIds (`pk-<roomId>-<seq>`): a finish removes its own PK only, never a newer one of the room.
    for (const pkId of await this.redis.smembers(key)) {
      const roomId = roomOfPkId(pkId);
      if (roomId === null) {
        await this.redis.srem(key, pkId);
        continue;
      }
      const [done, refusal] = await this.end(roomId, 'session', userId, Date.now(), pkId);
      if (done) ended += 1;
      // Ended before, its follow-up not completed: run again (it removes the member). Else not theirs any more
      // (ended, gone, or another PK now): forget it.
      else if (!(await this.finishUnfinished(refusal))) await this.redis.srem(key, pkId);
    }
    if (ended > 0) this.logger.log(`user ${userId}: IM session ended, ${ended} PK(s) ended`);
    return ended;
  }

  /**
   * Ends the room's running PK (`challengerId`: only when they hold the seat; `pkId`: only that PK), as of `now`
   * (the sweeper's clock). [the ended PK, null] when this call ended it (then finished: its 5559/5561 pushed, its
   * row completed; a failure of that throws, and is retried: see finish), else [null, why it did not] (an ended
   * PK comes with its end fields and whether its follow-up completed).
   */
  async end(
    roomId: number,
    reason: Exclude<PkEndReason, 'bound'>,
    challengerId?: number,
    now = Date.now(),
    pkId?: string,
  ): Promise<[EndedPk, null] | [null, PkEndRefusal]> {
    const answer = await this.redis.pkEnd(
      this.keys.roomPk(roomId),
      reason,
      now,
      pkId ?? '',
      challengerId ?? '',
      PK_ENDED_TTL_SECONDS,
    );
    if (Number(answer[0]) === 1) {
      const [, id, winnerId, progress, seq, anchorId, challenger, endsAt, decided, endedAt] = answer;
      const ended = endedOf(roomId, { id, winnerId, progress, seq, anchorId, challenger, endsAt, decided, endedAt });
      await this.finish(ended);
      return [ended, null];
    }
    const [, why, id, endsAt, challenger, winnerId, progress, seq, anchorId, decided, endedAt, finished] = answer;
    const refusal: PkEndRefusal = {
      why: String(why),
      pkId: String(id ?? ''),
      endsAt: Number(endsAt ?? 0),
      challengerId: Number(challenger ?? 0),
    };
    if (refusal.why === 'ended') {
      refusal.ended = endedOf(roomId, { id, winnerId, progress, seq, anchorId, challenger, endsAt, decided, endedAt });
      refusal.finished = String(finished) === '1';
    }
    return [null, refusal];
  }

  /** An end refused because the PK had ended: its follow-up run again when it never completed; true when it ran. */
  async finishUnfinished(refusal: PkEndRefusal): Promise<boolean> {
    return refusal.ended && !refusal.finished ? this.finish(refusal.ended).then(() => true) : false;
  }

  /**
   * What follows an end (by any path; the gift pipeline calls it for a gift that took the bar to a bound), in
   * an order that makes it retried until done: the row completed first (`ended_at IS NULL`: once; a failure
   * throws here, nothing else is done, and the room stays listed for the sweeper), then the 5559 seat left (when
   * the challenger left) and the 5561 (msgIds per PK: written once per room and user), the PK out of its
   * challenger's set (its own member only), the hash marked `finished` (a new PK may take it), and the room out of
   * the sweeper's list LAST. Repeated harmlessly.
   */
  async finish(ended: EndedPk): Promise<void> {
    const { roomId, pkId, winnerId, reason, progress, seq, anchorId, challengerId, endsAt } = ended;
    await this.rows.end(ended);
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
    await this.redis.srem(this.keys.pkChallenger(challengerId), pkId);
    await this.redis.pkFinished(this.keys.roomPk(roomId), pkId);
    await this.redis.pkUnlist(this.keys.pkEnds(), roomId, endsAt);
    this.logger.log(`room ${roomId}: PK ${pkId} ended (${reason}), winner ${winnerId}, progress ${progress}`);
  }

  /** Drops the room from the sweeper's list unless a newer PK of the room is listed (a later endsAt). */
  async unlist(roomId: number, endsAt: number): Promise<void> {
    await this.redis.pkUnlist(this.keys.pkEnds(), roomId, endsAt);
  }

  private async read(roomId: number): Promise<PkHashState | null> {
    return parsePkHash(await this.redis.hgetall(this.keys.roomPk(roomId)));
  }

  /**
   * The start in t_living_pk, then in the sweeper's list and the challenger's set. A new PK whose row fails gives
   * its seat back (compare-and-delete) and throws: no PK without its row. A retry ('same') writes them again.
   */
  private async recordStart(pk: StartedPk, isNew: boolean): Promise<void> {
    try {
      await this.rows.start(pk);
    } catch (err: unknown) {
      if (isNew) {
        const released = await this.redis.pkRelease(this.keys.roomPk(pk.roomId), pk.pkId).catch(() => 0);
        this.logger.warn(
          `room ${pk.roomId}: PK ${pk.pkId} not recorded (${String(err)}); seat ${released === 1 ? 'released' : 'not released'}`,
        );
      }
      throw err;
    }
    await Promise.all([
      this.redis.zadd(this.keys.pkEnds(), pk.endsAt, pk.roomId),
      this.redis.pkChallengerAdd(
        this.keys.pkChallenger(pk.challengerId),
        pk.pkId,
        Math.ceil((pk.endsAt - Date.now()) / 1000) + CHALLENGER_TTL_EXTRA_S,
      ),
    ]);
  }
}
