import { buildImFrame, ImFrameCode } from '@live/contracts';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { ImCoreEnv } from '../config/im-core.env';
import { ConnectionRegistry } from '../connection/connection-registry';
import { ImConnection } from '../connection/im-connection';
import { ImNodeInfo, ImPresenceService } from '../connection/im-presence.service';
import { ImPushService } from '../push/im-push.service';
import { parseClientFrame } from './im-frame.parser';

export const WS_PATH = '/ws';
/** Close codes: 4401 not logged in (bad / expired token, or none in time), 4400 too many bad frames, 4408 silent too long. */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_BAD_FRAMES = 4400;
export const CLOSE_SILENT = 4408;
const MAX_BAD_FRAMES = 20;

interface SocketState {
  socket: Duplex;
  conn: ImConnection | null;
  badFrames: number;
  openedAt: number;
  lastSeen: number;
}

/**
 * The client-facing WebSocket of this node, on the app's HTTP port at /ws (API.md "WebSocket"):
 * login by IM token (URL `?token=&roomId=` or a 1001 frame), heartbeat 1004 (answered; a socket silent
 * for IM_HEARTBEAT_TIMEOUT_MS is closed), 1001 again to switch room (without roomId: leave it),
 * 1002 logout, 1005 acks. A bad frame is answered with `{ code, body: { error } }` and never crashes
 * anything; 20 of them close the socket.
 */
