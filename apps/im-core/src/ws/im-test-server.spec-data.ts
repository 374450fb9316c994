import { HttpAdapterHost } from '@nestjs/core';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ImPkService } from '../pk/im-pk.service';
import { ChatService } from '../chat/chat.service';
import { ImCoreEnv } from '../config/im-core.env';
import { ConnectionRegistry } from '../connection/connection-registry';
import { ImPresenceService } from '../connection/im-presence.service';
import { ImPushService } from '../push/im-push.service';
import { ImWebSocketServer } from './im-websocket.server';
import { SessionSockets } from './session-sockets';
import type { RedisClient } from '@live/redis';

/** Redis stands aside: `consumeToken` says who a token logs in (null: refused); bindings go nowhere. */
export function presenceStub(consumeToken: (token: string) => number | null): ImPresenceService {
  const none = () => Promise.resolve();
  return {
    nodeId: 'unit-node',
    nodeInfo: () => ({
      nodeId: 'unit-node',
      wsUrl: 'ws://127.0.0.1/ws',
      rpcHost: '127.0.0.1',
      rpcPort: 1,
      heartbeatAt: 0,
    }),
    consumeToken: (token: string) => {
      const userId = consumeToken(token);
      return Promise.resolve(userId === null ? null : { userId, sessionId: null });
    },
    ...{ bindUser: none, unbindUser: none, joinRoom: none, leaveRoom: none, refresh: none, withdraw: none },
  } as unknown as ImPresenceService;
}

/**
 * For specs: a real im-core WebSocket server (registry, push, server) on a free local port, with the given
 * presence standing in for Redis and settings on top of the defaults. `close` shuts it down.
 */
export async function startImTestServer(presence: ImPresenceService, settings: Partial<ImCoreEnv> = {}) {
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/ws`;
  const env = Object.assign(new ImCoreEnv(), { IM_CORE_NODE_ID: 'unit-node' }, settings);
  const registry = new ConnectionRegistry(presence);
  const push = new ImPushService(registry, env);
  const server = new ImWebSocketServer(
    { httpAdapter: { getHttpServer: () => http } } as unknown as HttpAdapterHost,
    registry,
    presence,
    push,
    env,
    // No chat here: these specs' sockets send no 5555 (and a room they join replays nothing).
    { say: () => Promise.resolve(null), replay: () => Promise.resolve() } as unknown as ChatService,
    // No PK either: a room they join shows no PK snapshot.
    { snapshot: () => Promise.resolve() } as unknown as ImPkService,
    // No logout channel: sockets bound to no session.
    new SessionSockets({} as RedisClient, 'unit'),
  );
  server.onApplicationBootstrap();
  const close = async (): Promise<void> => {
    await server.onApplicationShutdown();
    await new Promise((resolve) => http.close(resolve));
  };
  return { url, registry, push, server, close };
}
