import { BankErrorCode, BaseErrorCode, BizException, GiftErrorCode, rpcCall, TtlCache } from '@live/common';
import {
  BANK_SERVICE,
  BankRpc,
  BalanceResponse,
  GetGiftConfigResponse,
  GIFT_SERVICE,
  GiftConfigDto,
  GiftRpc,
  KafkaTopic,
  SendGiftMq,
  sendGiftKey,
  SendGiftType,
} from '@live/contracts';
import { KafkaNames, KafkaProducerService } from '@live/kafka';
import { BankRedisKeys, InjectRedis, parseCachedBalance } from '@live/redis';
import type { Redis } from 'ioredis';
import { Inject, Injectable } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { GatewayEnv } from '../config/api-gateway.env';
import { LivingService } from '../living/living.service';
import { MetricsService } from '../metrics/metrics.service';

export interface SendGiftCommand {
  userId: number;
  giftId: number;
  roomId: number;
  receiverId: number;
  /** The client's idempotency key, if it gave one. */
  clientRequestId?: string;
}

/** How long a room's anchor is remembered for the receiver check; at most this many rooms. */
const ROOM_CACHE_MS = 5_000;
const ROOM_CACHE_MAX = 10_000;
/** Gift configs kept in this process (the catalogue is a few hundred gifts). */
const GATEWAY_GIFT_CACHE_MAX = 1_000;

/**
 * POST /gift/send: check cheaply, then hand the gift to Kafka; the charge happens in the consumer.
 * The request id is scoped to the sender (`<userId>:<key>`), so one user's key can never match, and
 * so replay, another user's request. The same key sent twice makes the same request id: charged once.
 */
@Injectable()
export class GiftSendService {
  private readonly gifts: TtlCache<number, GiftConfigDto | null>;
  private readonly roomAnchors = new TtlCache<number, number>(ROOM_CACHE_MS, { maxEntries: ROOM_CACHE_MAX });

  constructor(
    @Inject(GIFT_SERVICE) private readonly giftService: ClientProxy,
    @Inject(BANK_SERVICE) private readonly bank: ClientProxy,
    private readonly producer: KafkaProducerService,
    private readonly kafkaNames: KafkaNames,
    private readonly living: LivingService,
    private readonly metrics: MetricsService,
    private readonly env: GatewayEnv,
    @InjectRedis() private readonly redis: Redis,
    private readonly bankKeys: BankRedisKeys,
  ) {
    // Only gifts that exist are kept: a client may ask for any number of unknown ids.
    this.gifts = new TtlCache(env.GATEWAY_GIFT_CACHE_MS, { maxEntries: GATEWAY_GIFT_CACHE_MAX, keep: (gift) => gift !== null });
  }

  async send(cmd: SendGiftCommand): Promise<{ requestId: string }> {
    const requestId = `${cmd.userId}:${cmd.clientRequestId ?? randomUUID()}`;
    if (cmd.receiverId === cmd.userId) this.refuse('self', new BizException(BaseErrorCode.PARAM_ERROR, 'you cannot send a gift to yourself'));
    const gift = await this.giftOnSale(cmd.giftId).catch((err: unknown) => this.refuse('gift', err));
    const anchorId = await this.roomAnchors.get(cmd.roomId, async () => (await this.living.getLiving(cmd.roomId)).anchorId);
    if (anchorId !== cmd.receiverId) {
      this.refuse('receiver', new BizException(BaseErrorCode.PARAM_ERROR, `receiverId ${cmd.receiverId} is not the anchor of room ${cmd.roomId}`));
    }
    // Cheap pre-check on the cached balance: an obviously unaffordable gift never reaches Kafka.
    // Not a guarantee (the settlement is): a gift that passes may still be refused there, with a 5557.
    const balance = await this.cachedBalance(cmd.userId);
    if (balance < gift.price) {
      this.refuse('balance', new BizException(BankErrorCode.INSUFFICIENT_BALANCE, `balance ${balance} is less than the price ${gift.price}`));
    }
    const mq: SendGiftMq = {
      userId: cmd.userId,
      giftId: gift.giftId,
      price: gift.price,
      receiverId: cmd.receiverId,
      roomId: cmd.roomId,
      url: gift.svgaUrl,
      requestId,
      type: SendGiftType.DEFAULT,
      sendTime: Date.now(),
    };
    try {
      await this.producer.send(this.kafkaNames.topic(KafkaTopic.SEND_GIFT), [{ key: sendGiftKey(mq), value: mq }]);
    } catch (err: unknown) {
      this.metrics.kafkaProduceErrors.inc();
      throw err instanceof BizException ? new BizException(GiftErrorCode.GIFT_SEND_FAILED) : err;
    }
    this.metrics.giftsAccepted.inc();
    return { requestId };
  }

  /**
   * The balance bank-service keeps in Redis (one GET), or, when it is not cached, bank-service's answer
   * (which fills the cache). Read-only: bank-service is the only writer of money and of that cache.
   */
  private async cachedBalance(userId: number): Promise<number> {
    const cached = parseCachedBalance(await this.redis.get(this.bankKeys.balance(userId)).catch(() => null));
    if (cached !== undefined) return cached;
    const { balance } = await rpcCall<BalanceResponse>(this.bank, BankRpc.GET_BALANCE, { userId }, this.env.GATEWAY_RPC_TIMEOUT_MS);
    return balance;
  }

  /** A gift on sale, through the short in-process cache. */
  async giftOnSale(giftId: number): Promise<GiftConfigDto> {
    const gift = await this.gifts.get(giftId, () => this.loadGift(giftId));
    if (!gift) throw new BizException(GiftErrorCode.GIFT_NOT_FOUND, `gift ${giftId} is not on sale`);
    return gift;
  }

  private async loadGift(giftId: number): Promise<GiftConfigDto | null> {
    const { gift } = await rpcCall<GetGiftConfigResponse>(this.giftService, GiftRpc.GET_CONFIG, { giftId }, this.env.GATEWAY_RPC_TIMEOUT_MS);
    return gift;
  }

  private refuse(reason: string, err: unknown): never {
    this.metrics.giftsRefused.inc({ reason });
    throw err;
  }
}
