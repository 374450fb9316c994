import { configProvider, HealthModule, LoggingModule } from '@live/common';
import { KAFKA_TOPIC_SPECS } from '@live/contracts';
import { DatabaseHealthIndicator, DatabaseModule } from '@live/database';
import { KafkaHealthIndicator, KafkaModule } from '@live/kafka';
import { RedisHealthIndicator, RedisModule } from '@live/redis';
import { Module } from '@nestjs/common';
import { GiftServiceEnv } from './config/gift-service.env';
import { GiftConfigEntity } from './gift-config/entities/gift-config.entity';
import { GiftRecordEntity } from './gift-record/entities/gift-record.entity';

@Module({
  imports: [
    LoggingModule.forApp('gift-service'),
    RedisModule.forRoot(),
    DatabaseModule.forRoot({ entities: [GiftConfigEntity, GiftRecordEntity] }),
    KafkaModule.forRoot({ clientId: 'gift-service', topics: KAFKA_TOPIC_SPECS }),
    HealthModule.forRoot({
      app: 'gift-service',
      indicators: [DatabaseHealthIndicator, RedisHealthIndicator, KafkaHealthIndicator],
    }),
  ],
  providers: [configProvider(GiftServiceEnv)],
})
export class GiftServiceModule {}
