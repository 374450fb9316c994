import {
  BaseErrorCode,
  BizException,
  GatewayErrorCode,
  GiftErrorCode,
  BankClient,
  GiftClient,
  TtlCache,
  withDeadline,
} from '@live/common';
import {
  BalanceCacheReader,
  CachedAccount,
  fingerprintOf,
  GiftConfigDto,
  isPkRunning,
  KafkaTopic,
  PkStateReader,
  SendGiftMq,
  sendGiftKey,
  SendGiftType,
  signSendGift,
  SigningKey,
} from '@live/contracts';
import { KafkaProducerService } from '@live/kafka';
import { RequestLimiter, RequestLimitOptions } from '@live/rate-limit';
import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { GatewayEnv } from '../config/api-gateway.env';
import { LivingService } from '../living/living.service';
import { MetricsService } from '../metrics/metrics.service';
import { IdempotencyClaim, IdempotencyKeys } from './idempotency-keys';
import { accountOf, walletRefusal } from './wallet-precheck';

interface SendGiftCommand {
  userId: number;
  giftId: number;
  roomId: number;
  receiverId: number;
  /** How many of the gift (1..GIFT_COUNT_MAX, checked by the route's schema): one trade of price x count. */
  count: number;
  /** The client's idempotency key, if it gave one. */
  clientRequestId?: string;
}

/** POST /gift/send's limit per user (@RequestLimit on the route, counted here: see send). */
export const SEND_GIFT_LIMIT: RequestLimitOptions = {
  limit: 100,
  seconds: 1,
  msg: 'too many gifts at once, slow down',
};
/** The counter's route name (the one a guard would use: `<controller>.<handler>`). */
const SEND_GIFT_LIMIT_ROUTE = 'GiftController.send';

/** Room type 1: a PK room (issue 21). */
const PK_ROOM_TYPE = 1;

/** Gift configs kept in this process (the catalogue is a few hundred gifts). */
const GATEWAY_GIFT_CACHE_MAX = 1_000;

/**
 * POST /gift/send: check cheaply, then hand the gift to Kafka, signed; the charge happens in the consumer.
 * The request id is scoped to the sender (`<userId>:<key>`), so one user's key can never match, and
 * so replay, another user's request. The same key sent twice makes the same request id: charged once.
 * A client's key is bound to its parameters (gift, room, receiver, count) for GATEWAY_IDEMPOTENCY_WINDOW_SECONDS: the same key with other
 * parameters is refused (409, IDEMPOTENCY_KEY_REUSED); with the same ones it gets the first answer again
 * (its request id; produced again in case the first produce was lost, at most once a minute: resendDue).
 */
@Injectable()
export class GiftSendService {
  private readonly gifts: TtlCache<number, GiftConfigDto | null>;
  private readonly signingKey: SigningKey;
  private readonly logger = new Logger(GiftSendService.name);

  constructor(
    private readonly giftService: GiftClient,
    private readonly bank: BankClient,
    private readonly producer: KafkaProducerService,
    private readonly living: LivingService,
    private readonly metrics: MetricsService,
    private readonly env: GatewayEnv,
    private readonly balances: BalanceCacheReader,
    private readonly idempotency: IdempotencyKeys,
    private readonly limiter: RequestLimiter,
    private readonly pkStates: PkStateReader,
  ) {
    // Only gifts that exist are kept: a client may ask for any number of unknown ids.
    this.gifts = new TtlCache(env.GATEWAY_GIFT_CACHE_MS, {
      maxEntries: GATEWAY_GIFT_CACHE_MAX,
      keep: (gift) => gift !== null,
    });
    this.signingKey = { id: env.GIFT_MSG_SIGNING_KEY_ID, secret: env.GIFT_MSG_SIGNING_KEY };
  }

