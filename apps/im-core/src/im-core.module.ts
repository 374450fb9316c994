import {
  configProvider,
  GIFT_SERVICE_CLIENT,
  HealthDetails,
  HealthModule,
  IM_ROUTER_CLIENT,
  LoggingModule,
  RpcClientsModule,
  rpcTimeout,
} from '@live/common';
import { ChatMuteReader, ImTokenReader, PkStateReader, UserNickReader } from '@live/contracts';
import { DatabaseEnv } from '@live/database';
import { ImRedisKeys, RedisHealthIndicator, RedisModule, storeReaderProvider } from '@live/redis';
import { Module, OnApplicationBootstrap } from '@nestjs/common';
import { ChatEnv } from './chat/chat.env';
import { ChatService } from './chat/chat.service';
import { ChatDatabase } from './chat/chat-database';
import { ChatStore } from './chat/chat.store';
import { LiveRooms } from './chat/live-rooms';
import { ImCoreEnv } from './config/im-core.env';
import { ConnectionRegistry } from './connection/connection-registry';
import { ImPresenceService } from './connection/im-presence.service';
import { ImCoreRpcController } from './im-core-rpc.controller';
import { ImPkService } from './pk/im-pk.service';
import { ImPushService } from './push/im-push.service';
import { ImWebSocketServer } from './ws/im-websocket.server';
import { SessionSockets } from './ws/session-sockets';

@Module({
  imports: [
    LoggingModule.forApp('im-core'),
    RedisModule.forRoot(ImRedisKeys),
    // Not a health indicator: the database down refuses chat (13009), the pushes of gifts go on.
    HealthModule.forRoot({ app: 'im-core', publicPort: true, indicators: [RedisHealthIndicator] }),
    // Chat messages go to their room's nodes (this one included) through im-router, as gift effects do;
    // a PK challenger's session end goes to gift-service (PK_SESSION_ENDED).
    RpcClientsModule.register(
      'im-core',
      [IM_ROUTER_CLIENT, GIFT_SERVICE_CLIENT],
      rpcTimeout(ChatEnv, (e) => e.IM_CHAT_PUSH_TIMEOUT_MS),
    ),
  ],
  controllers: [ImCoreRpcController],
  providers: [
    configProvider(ImCoreEnv),
    configProvider(ChatEnv),
    // Chat asks MariaDB whether a room is live (LivingRoomReader), connected on first use: not needed to start.
    configProvider(DatabaseEnv),
    ChatDatabase,
    storeReaderProvider(ImTokenReader),
    storeReaderProvider(SessionSockets), // (the client, the prefix): the logout channel's subscriber
    storeReaderProvider(ChatMuteReader),
    storeReaderProvider(UserNickReader),
    storeReaderProvider(PkStateReader),
    ImPkService,
    ChatStore,
    LiveRooms,
    ChatService,
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
    private readonly pk: ImPkService,
    private readonly sessions: SessionSockets,
  ) {}

  /** /health's details (operators: the token or an internal port) count every per-socket structure. */
  onApplicationBootstrap(): void {
    this.registry.onUserLeft = (userId, unbound) => this.pk.sessionEnded(userId, unbound);
    this.details.add('connections', () => ({
      sockets: this.server.openSockets(),
      ...this.registry.stats(),
      dedupScopes: this.push.dedupScopes,
      sessionSockets: this.sessions.size,
    }));
  }
}
