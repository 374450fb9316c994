import { logoutChannelName, userSessionKey } from '@live/contracts';
import type { RedisClient } from '@live/redis';
import { Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import WebSocket from 'ws';
import { CLOSE_UNAUTHORIZED, closeWithin } from './im-close';

/**
 * The sockets of this node by the login sessions their IM tokens were issued to (the login's, and those of the
 * room switches: a socket belongs to each), and the logouts api-gateway
 * publishes (session ids, on its logout channel): a session that logs out (or is pushed out by
 * GATEWAY_SESSIONS_PER_USER) has its sockets closed, 4401 "logged out" (an attacker pass, 2026-12-01: after
 * a logout the open socket chatted on, and an IM token fetched before it still logged in; ImTokenReader now
 * refuses the latter). Entries only for open sockets: released by their close. A logout heard in the last
 * HEARD_MS closes a socket bound to its session just after (the token was checked before the logout). A logout
 * not heard (published while the subscription was down, given up by the gateway, moved quietly by a Redis
 * Cluster) is caught by a sweep: every session with a socket here looked up (EXISTS,
 * 500 at a time), those gone closed as if heard; at each (re)subscription and every SESSION_SWEEP_MS.
 */
export const SESSION_SWEEP_MS = 60_000;
const SWEEP_CHUNK = 500;
/** How long a heard logout is remembered for the logins bound just after it, and how many at most. */
const HEARD_MS = 10_000;
const HEARD_MAX = 10_000;

export class SessionSockets implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SessionSockets.name);
  private readonly bySession = new Map<string, Set<WebSocket>>();
  /** Every session a socket used a token of (the one it opened with, and those of its room switches: the user's). */
  private readonly sessionsOf = new Map<WebSocket, Set<string>>();
  /** Logouts heard lately (session id -> when), for a login bound just after its session's logout was heard. */
  private readonly heard = new Map<string, number>();
  private subscriber: RedisClient | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private sweeping = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  onModuleInit(): void {
    const channel = logoutChannelName(this.prefix);
    const subscriber = this.redis.duplicate();
    this.subscriber = subscriber;
    subscriber.on(
      'message',
      (from: string, message: string) => from === channel && !message.startsWith('~') && this.hear(message),
    );
    subscriber.on('error', (err: Error) =>
      this.logger.warn(`logout channel: ${err.message} (logouts missed meanwhile)`),
    );
    // At each (re)connection: subscribed (again), then what was published meanwhile looked up.
    subscriber.on('ready', () => {
      subscriber
        .subscribe(channel)
        .then(() => this.sweep())
        .catch((err: Error) =>
          this.logger.warn(`logout channel: ${err.message} (swept again in ${SESSION_SWEEP_MS} ms)`),
        );
    });
    this.sweeper = setInterval(() => void this.sweep(), SESSION_SWEEP_MS).unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.sweeper);
    this.subscriber?.disconnect();
  }

  /** The socket logged in for this session (null: a token of before session binding, never closed by a logout). */
  /**
   * The socket used a token of this session (its login, or a room switch: then it belongs to both sessions, and
   * either's logout closes it). null: a token of before session binding, which adds none. A session whose logout
   * was heard in the last HEARD_MS (between the token's check and this bind) closes the socket at once.
   */
  bind(ws: WebSocket, sessionId: string | null): void {
    if (sessionId === null) return;
    const sessions = this.sessionsOf.get(ws) ?? new Set<string>();
    this.sessionsOf.set(ws, sessions.add(sessionId));
    const sockets = this.bySession.get(sessionId) ?? new Set<WebSocket>();
    this.bySession.set(sessionId, sockets.add(ws));
    if (this.heard.has(sessionId)) this.loggedOut(sessionId);
  }

  unbind(ws: WebSocket): void {
    for (const sessionId of this.sessionsOf.get(ws) ?? []) {
      const sockets = this.bySession.get(sessionId);
      sockets?.delete(ws);
      if (sockets?.size === 0) this.bySession.delete(sessionId);
    }
    this.sessionsOf.delete(ws);
  }

  /** Sockets bound to a session (/health: connections.sessionSockets). */
  get size(): number {
    return this.sessionsOf.size;
  }

  /** The sessions with a socket here whose key is gone (logged out while the subscription was down): closed. */
  async sweep(): Promise<void> {
    if (this.sweeping || this.bySession.size === 0) return;
    this.sweeping = true;
    try {
      const sessions = [...this.bySession.keys()];
      let gone = 0;
      for (let i = 0; i < sessions.length; i += SWEEP_CHUNK) {
        const chunk = sessions.slice(i, i + SWEEP_CHUNK);
        const found = await Promise.all(
          chunk.map((id) => this.redis.exists(userSessionKey(this.prefix, id)).catch(() => 1)), // unknown: next sweep
        );
        const closed = chunk.filter((_, k) => found[k] === 0);
        for (const id of closed) this.loggedOut(id);
        gone += closed.length;
      }
      if (gone > 0) this.logger.warn(`${gone} session(s) logged out without their logout heard here: closed now`);
    } finally {
      this.sweeping = false;
    }
  }

  /** A logout heard: remembered for HEARD_MS (at most HEARD_MAX), and the session's sockets closed. */
  private hear(sessionId: string): void {
    const now = Date.now();
    for (const [id, at] of this.heard) {
      if (now - at < HEARD_MS && this.heard.size < HEARD_MAX) break; // oldest first: the rest are newer
      this.heard.delete(id);
    }
    this.heard.set(sessionId, now);
    this.loggedOut(sessionId);
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
