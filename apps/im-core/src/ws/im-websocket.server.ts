import { buildImFrame, ImFrameCode, ImLoginBody } from '@live/contracts';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { RefusalLog } from '@live/common';
import { chatErrorFrame } from '../chat/chat-input';
import { ImPkService } from '../pk/im-pk.service';
import { ChatService } from '../chat/chat.service';
import { ImCoreEnv } from '../config/im-core.env';
import { ConnectionRegistry } from '../connection/connection-registry';
import { ImConnection, ImConnectionLimits } from '../connection/im-connection';
import { ImPresenceService } from '../connection/im-presence.service';
import { ImPushService } from '../push/im-push.service';
import {
  CLOSE_BAD_FRAMES,
  CLOSE_REPLACED,
  CLOSE_SILENT,
  CLOSE_SLOW_CONSUMER,
  CLOSE_UNAUTHORIZED,
  closeWithin,
  foreignAck,
  MAX_BAD_FRAMES,
  parseBatch,
  parseRoomId,
  tooManyRoomSwitches,
  unsentBytesBound,
} from './im-close';
import { parseClientFrame } from './im-frame.parser';
import { SessionSockets } from './session-sockets';
import { SocketBudgets } from './socket-budgets';
import { SocketsBeforeLogin } from './sockets-before-login';
import { SocketState } from './socket-state';
import { UpgradeGate } from './upgrade-gate';

/**
 * The client-facing WebSocket of this node, on the app's HTTP port at /ws (API.md "WebSocket"): login by IM token
 * (URL `?token=&roomId=` or a 1001 frame), heartbeat 1004 (answered; a socket silent for IM_HEARTBEAT_TIMEOUT_MS is
 * closed), 1001 again to switch room (without roomId: leave it), 1002 logout, 1005 acks (of a 1003 by msgId, of 1006
 * batch frames by frameId or frameIds; `batch=1` on the URL or `batch: 1` in a 1001 announces them). A bad frame is answered
 * with `{ code, body: { error } }` and never crashes anything; 20 that cannot be parsed (not JSON, too large, unknown
 * code, malformed body) close the socket. Bounds: README "Real-time push" (tokens, sockets, connects, buffers).
 */
