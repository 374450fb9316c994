import { GiftRedisKeys, InjectRedis, RedisClient } from '@live/redis';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PkService } from './pk.service';

/** How often each instance looks for PKs past their time. */
const SWEEP_INTERVAL_MS = 1_000;
/** Most due PKs one sweep ends (the rest on the next). */
const SWEEP_BATCH = 100;

/**
 * Ends the PKs whose time ran out (issue 21), on every instance every second: the sorted set `{pk}:ends`
 * (member roomId, score endsAt) lists the running PKs and the ended ones whose follow-up is not done yet; the
 * END script lets exactly one call end each (that one pushes its 5561 and completes its row), and a follow-up
 * that failed (the database down, a crash) is run again by the next sweep (PkService.finish unlists the room
 * only once its row is completed), so instances sweeping together do no harm.
 */
@Injectable()
export class PkSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PkSweeper.name);
  private timer: NodeJS.Timeout | undefined;
  private sweeping = false;

  constructor(
    @InjectRedis() private readonly redis: RedisClient,
    private readonly keys: GiftRedisKeys,
    private readonly pk: PkService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Ends the PKs due by `now`; how many this call ended. */
  async sweep(now = Date.now()): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    let ended = 0;
    try {
      const due = await this.redis.zrangebyscore(this.keys.pkEnds(), '-inf', now, 'LIMIT', 0, SWEEP_BATCH);
      for (const member of due) {
        const roomId = Number(member);
        if (!Number.isSafeInteger(roomId) || roomId <= 0) {
          await this.redis.zrem(this.keys.pkEnds(), member);
          continue;
        }
        ended += await this.sweepRoom(roomId, now).catch((err: unknown) => {
          // Stays listed (its follow-up unlists it only once done): the next sweep tries again.
          this.logger.warn(`room ${roomId}: PK end not completed (next sweep retries): ${String(err)}`);
          return 0;
        });
      }
    } catch (err: unknown) {
      this.logger.warn(`PK sweep failed (next one in ${SWEEP_INTERVAL_MS} ms): ${String(err)}`);
    } finally {
      this.sweeping = false;
    }
    return ended;
  }

  /** One listed room: its due PK ended, or an ended one's unfinished follow-up run again; 1 when this call ended it. */
  private async sweepRoom(roomId: number, now: number): Promise<number> {
    const [done, refusal] = await this.pk.end(roomId, 'time', undefined, now);
    if (done) return 1;
    // Listed early (its PK runs longer): listed again at its time.
    if (refusal.why === 'running') await this.redis.zadd(this.keys.pkEnds(), refusal.endsAt, roomId);
    // Ended, its follow-up never completed (the row's UPDATE failed, a crash): run again; it unlists the room last.
    else if (await this.pk.finishUnfinished(refusal)) return 0;
    // Gone or finished: unlisted.
    else await this.pk.unlist(roomId, refusal.endsAt || now);
    return 0;
  }
}