  async send(cmd: SendGiftCommand): Promise<{ requestId: string }> {
    const requestId = `${cmd.userId}:${cmd.clientRequestId ?? randomUUID()}`;
    if (cmd.receiverId === cmd.userId)
      this.refuse('self', new BizException(BaseErrorCode.PARAM_ERROR, 'you cannot send a gift to yourself'));
    // The rate-limit count, the key's claim and the cached wallet (balance, frozen flag, today's spending, the
    // cap: one entry) in one Redis round trip (auto-pipelining: issued in one tick; on a Cluster one write per node).
    const limited = this.limiter.count(cmd.userId, SEND_GIFT_LIMIT_ROUTE, SEND_GIFT_LIMIT);
    const cachedAccount = this.balances.accountOf(cmd.userId).catch(() => undefined);
    const claimed = this.claimKey(cmd);
    claimed.catch(() => undefined); // awaited below, once the limit is known
    const tooMany = await limited;
    if (tooMany) {
      // Over the limit: refused before anything else; a key this call claimed names nothing.
      if ((await claimed.catch(() => undefined)) === 'new' && cmd.clientRequestId !== undefined)
        await this.idempotency.release(cmd.userId, cmd.clientRequestId, paramsFingerprint(cmd));
      throw tooMany;
    }
    const claim = await claimed;
    let checked: { gift: GiftConfigDto; pkId?: string };
    try {
      checked = await this.checkInTime(cmd, claim, cachedAccount);
    } catch (err: unknown) {
      // Refused before Kafka: the key names nothing yet, so the client may use it again for anything.
      if (claim === 'new' && cmd.clientRequestId !== undefined)
        await this.idempotency.release(cmd.userId, cmd.clientRequestId, paramsFingerprint(cmd));
      throw err;
    }
    // A copy of an accepted send gets its answer; it is produced again only now and then (resendDue).
    const copyOf = claim === 'same' ? cmd.clientRequestId : undefined;
    if (copyOf !== undefined && !(await this.idempotency.resendDue(cmd.userId, copyOf))) return { requestId };
    const mq = this.order(cmd, checked.gift, requestId, checked.pkId);
    try {
      await this.producer.send(KafkaTopic.SEND_GIFT, [{ key: sendGiftKey(mq), value: mq }]);
    } catch (err: unknown) {
      this.metrics.kafkaProduceErrors.inc();
      throw err instanceof BizException ? new BizException(GiftErrorCode.GIFT_SEND_FAILED) : err;
    }
    if (copyOf !== undefined) await this.idempotency.resent(cmd.userId, copyOf);
    this.metrics.giftsAccepted.inc();
    return { requestId };
  }

  /** The client's key bound to these parameters: a key used for something else within the window is refused (409). */
  private async claimKey(cmd: SendGiftCommand): Promise<IdempotencyClaim> {
    if (cmd.clientRequestId === undefined) return 'new';
    const claim = await this.idempotency
      .claim(cmd.userId, cmd.clientRequestId, paramsFingerprint(cmd))
      .catch((err: unknown) => {
        this.logger.warn(
          `user ${cmd.userId}: Idempotency-Key not checked, Redis failed: ${err instanceof Error ? err.message : String(err)}`,
        );
        return this.refuse('redis', new BizException(GiftErrorCode.GIFT_SEND_FAILED));
      });
    if (claim === 'conflict') this.refuse('idempotency', new BizException(GatewayErrorCode.IDEMPOTENCY_KEY_REUSED));
    return claim;
  }

  /**
   * The gift on sale, sent to the anchor of a living room (or, in a PK room while a PK runs, to its anchor or
   * its challenger: the gift then names the PK), which the wallet pre-check finds able to pay (a retry: see below).
   */
  private async check(
    cmd: SendGiftCommand,
    claim: IdempotencyClaim,
    cachedAccount: Promise<CachedAccount | undefined>,
  ): Promise<{ gift: GiftConfigDto; pkId?: string }> {
    const gift = await this.giftOnSale(cmd.giftId).catch((err: unknown) => this.refuse('gift', err));
    const room = await this.living.livingRoomCached(cmd.roomId);
    const pkId = room.type === PK_ROOM_TYPE ? await this.runningPk(cmd, room.anchorId) : undefined;
    if (pkId === undefined && room.anchorId !== cmd.receiverId) {
      this.refuse(
        'receiver',
        new BizException(
          BaseErrorCode.PARAM_ERROR,
          `receiverId ${cmd.receiverId} is not the anchor of room ${cmd.roomId}`,
        ),
      );
    }
    // Cheap pre-check on the cached wallet: a frozen sender, an obviously unaffordable gift or one past the
    // daily spend cap never reaches Kafka. Not a guarantee (the settlement is, on the locked wallet): a gift
    // that passes may still be refused there, with a 5557. The wallet bank-service keeps in Redis (read with
    // the key's claim), or, when it is not cached, bank-service's answer (which fills the cache). Read-only:
    // bank-service is the only writer of money and of that cache.
    const today = new Date().toISOString().slice(0, 10);
    // A copy of a send (a `same` claim) whose wallet cannot be read asks the first send's verdict, as one refused.
    const account =
      (await cachedAccount) ??
      (await this.bank.balance(cmd.userId).then(
        (answer) => accountOf(answer, today),
        (err: unknown) => (claim === 'same' ? undefined : Promise.reject(err)),
      ));
    const refusal = account ? walletRefusal(account, gift, cmd.count, today) : 'unread';
    if (refusal === undefined) return { gift, pkId };
    // A retry of an accepted key gets the first answer, even if the first charge emptied the wallet; a copy sent
    // while the first is still being checked gets its verdict (the first refused: this copy is refused too).
    if (claim === 'same' && (await this.firstAccepted(cmd))) return { gift, pkId };
    if (refusal === 'unread') return this.refuse('wallet', new BizException(GiftErrorCode.GIFT_SEND_FAILED));
    return this.refuse(refusal.reason, refusal.error);
  }

