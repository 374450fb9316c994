import { configProvider, HealthModule, LoggingModule } from '@live/common';
import { RedisHealthIndicator, RedisModule } from '@live/redis';
import { Module } from '@nestjs/common';
import { ImRouterEnv } from './config/im-router.env';

@Module({
  imports: [
    LoggingModule.forApp('im-router'),
    RedisModule.forRoot(),
    HealthModule.forRoot({ app: 'im-router', indicators: [RedisHealthIndicator] }),
  ],
  providers: [configProvider(ImRouterEnv)],
})
export class ImRouterModule {}
