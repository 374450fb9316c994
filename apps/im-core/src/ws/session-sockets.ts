import { logoutChannelName } from '@live/contracts';
import type { RedisClient } from '@live/redis';
import { Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import WebSocket from 'ws';
import { CLOSE_UNAUTHORIZED, closeWithin } from './im-close';

/**
 * The sockets of this node by the login session their IM token was issued to, and the logouts api-gateway
 * publishes (session ids, on its logout channel): a session that logs out (or is pushed out by
 * GATEWAY_SESSIONS_PER_USER) has its sockets closed, 4401 "logged out" (an attacker pass, 2026-12-01: after
 * a logout the open socket chatted on, and an IM token fetched before it still logged in; ImTokenReader now
 * refuses the latter). Entries only for open sockets: released by their close. While the subscription is down a
 * logout is missed (logged): the socket then lives until its client leaves, as before.
 */
export class SessionSockets implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SessionSockets.name);
  private readonly bySession = new Map<string, Set<WebSocket>>();
  private readonly sessionOf = new Map<WebSocket, string>();
  private subscriber: RedisClient | undefined;

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
    // ioredis subscribes again by itself after a reconnect.
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
