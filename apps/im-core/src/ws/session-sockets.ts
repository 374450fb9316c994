import { logoutChannelName, userSessionKey } from '@live/contracts';
import type { RedisClient } from '@live/redis';
import { Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import WebSocket from 'ws';
import { CLOSE_UNAUTHORIZED, closeWithin } from './im-close';

/**
 * The sockets of this node by the login session their IM token was issued to, and the logouts api-gateway
 * publishes (session ids, on its logout channel): a session that logs out (or is pushed out by
 * GATEWAY_SESSIONS_PER_USER) has its sockets closed, 4401 "logged out" (an attacker pass, 2026-12-01: after
 * a logout the open socket chatted on, and an IM token fetched before it still logged in; ImTokenReader now
 * refuses the latter). Entries only for open sockets: released by their close. A logout published while the
 * subscription was down is caught when it is back: every session with a socket here is looked up once (EXISTS),
 * and those gone are closed as if heard.
 */
export class SessionSockets implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SessionSockets.name);
  private readonly bySession = new Map<string, Set<WebSocket>>();
  private readonly sessionOf = new Map<WebSocket, string>();
  private subscriber: RedisClient | undefined;
  private connectedBefore = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  onModuleInit(): void {
    const channel = logoutChannelName(this.prefix);
    const subscriber = this.redis.duplicate();
    this.subscriber = subscriber;
    subscriber.on('message', (from: string, sessionId: string) => from === channel && this.loggedOut(sessionId));
    subscriber.on('error', (err: Error) =>
      this.logger.warn(`logout channel: ${err.message} (logouts missed meanwhile)`),
    );
    // ioredis subscribes again by itself after a reconnect; what was published meanwhile is looked up.
    subscriber.on('ready', () => {
      if (this.connectedBefore) void this.sweep();
      this.connectedBefore = true;
    });
    subscriber.subscribe(channel).catch((err: Error) => this.logger.warn(`logout channel: ${err.message}`));
  }

  async onModuleDestroy(): Promise<void> {
    this.subscriber?.disconnect();
  }

  /** The socket logged in for this session (null: a token of before session binding, never closed by a logout). */
  bind(ws: WebSocket, sessionId: string | null): void {
    this.unbind(ws);
    if (sessionId === null) return;
    this.sessionOf.set(ws, sessionId);
    const sockets = this.bySession.get(sessionId) ?? new Set<WebSocket>();
    this.bySession.set(sessionId, sockets.add(ws));
  }

  unbind(ws: WebSocket): void {
    const sessionId = this.sessionOf.get(ws);
    if (sessionId === undefined) return;
    this.sessionOf.delete(ws);
    const sockets = this.bySession.get(sessionId);
    sockets?.delete(ws);
    if (sockets?.size === 0) this.bySession.delete(sessionId);
  }

  get size(): number {
    return this.sessionOf.size;
  }

  /** The sessions with a socket here whose key is gone (logged out while the subscription was down): closed. */
  async sweep(): Promise<void> {
    const sessions = [...this.bySession.keys()];
    const found = await Promise.all(
      sessions.map((id) => this.redis.exists(userSessionKey(this.prefix, id)).catch(() => 1)), // unknown: kept
    );
    const gone = sessions.filter((_, i) => found[i] === 0);
    if (gone.length > 0) this.logger.warn(`${gone.length} session(s) logged out while the logout channel was down`);
    for (const id of gone) this.loggedOut(id);
  }

  private loggedOut(sessionId: string): void {
    const sockets = this.bySession.get(sessionId);
    if (!sockets) return; // a ping, or a session with no socket here
    this.logger.log(`session logged out: closing its ${sockets.size} socket(s)`);
    for (const ws of [...sockets]) {
      this.unbind(ws);
      closeWithin(ws, CLOSE_UNAUTHORIZED, 'logged out');
    }
  }
}
