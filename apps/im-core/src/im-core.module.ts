import { configProvider, HealthModule, LoggingModule } from '@live/common';
import { RedisHealthIndicator, RedisModule } from '@live/redis';
import { Module } from '@nestjs/common';
import { ImCoreEnv } from './config/im-core.env';

@Module({
  imports: [
    LoggingModule.forApp('im-core'),
    RedisModule.forRoot(),
    HealthModule.forRoot({ app: 'im-core', indicators: [RedisHealthIndicator] }),
  ],
  providers: [configProvider(ImCoreEnv)],
})
export class ImCoreModule {}
