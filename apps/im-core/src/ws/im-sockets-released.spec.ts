import { ImBizCode, ImFrameCode } from '@live/contracts';
import { HttpAdapterHost } from '@nestjs/core';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { ImCoreEnv } from '../config/im-core.env';
import { ConnectionRegistry } from '../connection/connection-registry';
import { ImPresenceService } from '../connection/im-presence.service';
import { ImPushService } from '../push/im-push.service';
import { ImWebSocketServer } from './im-websocket.server';

const SOCKETS = 300;
const USERS = 100;
const ROOMS = 10;

/** Redis stands aside: token `t<user>-<n>` logs user <user> in once; bindings go nowhere. */
const used = new Set<string>();
const presence = {
  nodeId: 'unit-node',
  consumeToken: (token: string) => {
    const m = /^t(\d+)-\d+$/.exec(token);
    if (!m || used.has(token)) return Promise.resolve(null);
    used.add(token);
    return Promise.resolve(Number(m[1]));
  },
  bindUser: () => Promise.resolve(),
  unbindUser: () => Promise.resolve(),
  joinRoom: () => Promise.resolve(),
  leaveRoom: () => Promise.resolve(),
  refresh: () => Promise.resolve(),
  withdraw: () => Promise.resolve(),
} as unknown as ImPresenceService;

/** A socket logged in (URL token and room); resolves once the 1001 answer came. */
async function login(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  const answered = new Promise<void>((resolve) =>
    ws.on('message', (raw: Buffer) => {
      if ((JSON.parse(raw.toString()) as { code: number }).code === ImFrameCode.LOGIN) resolve();
    }),
  );
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  await answered;
  return ws;
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
}

describe('im-core: what a socket holds is released when it closes (issue 23: memory flat however many sockets come and go)', () => {
  let http: Server;
  let server: ImWebSocketServer;
  let push: ImPushService;
  let registry: ConnectionRegistry;
  let url: string;
  /** Every per-socket structure of the node, counted. */
  const stats = () => ({ sockets: server.openSockets(), ...registry.stats(), dedupScopes: push.dedupScopes });

  beforeAll(async () => {
    http = createServer();
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/ws`;
    const env = Object.assign(new ImCoreEnv(), {
      IM_CORE_NODE_ID: 'unit-node',
      IM_CONNECT_BURST_PER_ADDRESS: 10 * SOCKETS,
      IM_CONNECT_RATE_PER_ADDRESS: 10 * SOCKETS,
    });
    registry = new ConnectionRegistry(presence);
    push = new ImPushService(registry, env);
    server = new ImWebSocketServer(
      { httpAdapter: { getHttpServer: () => http } } as unknown as HttpAdapterHost,
      registry,
      presence,
      push,
      env,
    );
    server.onApplicationBootstrap();
  });

  afterAll(async () => {
    await server.onApplicationShutdown();
    await new Promise((resolve) => http.close(resolve));
  });

  it('opens 300 sockets in rounds, pushes unacked messages to them, closes them: every per-socket count returns to 0', async () => {
    const empty = { sockets: 0, connections: 0, users: 0, rooms: 0, pendingMessages: 0, dedupScopes: 0 };
    for (let round = 0; round < 3; round++) {
      const sockets = await Promise.all(
        Array.from({ length: SOCKETS }, (_, i) =>
          login(`${url}?token=t${1 + (i % USERS)}-${round * SOCKETS + i}&roomId=${1 + (i % ROOMS)}&batch=${i % 2}`),
        ),
      );
      // Never acked: each socket keeps them for resending (bounded by IM_MAX_PENDING_PER_SOCKET).
      for (let m = 0; m < 20; m++) {
        for (let r = 1; r <= ROOMS; r++)
          push.pushToRoom(`r${round}-${m}-${r}`, r, ImBizCode.GIFT_FAIL, { requestId: 'x', msg: 'x' });
        push.pushToUsers(`u${round}-${m}`, [1, 2, 3], ImBizCode.GIFT_FAIL, { requestId: 'x', msg: 'x' });
      }
      await new Promise((r) => setImmediate(r)); // the batching sockets' frames leave on the next tick
      const open = stats();
      expect(open).toMatchObject({ sockets: SOCKETS, connections: SOCKETS, users: USERS, rooms: ROOMS });
      expect(open.pendingMessages).toBeGreaterThanOrEqual(SOCKETS * 20);
      expect(open.dedupScopes).toBe(ROOMS + 3);

      for (const ws of sockets) ws.close();
      await until(() => stats().sockets === 0);
      push.sweepDedup();
      expect(stats()).toEqual(empty);
    }
  });
});
