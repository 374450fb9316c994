import { BANK_SERVICE_CLIENT, configProvider, GIFT_SERVICE_CLIENT, HealthModule, IM_ROUTER_CLIENT, LoggingModule, RpcClientsModule } from '@live/common';
import { BalanceCacheReader, ImNodeRegistryReader, KAFKA_TOPIC_SPECS } from '@live/contracts';
import { DatabaseHealthIndicator, DatabaseModule } from '@live/database';
import { KafkaHealthIndicator, KafkaModule } from '@live/kafka';
import { RateLimitModule } from '@live/rate-limit';
import { GatewayRedisKeys, RedisHealthIndicator, RedisModule, storeReaderProvider } from '@live/redis';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth/auth.guard';
import { AuthService } from './auth/auth.service';
import { LoginController } from './auth/login.controller';
import { BankController } from './bank/bank.controller';
import { BenchController } from './bench/bench.controller';
import { GatewayEnv } from './config/api-gateway.env';
import { GiftSendService } from './gift/gift-send.service';
import { GiftController } from './gift/gift.controller';
import { IdempotencyKeys } from './gift/idempotency-keys';
import { ImNodeDirectory } from './im/im-node.directory';
import { ImController } from './im/im.controller';
import { LivingRoomEntity } from './living/entities/living-room.entity';
import { LivingController } from './living/living.controller';
import { LivingService } from './living/living.service';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService } from './metrics/metrics.service';
import { UserEntity } from './user/entities/user.entity';
import { UserService } from './user/user.service';

@Module({
  imports: [
    LoggingModule.forApp('api-gateway'),
    RedisModule.forRoot(GatewayRedisKeys),
    RateLimitModule.forRoot(GatewayRedisKeys),
    DatabaseModule.forRoot({ entities: [UserEntity, LivingRoomEntity] }),
    KafkaModule.forRoot({ clientId: 'api-gateway', topics: KAFKA_TOPIC_SPECS }),
    RpcClientsModule.register('api-gateway', [BANK_SERVICE_CLIENT, GIFT_SERVICE_CLIENT, IM_ROUTER_CLIENT]),
    HealthModule.forRoot({
      app: 'api-gateway',
      publicPort: true,
      indicators: [DatabaseHealthIndicator, RedisHealthIndicator, KafkaHealthIndicator],
    }),
  ],
  controllers: [LoginController, LivingController, GiftController, BankController, ImController, MetricsController, BenchController],
  providers: [
    configProvider(GatewayEnv),
    { provide: APP_GUARD, useClass: AuthGuard },
    AuthService,
    UserService,
    LivingService,
    GiftSendService,
    IdempotencyKeys,
    ImNodeDirectory,
    MetricsService,
    storeReaderProvider(BalanceCacheReader),
    storeReaderProvider(ImNodeRegistryReader),
  ],
})
export class ApiGatewayModule {}
