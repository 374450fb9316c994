import { configProvider, HealthModule, LoggingModule } from '@live/common';
import { KAFKA_TOPIC_SPECS } from '@live/contracts';
import { DatabaseHealthIndicator, DatabaseModule } from '@live/database';
import { KafkaHealthIndicator, KafkaModule } from '@live/kafka';
import { RedisHealthIndicator, RedisModule } from '@live/redis';
import { Module } from '@nestjs/common';
import { GatewayEnv } from './config/api-gateway.env';
import { LivingRoomEntity } from './living/entities/living-room.entity';
import { UserEntity } from './user/entities/user.entity';

@Module({
  imports: [
    LoggingModule.forApp('api-gateway'),
    RedisModule.forRoot(),
    DatabaseModule.forRoot({ entities: [UserEntity, LivingRoomEntity] }),
    KafkaModule.forRoot({ clientId: 'api-gateway', topics: KAFKA_TOPIC_SPECS }),
    HealthModule.forRoot({
      app: 'api-gateway',
      indicators: [DatabaseHealthIndicator, RedisHealthIndicator, KafkaHealthIndicator],
    }),
  ],
  providers: [configProvider(GatewayEnv)],
})
export class ApiGatewayModule {}