@Injectable()
export class ImWebSocketServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ImWebSocketServer.name);
  private readonly wss: WebSocketServer;
  private readonly sockets = new Map<WebSocket, SocketState>();
  private timers: NodeJS.Timeout[] = [];
  private server: Server | undefined;
  private readonly gate: UpgradeGate;
  private readonly limits: ImConnectionLimits;
  /** Logins refused for their token: anyone can send them, so at most 20 lines per 10 s, then a count. */
  private readonly refusedLogins = new RefusalLog(this.logger, 20, 10_000, 'refused IM logins');
  private readonly budgets: SocketBudgets;
  private readonly beforeLogin: SocketsBeforeLogin;
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void =>
    this.gate.handle(req, socket, (address, query) =>
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, socket, address, query)),
    );

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly registry: ConnectionRegistry,
    private readonly presence: ImPresenceService,
    private readonly push: ImPushService,
    private readonly env: ImCoreEnv,
    private readonly chat: ChatService,
    private readonly pk: ImPkService,
    private readonly sessions: SessionSockets,
  ) {
    // Pings answered here (not by ws itself), so their pongs count toward the socket's unsent bound like any answer.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: env.IM_MAX_FRAME_BYTES * 2, autoPong: false });
    this.beforeLogin = new SocketsBeforeLogin(env.IM_MAX_SOCKETS_BEFORE_LOGIN, this.logger, (ws, state) =>
      this.closeNow(ws, state, CLOSE_UNAUTHORIZED, 'not logged in in time: too many sockets waiting to log in'),
    );
    this.gate = new UpgradeGate(this.logger, env, this.beforeLogin);
    this.budgets = new SocketBudgets(env, this.logger, (conn) => void registry.remove(conn));
    this.limits = {
      maxBufferedBytes: env.IM_MAX_BUFFERED_BYTES,
      maxPending: env.IM_MAX_PENDING_PER_SOCKET,
      maxPendingBytes: env.IM_MAX_PENDING_BYTES_PER_SOCKET,
      roomSwitchesPer10s: env.IM_ROOM_SWITCHES_PER_10S,
      onSlowConsumer: (conn) => this.closeSlowConsumer(conn.ws, conn),
    };
  }

  onApplicationBootstrap(): void {
    this.server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.server.on('upgrade', this.onUpgrade);
    const timeout = this.env.IM_HEARTBEAT_TIMEOUT_MS;
    this.timers = [
      setInterval(() => (this.closeSilent(), this.gate.sweep()), Math.max(100, Math.floor(timeout / 4))),
      setInterval(() => void this.refreshPresence(), Math.min(10_000, Math.max(200, Math.floor(timeout / 3)))),
    ];
    for (const t of this.timers) t.unref();
    void this.refreshPresence();
    this.logger.log(
      `node ${this.env.IM_CORE_NODE_ID}: WebSocket at ${this.presence.nodeInfo().wsUrl}, heartbeat timeout ${timeout} ms`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.server?.off('upgrade', this.onUpgrade);
    await this.presence.withdraw([...this.registry.userIds()], [...this.registry.roomIds()]);
    for (const ws of this.sockets.keys()) ws.terminate();
    this.wss.close();
  }

  readonly openSockets = (): number => this.sockets.size; // logged in or not (specs: 0 once all closed)

  private accept(ws: WebSocket, socket: Duplex, address: string, query: URLSearchParams): void {
    const now = Date.now();
    const state: SocketState = {
      socket,
      address,
      conn: null,
      loginToken: null,
      loginInFlight: false,
      badFrames: 0,
      ...this.budgets.of(now),
      openedAt: now,
      lastSeen: now,
    };
    this.sockets.set(ws, state);
    this.beforeLogin.add(ws, state);
    ws.on(
      'message',
      (data, isBinary) =>
        void this.onMessage(ws, state, isBinary ? '' : data.toString()).catch((err: unknown) => this.fail(ws, err)),
    );
    ws.on('close', () => void this.onClose(ws, state));
    ws.on('error', (err) => this.logger.debug(`socket error: ${err.message}`));
    this.budgets.watch(ws, state);
    ws.on('ping', (data) => this.budgets.spend(ws, state) && this.answer(ws, () => ws.pong(data)));
    const token = query.get('token');
    if (!token) return;
    const batch = parseBatch(query.get('batch'));
    // Not logged in (the token stays unused): the client may log in with a 1001 instead.
    if (batch === 'invalid') return this.badFrame(ws, state, 'login URL: batch must be 0 or 1');
    const roomId = parseRoomId(query.get('roomId')) ?? undefined;
    void this.login(ws, state, { token, roomId, batch }).catch((err: unknown) => this.fail(ws, err));
  }

  private async onMessage(ws: WebSocket, state: SocketState, raw: string): Promise<void> {
    if (ws.readyState !== ws.OPEN) return; // closed by the server: what it sends meanwhile is not acted on
    state.lastSeen = Date.now();
    if (state.conn) state.conn.lastSeen = state.lastSeen;
    const parsed = parseClientFrame(raw, this.env.IM_MAX_FRAME_BYTES);
    // An ack is free while it matches a write of a frame asking for one (resends too: acks follow the pushes);
    // any other frame costs a token.
    const ack =
      parsed.ok && parsed.frame.code === ImFrameCode.ACK && state.conn
        ? this.push.ack(state.conn, parsed.frame.body)
        : null;
    const free = (ack === 'acked' || ack === 'unknown') && (state.conn!.takeAckCredit() || ack === 'acked');
    if (free || !this.budgets.spend(ws, state)) return;
    if (!parsed.ok) return this.badFrame(ws, state, parsed.error);
    const frame = parsed.frame;
    // A 1001 on a logged-in socket switches room (presence writes, a history replay): a few per 10 s, or a bad frame.
    if (frame.code === ImFrameCode.LOGIN && state.conn?.takeRoomSwitch() === false)
      return this.badFrame(ws, state, tooManyRoomSwitches(this.env.IM_ROOM_SWITCHES_PER_10S));
    if (frame.code === ImFrameCode.LOGIN) return this.login(ws, state, frame.body);
    // Bad frames: 20 close a socket that keeps sending before it logs in.
    if (!state.conn) return this.badFrame(ws, state, 'log in first (1001 with a token)');
    switch (frame.code) {
      case ImFrameCode.HEARTBEAT:
        return this.send(ws, ImFrameCode.HEARTBEAT);
      case ImFrameCode.ACK:
        return ack === 'wrong-user' ? this.send(ws, 0, foreignAck(frame.body)) : undefined;
      case ImFrameCode.LOGOUT:
        return closeWithin(ws, 1000, 'logged out');
      case ImFrameCode.BIZ: {
        const answer = chatErrorFrame(await this.chat.say(state.conn, frame.body.data));
        if (answer) return answer.badFrame ? this.badFrame(ws, state, answer.body) : this.send(ws, 0, answer.body);
        return;
      }
    }
  }

  /**
   * First login binds the socket to its user (the token is used up); a later one switches or leaves the
   * room, with the same token or a new one of the same user. A socket that closes while its login is in
   * flight is never registered, or is removed before it could join a room (registry.setRoom). `batch` 1: the
   * client reads batch frames (1006); absent: as before (off on a first login).
   */
  private async login(ws: WebSocket, state: SocketState, { token, roomId, batch }: ImLoginBody): Promise<void> {
    if (state.loginInFlight)
      return this.send(ws, ImFrameCode.LOGIN, { error: 'a login is already in progress on this socket' });
    if (!state.conn || token !== state.loginToken) {
      state.loginInFlight = true;
      const login = await this.presence.consumeToken(token).finally(() => (state.loginInFlight = false));
      if (login === null || (state.conn && state.conn.userId !== login.userId)) {
        this.refusedLogins.refused(`refused an IM login from ${state.address}: token invalid, expired or used`);
        this.send(ws, ImFrameCode.LOGIN, { error: 'IM token is invalid or expired (each token logs in once)' });
        return closeWithin(ws, CLOSE_UNAUTHORIZED, 'invalid token');
      }
      if (ws.readyState !== ws.OPEN) return;
      state.loginToken = token;
      this.sessions.bind(ws, login.sessionId);
      if (!state.conn) {
        state.conn = new ImConnection(ws, login.userId, state.socket, this.limits);
        this.beforeLogin.remove(ws);
        this.makeRoomFor(login.userId);
        await this.registry.add(state.conn);
      }
    }
    const conn = state.conn;
    if (batch !== undefined) conn.batching = batch === 1;
    const before = conn.roomId;
    await this.registry.setRoom(conn, roomId ?? null);
    if (!this.registry.has(conn)) return;
    const { userId, roomId: joined, batching } = conn;
    this.send(ws, ImFrameCode.LOGIN, { userId, roomId: joined, nodeId: this.env.IM_CORE_NODE_ID, batch: +batching });
    // Joined a room (not the one it was in): its recent chat, after the login answer.
    if (joined !== null && joined !== before) await this.chat.replay(conn, joined);
    // During a PK (issue 21): its current state, a 5558 snapshot, to this socket.
    if (joined !== null && joined !== before) await this.pk.snapshot(conn, joined);
  }

  /** Keeps a user below IM_MAX_SOCKETS_PER_USER before one more joins: the oldest sockets give way (4409). */
  private makeRoomFor(userId: number): void {
    for (const old of this.registry.ofUser(userId)) {
      if (this.registry.ofUser(userId).size < this.env.IM_MAX_SOCKETS_PER_USER) return;
      this.logger.log(
        `user ${userId}: closing its oldest socket, ${this.env.IM_MAX_SOCKETS_PER_USER} is the most per user`,
      );
      void this.registry.remove(old);
      closeWithin(old.ws, CLOSE_REPLACED, 'replaced by a newer connection of this user');
    }
  }

  // A client that stopped reading (its pushes, or the answers to its own frames), past unsentBytesBound: its queue
  // and resends go now, the socket after the close grace.
  private closeSlowConsumer(ws: WebSocket, conn = this.sockets.get(ws)?.conn): void {
    const bound = unsentBytesBound(!!conn, this.env.IM_MAX_BUFFERED_BYTES);
    this.logger.warn(
      `closing a slow consumer (user ${conn?.userId ?? 'not logged in'}, ${this.sockets.get(ws)?.address ?? 'unknown'}): more than ${bound} bytes unsent`,
    );
    if (conn) void this.registry.remove(conn);
    closeWithin(ws, CLOSE_SLOW_CONSUMER, 'slow consumer');
  }

  /** A bad frame's answer: `{ error }`, or a body of its own (a malformed chat message's, with its code). */
  private badFrame(ws: WebSocket, state: SocketState, error: string | object): void {
    state.badFrames += 1;
    this.send(ws, 0, typeof error === 'string' ? { error } : error);
    if (state.badFrames >= MAX_BAD_FRAMES) closeWithin(ws, CLOSE_BAD_FRAMES, 'too many bad frames');
  }

  private async onClose(ws: WebSocket, state: SocketState): Promise<void> {
    this.sockets.delete(ws);
    this.beforeLogin.remove(ws);
    this.sessions.unbind(ws);
    if (state.conn) await this.registry.remove(state.conn);
  }

  /** Closes sockets silent for longer than the heartbeat timeout (4408), and ones not logged in by then (4401). */
  private closeSilent(): void {
    const limit = Date.now() - this.env.IM_HEARTBEAT_TIMEOUT_MS;
    for (const [ws, state] of this.sockets) {
      const late = !state.conn && !state.loginInFlight && state.openedAt < limit;
      if (!late && state.lastSeen >= limit) continue;
      const [code, why] = late ? [CLOSE_UNAUTHORIZED, 'not logged in in time'] : [CLOSE_SILENT, 'heartbeat timeout'];
      this.closeNow(ws, state, code, why);
    }
  }

  private closeNow(ws: WebSocket, state: SocketState, code: number, reason: string): void {
    ws.close(code, reason);
    ws.terminate(); // a half-open TCP connection never completes the close handshake: dropped now
    void this.onClose(ws, state);
  }

  private refreshPresence(): Promise<void> {
    const { presence, registry } = this;
    return presence
      .refresh([...registry.userIds()], [...registry.roomIds()], presence.nodeInfo())
      .catch((err: unknown) => this.logger.warn(`presence refresh failed (retrying): ${String(err)}`));
  }

  private send(ws: WebSocket, code: number, body?: object): void {
    this.answer(ws, () => ws.send(JSON.stringify(buildImFrame(code as ImFrameCode, body))));
  }

  /** Writes an answer to the client's own frame (a frame, a pong), then holds the socket to its unsent bound. */
  private answer(ws: WebSocket, write: () => void): void {
    if (ws.readyState !== ws.OPEN) return;
    write();
    if (ws.bufferedAmount > unsentBytesBound(!!this.sockets.get(ws)?.conn, this.env.IM_MAX_BUFFERED_BYTES))
      this.closeSlowConsumer(ws);
  }

  private fail(ws: WebSocket, err: unknown): void {
    this.logger.error(`socket handling failed: ${err instanceof Error ? err.message : String(err)}`);
    this.send(ws, 0, { error: 'internal error, try again' });
  }
}
