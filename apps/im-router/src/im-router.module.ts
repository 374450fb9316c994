import { configProvider, HealthModule, LoggingModule } from '@live/common';
import { ImNodeRegistryReader, ImPresenceReader } from '@live/contracts';
import { RedisHealthIndicator, RedisModule, storeReaderProvider } from '@live/redis';
import { Module } from '@nestjs/common';
import { ImRouterEnv } from './config/im-router.env';
import { ImRouterRpcController } from './im-router-rpc.controller';
import { ImNodeClients } from './routing/im-node.clients';
import { ImRouterService } from './routing/im-router.service';

@Module({
  imports: [
    LoggingModule.forApp('im-router'),
    // im-router keeps nothing in Redis: it reads im-core's presence through the readers im-core publishes.
    RedisModule.forRoot(),
    HealthModule.forRoot({ app: 'im-router', indicators: [RedisHealthIndicator] }),
  ],
  controllers: [ImRouterRpcController],
  providers: [
    configProvider(ImRouterEnv),
    storeReaderProvider(ImNodeRegistryReader),
    storeReaderProvider(ImPresenceReader),
    ImNodeClients,
    ImRouterService,
  ],
})
export class ImRouterModule {}
