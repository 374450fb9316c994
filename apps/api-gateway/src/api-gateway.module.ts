import {
  BANK_SERVICE_CLIENT,
  configProvider,
  GIFT_SERVICE_CLIENT,
  HealthModule,
  IM_ROUTER_CLIENT,
  LoggingModule,
  RpcClientsModule,
  rpcTimeout,
} from '@live/common';
import {
  BalanceCacheReader,
  ChatHistoryDropper,
  ImNodeRegistryReader,
  KAFKA_TOPIC_SPECS,
  PkStateReader,
} from '@live/contracts';
import { DatabaseHealthIndicator, DatabaseModule } from '@live/database';
import { KafkaHealthIndicator, KafkaModule } from '@live/kafka';
import { RateLimitModule } from '@live/rate-limit';
import { GatewayRedisKeys, RedisHealthIndicator, RedisModule, storeReaderProvider } from '@live/redis';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth/auth.guard';
import { AdminRights } from './auth/admin-rights';
import { AuthService } from './auth/auth.service';
import { TokenCache } from './auth/token-cache';
import { LoginController } from './auth/login.controller';
import { AccountFreezeController } from './bank/account-freeze.controller';
import { BankOrders } from './bank/bank-orders';
import { GiftServiceOrders } from './gift/gift-service-orders';
import { BankController } from './bank/bank.controller';
import { WithdrawalController } from './bank/withdrawal.controller';
import { BenchModule } from './bench/bench.module';
import { GatewayEnv } from './config/api-gateway.env';
import { GiftHistoryController } from './gift/gift-history.controller';
import { GiftHistoryService } from './gift/gift-history.service';
import { GiftSendService } from './gift/gift-send.service';
import { GiftController } from './gift/gift.controller';
import { IdempotencyKeys } from './gift/idempotency-keys';
import { ImNodeDirectory } from './im/im-node.directory';
import { ImController } from './im/im.controller';
import { LivingRoomEntity } from './living/entities/living-room.entity';
import { ChatMuteController } from './living/chat-mute.controller';
import { ChatMuteService } from './living/chat-mute.service';
import { LivingController } from './living/living.controller';
import { PkController } from './living/pk.controller';
import { LivingService } from './living/living.service';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService } from './metrics/metrics.service';
import { UserEntity } from './user/entities/user.entity';
import { UserController } from './user/user.controller';
import { UserService } from './user/user.service';

const RPC_CLIENTS = RpcClientsModule.register(
  'api-gateway',
  [BANK_SERVICE_CLIENT, GIFT_SERVICE_CLIENT, IM_ROUTER_CLIENT],
  rpcTimeout(GatewayEnv, (e) => e.GATEWAY_RPC_TIMEOUT_MS),
);

@Module({
  imports: [
    LoggingModule.forApp('api-gateway'),
    RedisModule.forRoot(GatewayRedisKeys),
    RateLimitModule.forRoot(GatewayRedisKeys),
    DatabaseModule.forRoot({ entities: [UserEntity, LivingRoomEntity] }),
    KafkaModule.forRoot({ clientId: 'api-gateway', topics: KAFKA_TOPIC_SPECS }),
    RPC_CLIENTS,
    HealthModule.forRoot({
      app: 'api-gateway',
      publicPort: true,
      indicators: [DatabaseHealthIndicator, RedisHealthIndicator, KafkaHealthIndicator],
    }),
  ],
  controllers: [
    LoginController,
    LivingController,
    ChatMuteController,
    PkController,
    UserController,
    GiftController,
    GiftHistoryController,
    BankController,
    AccountFreezeController,
    WithdrawalController,
    ImController,
    MetricsController,
  ],
  providers: [
    configProvider(GatewayEnv),
    { provide: APP_GUARD, useClass: AuthGuard },
    AuthService,
    AdminRights,
    TokenCache,
    UserService,
    LivingService,
    ChatMuteService,
    GiftSendService,
    GiftHistoryService,
    BankOrders,
    GiftServiceOrders,
    IdempotencyKeys,
    ImNodeDirectory,
    MetricsService,
    storeReaderProvider(BalanceCacheReader),
    storeReaderProvider(PkStateReader),
    storeReaderProvider(ImNodeRegistryReader),
    storeReaderProvider(ChatHistoryDropper),
  ],
})
export class ApiGatewayModule {
  /**
   * The gateway as a process boots it: with the benchmark baselines (BenchModule) only when
   * GATEWAY_BENCH_ROUTES=true, read when this is called (at boot, after the profile is loaded; the
   * setting's validation, production refusal included, runs with the rest of GatewayEnv). With them the
   * module is global, so BenchModule reaches the sender, the config and the RPC clients.
   */
  static register(env: NodeJS.ProcessEnv = process.env): DynamicModule {
    if (env.GATEWAY_BENCH_ROUTES !== 'true') return { module: ApiGatewayModule };
    return {
      module: ApiGatewayModule,
      global: true,
      imports: [BenchModule],
      exports: [GatewayEnv, GiftSendService, RPC_CLIENTS],
    };
  }
}