  /**
   * `check`, for a first use of a client's key within IdempotencyKeys.checkDeadlineMs (GATEWAY_IDEMPOTENCY_WAIT_MS
   * less 500 ms): past it the send is refused (503, the key released), so a copy that finds the
   * key older than the wait knows the first send was accepted.
   */
  private async checkInTime(
    cmd: SendGiftCommand,
    claim: IdempotencyClaim,
    cachedAccount: Promise<CachedAccount | undefined>,
  ): Promise<{ gift: GiftConfigDto; pkId?: string }> {
    const checking = this.check(cmd, claim, cachedAccount);
    if (claim !== 'new' || cmd.clientRequestId === undefined) return checking;
    return withDeadline(checking, this.idempotency.checkDeadlineMs(), () => {
      this.metrics.giftsRefused.inc({ reason: 'deadline' });
      return new BizException(GiftErrorCode.GIFT_SEND_FAILED, 'the gift could not be checked in time, send it again');
    });
  }

  /** The first send's verdict for a copy (IdempotencyKeys.firstAccepted); unknown (Redis failed): refused, 503. */
  private async firstAccepted(cmd: SendGiftCommand): Promise<boolean> {
    if (cmd.clientRequestId === undefined) return false;
    return this.idempotency.firstAccepted(cmd.userId, cmd.clientRequestId).catch((err: unknown) => {
      this.logger.warn(`user ${cmd.userId}: the first send's verdict is unknown: ${String(err)}`);
      return this.refuse('redis', new BizException(GiftErrorCode.GIFT_SEND_FAILED));
    });
  }

  /**
   * A PK room's running PK, when the gift goes to one of its sides (its anchor or its challenger): its pkId, the
   * bar moves. One Redis read (gift-service's PK hash), paid by PK rooms only. Redis failing: refused with
   * GIFT_SEND_FAILED (503, try again), never signed without its pkId (a gift to the anchor during a PK would
   * then not move the bar, one to the challenger would be parked); `check`'s caller releases the key.
   */
  private async runningPk(cmd: SendGiftCommand, anchorId: number): Promise<string | undefined> {
    const pk = await this.pkStates.of(cmd.roomId).catch((err: unknown) => {
      this.logger.warn(`room ${cmd.roomId}: PK state unread, Redis failed: ${String(err)}`);
      return this.refuse('redis', new BizException(GiftErrorCode.GIFT_SEND_FAILED));
    });
    if (!isPkRunning(pk, Date.now())) return undefined;
    return cmd.receiverId === anchorId || cmd.receiverId === pk.challengerId ? pk.pkId : undefined;
  }

  /**
   * The gift order as this gateway signs it (GIFT_MSG_SIGNING_KEY): the send_gift message, whose signature
   * gift-service and bank-service check before anything is charged.
   */
  order(
    cmd: Omit<SendGiftCommand, 'clientRequestId'>,
    gift: GiftConfigDto,
    requestId: string,
    pkId?: string,
  ): SendGiftMq {
    const { userId, receiverId, roomId, count } = cmd;
    const { giftId, giftName, price, svgaUrl: url } = gift;
    const unsigned = {
      userId,
      giftId,
      giftName,
      price,
      count,
      receiverId,
      roomId,
      url,
      requestId,
      type: pkId === undefined ? SendGiftType.DEFAULT : SendGiftType.PK,
      sendTime: Date.now(),
      ...(pkId === undefined ? {} : { pkId }),
    };
    return signSendGift(unsigned, this.signingKey);
  }

  /** Drops this instance's copy of a gift (an admin changed it here; other instances' copies expire, gift-service decides). */
  forgetGift(giftId: number): void {
    this.gifts.delete(giftId);
  }

  /** A gift on sale, through the short in-process cache. */
  async giftOnSale(giftId: number): Promise<GiftConfigDto> {
    const gift = await this.gifts.get(giftId, () => this.loadGift(giftId));
    if (!gift) throw new BizException(GiftErrorCode.GIFT_NOT_FOUND, `gift ${giftId} is not on sale`);
    return gift;
  }

  private async loadGift(giftId: number): Promise<GiftConfigDto | null> {
    const { gift } = await this.giftService.config(giftId);
    return gift;
  }

  private refuse(reason: string, err: unknown): never {
    this.metrics.giftsRefused.inc({ reason });
    throw err;
  }
}

/**
 * What a client's Idempotency-Key is bound to at the gateway: the parameters the client chose. Count 1 keeps
 * the fingerprint of before counts (a claim made then still matches a retry now); another count is part of it.
 */
function paramsFingerprint(cmd: SendGiftCommand): string {
  if (cmd.count === 1) return fingerprintOf('gift-send/v1', [cmd.giftId, cmd.roomId, cmd.receiverId]);
  return fingerprintOf('gift-send/v2', [cmd.giftId, cmd.roomId, cmd.receiverId, cmd.count]);
}