@Injectable()
export class ImWebSocketServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ImWebSocketServer.name);
  private readonly wss: WebSocketServer;
  private readonly sockets = new Map<WebSocket, SocketState>();
  private timers: NodeJS.Timeout[] = [];
  private server: Server | undefined;
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => this.upgrade(req, socket, head);

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly registry: ConnectionRegistry,
    private readonly presence: ImPresenceService,
    private readonly push: ImPushService,
    private readonly env: ImCoreEnv,
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: env.IM_MAX_FRAME_BYTES * 2 });
  }

  onApplicationBootstrap(): void {
    this.server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.server.on('upgrade', this.onUpgrade);
    const timeout = this.env.IM_HEARTBEAT_TIMEOUT_MS;
    this.timers = [
      setInterval(() => this.closeSilent(), Math.max(100, Math.floor(timeout / 4))),
      setInterval(() => void this.refreshPresence(), Math.min(10_000, Math.max(200, Math.floor(timeout / 3)))),
    ];
    for (const t of this.timers) t.unref();
    void this.refreshPresence();
    this.logger.log(`node ${this.env.IM_CORE_NODE_ID}: WebSocket at ${this.nodeInfo().wsUrl}, heartbeat timeout ${timeout} ms`);
  }

  async onApplicationShutdown(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.server?.off('upgrade', this.onUpgrade);
    await this.presence.withdraw([...this.registry.userIds()], [...this.registry.roomIds()]);
    for (const ws of this.sockets.keys()) ws.terminate();
    this.wss.close();
  }

  nodeInfo(): ImNodeInfo {
    const e = this.env;
    return {
      nodeId: e.IM_CORE_NODE_ID,
      wsUrl: `ws://${e.IM_CORE_ADVERTISED_HOST}:${e.IM_CORE_WS_PORT}${WS_PATH}`,
      rpcHost: e.IM_CORE_ADVERTISED_HOST,
      rpcPort: e.IM_CORE_RPC_PORT,
      heartbeatAt: Date.now(),
    };
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== WS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, socket, url.searchParams));
  }

  private accept(ws: WebSocket, socket: Duplex, query: URLSearchParams): void {
    const state: SocketState = { socket, conn: null, badFrames: 0, openedAt: Date.now(), lastSeen: Date.now() };
    this.sockets.set(ws, state);
    ws.on('message', (data, isBinary) => void this.onMessage(ws, state, isBinary ? '' : data.toString()).catch((err: unknown) => this.fail(ws, err)));
    ws.on('close', () => void this.onClose(ws, state));
    ws.on('error', (err) => this.logger.debug(`socket error: ${err.message}`));
    const token = query.get('token');
    if (token) void this.login(ws, state, token, parseRoomId(query.get('roomId'))).catch((err: unknown) => this.fail(ws, err));
  }

  private async onMessage(ws: WebSocket, state: SocketState, raw: string): Promise<void> {
    state.lastSeen = Date.now();
    if (state.conn) state.conn.lastSeen = state.lastSeen;
    const parsed = parseClientFrame(raw, this.env.IM_MAX_FRAME_BYTES);
    if (!parsed.ok) return this.badFrame(ws, state, parsed.error);
    const frame = parsed.frame;
    if (frame.code === ImFrameCode.LOGIN) return this.login(ws, state, frame.body.token, frame.body.roomId ?? null);
    if (!state.conn) return this.badFrame(ws, state, 'log in first (1001 with a token)');
    switch (frame.code) {
      case ImFrameCode.HEARTBEAT:
        return this.send(ws, ImFrameCode.HEARTBEAT);
      case ImFrameCode.ACK:
        this.push.ack(state.conn, frame.body.msgId);
        return;
      case ImFrameCode.LOGOUT:
        ws.close(1000, 'logged out');
        return;
    }
  }

  /** First login binds the socket to its user; a later one (same user) switches or leaves the room. */
  private async login(ws: WebSocket, state: SocketState, token: string, roomId: number | null): Promise<void> {
    const userId = await this.presence.userOfToken(token);
    if (userId === null || (state.conn && state.conn.userId !== userId)) {
      this.send(ws, ImFrameCode.LOGIN, { error: 'IM token is invalid or expired' });
      ws.close(CLOSE_UNAUTHORIZED, 'invalid token');
      return;
    }
    if (ws.readyState !== ws.OPEN) return;
    if (!state.conn) {
      state.conn = new ImConnection(ws, userId, state.socket);
      await this.registry.add(state.conn);
    }
    await this.registry.setRoom(state.conn, roomId);
    this.send(ws, ImFrameCode.LOGIN, { userId, roomId, nodeId: this.env.IM_CORE_NODE_ID });
  }

  private badFrame(ws: WebSocket, state: SocketState, error: string): void {
    state.badFrames += 1;
    this.send(ws, 0, { error });
    if (state.badFrames >= MAX_BAD_FRAMES) ws.close(CLOSE_BAD_FRAMES, 'too many bad frames');
  }

  private async onClose(ws: WebSocket, state: SocketState): Promise<void> {
    this.sockets.delete(ws);
    if (state.conn) await this.registry.remove(state.conn);
  }

  /** Closes sockets silent for longer than the heartbeat timeout (and ones that never logged in). */
  private closeSilent(): void {
    const limit = Date.now() - this.env.IM_HEARTBEAT_TIMEOUT_MS;
    for (const [ws, state] of this.sockets) {
      if (state.lastSeen >= limit) continue;
      this.logger.debug(`closing a socket silent for ${Date.now() - state.lastSeen} ms (user ${state.conn?.userId ?? 'none'})`);
      ws.close(CLOSE_SILENT, 'heartbeat timeout');
      // A half-open TCP connection never completes the close handshake: drop it now.
      ws.terminate();
      void this.onClose(ws, state);
    }
  }

  private async refreshPresence(): Promise<void> {
    try {
      await this.presence.refresh([...this.registry.userIds()], [...this.registry.roomIds()], this.nodeInfo());
    } catch (err: unknown) {
      this.logger.warn(`presence refresh failed (retrying): ${String(err)}`);
    }
  }

  private send(ws: WebSocket, code: number, body?: object): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(buildImFrame(code as ImFrameCode, body)));
  }

  private fail(ws: WebSocket, err: unknown): void {
    this.logger.error(`socket handling failed: ${err instanceof Error ? err.message : String(err)}`);
    this.send(ws, 0, { error: 'internal error, try again' });
  }
}

function parseRoomId(value: string | null): number | null {
  if (value === null || !/^\d{1,16}$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}
