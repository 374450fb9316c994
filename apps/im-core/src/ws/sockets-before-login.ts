import { RefusalLog } from '@live/common';
import type { Logger } from '@nestjs/common';
import type WebSocket from 'ws';
import { SocketState } from './socket-state';

/** A socket waiting to log in this young is never closed to make room (the newcomer is refused instead). */
export const MIN_WAIT_BEFORE_EVICTION_MS = 1_000;

/**
 * This node's sockets that have not logged in yet, oldest first, under a node-wide bound
 * (IM_MAX_SOCKETS_BEFORE_LOGIN). Every other bound on such a socket is per address (an IPv6 client by its /64: 256
 * connections, 10 new a second), so whoever holds many addresses could fill the node with sockets that never log
 * in (an attacker pass, 2026-12-03: a /48 is 65,536 /64s; each socket may hold 16 KiB unsent and 16 KiB of frame
 * for the heartbeat timeout). At the bound, a new upgrade makes room by closing the oldest socket that has had a
 * second to log in and is not logging in now (a genuine client logs in within milliseconds of its upgrade); when
 * none has, the newcomer is refused (503) and tries again.
 */
export class SocketsBeforeLogin {
  private readonly waiting = new Map<WebSocket, SocketState>();
  /** Anyone can cause them: at most 20 lines per 10 s, then a count. */
  private readonly evictions: RefusalLog;

  constructor(
    private readonly max: number,
    logger: Logger,
    private readonly evict: (ws: WebSocket, state: SocketState) => void,
  ) {
    this.evictions = new RefusalLog(logger, 20, 10_000, 'sockets not logged in closed to make room');
  }

  get size(): number {
    return this.waiting.size;
  }

  /** Room for one more socket (the oldest closed when the node is at the bound); false: refuse the newcomer. */
  makeRoom(now = Date.now()): boolean {
    if (this.waiting.size < this.max) return true;
    for (const [ws, state] of this.waiting) {
      const waited = now - state.openedAt;
      if (waited < MIN_WAIT_BEFORE_EVICTION_MS) return false; // oldest first: the rest are younger
      if (state.loginInFlight) continue;
      this.waiting.delete(ws);
      this.evictions.refused(
        `closed a socket of ${state.address} not logged in after ${waited} ms: ${this.max} sockets waiting to log in`,
      );
      this.evict(ws, state);
      return true;
    }
    return false;
  }

  /** A socket just accepted (its state's openedAt is now: the map stays oldest first). */
  add(ws: WebSocket, state: SocketState): void {
    this.waiting.set(ws, state);
  }

  /** Logged in, or closed. */
  remove(ws: WebSocket): void {
    this.waiting.delete(ws);
  }
}
