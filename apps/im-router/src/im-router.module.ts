import { configProvider, HealthModule, LoggingModule } from '@live/common';
import { RedisHealthIndicator, RedisModule } from '@live/redis';
import { Module } from '@nestjs/common';
import { ImRouterEnv } from './config/im-router.env';
import { ImRouterRpcController } from './im-router-rpc.controller';
import { ImNodeClients } from './routing/im-node.clients';
import { ImRouterService } from './routing/im-router.service';

@Module({
  imports: [
    LoggingModule.forApp('im-router'),
    RedisModule.forRoot(),
    HealthModule.forRoot({ app: 'im-router', indicators: [RedisHealthIndicator] }),
  ],
  controllers: [ImRouterRpcController],
  providers: [configProvider(ImRouterEnv), ImNodeClients, ImRouterService],
})
export class ImRouterModule {}
