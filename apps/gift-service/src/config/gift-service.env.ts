import { AppEnv, IntSetting, IsPort } from '@live/common';
import { Matches } from 'class-validator';
import { hostname } from 'node:os';

/** gift-service's own settings (database, Redis, Kafka and RPC client settings belong to their modules). */
export class GiftServiceEnv extends AppEnv {
  @IsPort()
  GIFT_HTTP_PORT: number = 9201;

  @IsPort()
  GIFT_RPC_PORT: number = 9101;

  /**
   * This instance's name: its own `remove_gift_cache` consumer group (every instance sees every
   * invalidation). Stable across restarts. Default: host name + RPC port.
   */
  @Matches(/^[A-Za-z0-9_.-]{1,100}$/, { message: 'GIFT_INSTANCE_ID must be 1-100 letters, digits, _ . -' })
  GIFT_INSTANCE_ID: string = `${hostname().replace(/[^A-Za-z0-9_.-]/g, '-')}-${process.env.GIFT_RPC_PORT ?? '9101'}`;

  /** Most `send_gift` messages settled per batch (one bank transaction). */
  @IntSetting(1, 1000)
  GIFT_CONSUMER_BATCH_SIZE: number = 500;

  /** `send_gift` partitions this instance works on at once (each one batch at a time, in order). */
  @IntSetting(1, 64)
  GIFT_CONSUMER_CONCURRENCY: number = 12;

  /** Partition batches arriving within this many ms of each other are settled in one run. */
  @IntSetting(0, 1_000)
  GIFT_COALESCE_WINDOW_MS: number = 2;

  /**
   * How often the `send_gift` offsets of finished runs are committed (one request for every partition that
   * finished meanwhile; also at shutdown and when the group starts to rebalance). A crash redelivers at most
   * this long's gifts, answered from their outcome records as any redelivery is. 0: after every run (one
   * commit request per run, and the next fetch waits for it).
   */
  @IntSetting(0, 60_000)
  GIFT_COMMIT_INTERVAL_MS: number = 1_000;

  /**
   * A `send_gift` batch that failed this many times in a row (not for an outage) is settled one message
   * at a time; a message that still fails alone is parked on `send_gift.parked` with the reason.
   */
  @IntSetting(1, 100)
  GIFT_BATCH_ISOLATE_AFTER: number = 3;

  /**
   * Deliveries of a gift whose push an im-core node failed (im-router's failedNodes) before the push is
   * given up: marked pushed, logged as an error with the request id (the gift stays charged).
   */
  @IntSetting(1, 100)
  GIFT_PUSH_MAX_ATTEMPTS: number = 5;

  /** The same gift from the same sender in a room within this many ms of the previous one continues a combo. */
  @IntSetting(100, 60_000)
  GIFT_COMBO_WINDOW_MS: number = 3_000;

  /**
   * The redelivery window: how long a gift's per-gift keys in Redis (its outcome record, its applied marker)
   * are kept once it is done (applied, pushed, recorded). A redelivery within it is answered from them; a
   * later one from t_gift_record (the gift's record: done, no combo, board or push again). A gift not yet
   * done keeps its keys for as long as the topic keeps the message. Bounds Redis: about 300 bytes per gift
   * of the last window.
   */
  @IntSetting(60_000, 86_400_000)
  GIFT_OUTCOME_WINDOW_MS: number = 600_000;

  /**
   * A room's contribution board lives this long past the room's last gift: a room silent that long has
   * ended its live session, and its board goes (the next session starts a new one).
   */
  @IntSetting(60_000, 30 * 86_400_000)
  GIFT_BOARD_IDLE_TTL_MS: number = 86_400_000;

  /** Senders a room's contribution board keeps: the top ones (the lowest scores beyond are dropped). */
  @IntSetting(10, 1_000_000)
  GIFT_BOARD_MAX_MEMBERS: number = 10_000;

  /** How long a gift config stays in this process's memory (invalidations drop it sooner). */
  @IntSetting(0, 3_600_000)
  GIFT_CONFIG_LOCAL_TTL_MS: number = 30_000;

  /** Most gifts kept in this process's memory (least recently used dropped first; unknown ids are never kept). */
  @IntSetting(1, 1_000_000)
  GIFT_CONFIG_LOCAL_MAX_ENTRIES: number = 10_000;

  /** PK battles (issue 21): the coins a gift needs per point it moves the bar (step = ceil(price x count / this)). */
  @IntSetting(1, 1_000_000_000)
  GIFT_PK_COINS_PER_POINT: number = 10;

  /** The most points one gift moves a PK's bar (of 100; every PK starts at 50). */
  @IntSetting(1, 50)
  GIFT_PK_MAX_STEP: number = 10;

  /** How long a PK runs before its time is up (the side the bar leans to wins; 50: a draw). */
  @IntSetting(1_000, 86_400_000)
  GIFT_PK_DURATION_MS: number = 300_000;

  /** Timeout of one call to bank-service or im-router. */
  @IntSetting(100, 120_000)
  GIFT_RPC_TIMEOUT_MS: number = 10_000;
}
