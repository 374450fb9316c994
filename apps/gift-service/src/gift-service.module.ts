import {
  BANK_SERVICE_CLIENT,
  CatalogueOrderKeys,
  CatalogueOrderKeysEnv,
  configProvider,
  GiftOrderKeys,
  GiftOrderKeysEnv,
  HealthModule,
  IM_ROUTER_CLIENT,
  LoggingModule,
  RpcClientsModule,
  rpcTimeout,
} from '@live/common';
import { ImNodeRegistryReader, ImPresenceReader, KAFKA_TOPIC_SPECS } from '@live/contracts';
import { DatabaseHealthIndicator, DatabaseModule } from '@live/database';
import { KafkaHealthIndicator, KafkaModule } from '@live/kafka';
import {
  GiftRedisKeys,
  RedisHealthIndicator,
  RedisModule,
  storeReaderProvider,
  signedOrderReplaysProvider,
} from '@live/redis';
import { Module } from '@nestjs/common';
import { GiftOutcomeService } from './board/gift-outcome.service';
import { GiftServiceEnv } from './config/gift-service.env';
import { GiftConfigEntity } from './gift-config/entities/gift-config.entity';
import { GiftCacheInvalidationConsumer } from './gift-config/gift-cache-invalidation.consumer';
import { GiftConfigService } from './gift-config/gift-config.service';
import { GiftRecordEntity } from './gift-record/entities/gift-record.entity';
import { GiftHistoryRpcController } from './gift-history/gift-history-rpc.controller';
import { GiftHistoryService } from './gift-history/gift-history.service';
import { GiftRecordService } from './gift-record/gift-record.service';
import { GiftRpcController } from './gift-rpc.controller';
import { SendGiftConsumer } from './send-gift/send-gift.consumer';
import { SendGiftPipeline } from './send-gift/send-gift.pipeline';
import { RoomAnchors } from './send-gift/room-anchors';
import { SendGiftVerifier } from './send-gift/send-gift.verifier';
import { LivingPkEntity } from './pk/entities/living-pk.entity';
import { PkRpcController } from './pk/pk-rpc.controller';
import { PkService } from './pk/pk.service';
import { PkSweeper } from './pk/pk-sweeper';

@Module({
  imports: [
    LoggingModule.forApp('gift-service'),
    RedisModule.forRoot(GiftRedisKeys),
    DatabaseModule.forRoot({ entities: [GiftConfigEntity, GiftRecordEntity, LivingPkEntity] }),
    KafkaModule.forRoot({ clientId: 'gift-service', topics: KAFKA_TOPIC_SPECS }),
    RpcClientsModule.register(
      'gift-service',
      [BANK_SERVICE_CLIENT, IM_ROUTER_CLIENT],
      rpcTimeout(GiftServiceEnv, (e) => e.GIFT_RPC_TIMEOUT_MS),
    ),
    HealthModule.forRoot({
      app: 'gift-service',
      indicators: [DatabaseHealthIndicator, RedisHealthIndicator, KafkaHealthIndicator],
    }),
  ],
  controllers: [GiftRpcController, GiftHistoryRpcController, PkRpcController],
  providers: [
    signedOrderReplaysProvider(GiftRedisKeys),
    configProvider(GiftServiceEnv),
    configProvider(GiftOrderKeysEnv),
    GiftOrderKeys,
    configProvider(CatalogueOrderKeysEnv),
    CatalogueOrderKeys,
    GiftConfigService,
    GiftRecordService,
    GiftHistoryService,
    GiftOutcomeService,
    RoomAnchors,
    PkService,
    storeReaderProvider(ImPresenceReader),
    storeReaderProvider(ImNodeRegistryReader),
    PkSweeper,
    SendGiftVerifier,
    SendGiftPipeline,
    SendGiftConsumer,
    GiftCacheInvalidationConsumer,
  ],
})
export class GiftServiceModule {}
