import { configProvider, HealthDetails, HealthModule, LoggingModule } from '@live/common';
import { ImTokenReader } from '@live/contracts';
import { ImRedisKeys, RedisHealthIndicator, RedisModule, storeReaderProvider } from '@live/redis';
import { Module, OnApplicationBootstrap } from '@nestjs/common';
import { ImCoreEnv } from './config/im-core.env';
import { ConnectionRegistry } from './connection/connection-registry';
import { ImPresenceService } from './connection/im-presence.service';
import { ImCoreRpcController } from './im-core-rpc.controller';
import { ImPushService } from './push/im-push.service';
import { ImWebSocketServer } from './ws/im-websocket.server';

@Module({
  imports: [
    LoggingModule.forApp('im-core'),
    RedisModule.forRoot(ImRedisKeys),
    HealthModule.forRoot({ app: 'im-core', publicPort: true, indicators: [RedisHealthIndicator] }),
  ],
  controllers: [ImCoreRpcController],
  providers: [
    configProvider(ImCoreEnv),
    storeReaderProvider(ImTokenReader),
    ImPresenceService,
    ConnectionRegistry,
    ImPushService,
    ImWebSocketServer,
  ],
})
export class ImCoreModule implements OnApplicationBootstrap {
  constructor(
    private readonly details: HealthDetails,
    private readonly server: ImWebSocketServer,
    private readonly registry: ConnectionRegistry,
    private readonly push: ImPushService,
  ) {}

  /** /health's details (operators: the token or an internal port) count every per-socket structure. */
  onApplicationBootstrap(): void {
    this.details.add('connections', () => ({
      sockets: this.server.openSockets(),
      ...this.registry.stats(),
      dedupScopes: this.push.dedupScopes,
    }));
  }
}
