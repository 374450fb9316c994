import { OldestFirstBound, RefusalLog } from '@live/common';
import type { Logger } from '@nestjs/common';
import type WebSocket from 'ws';
import { SocketState } from './socket-state';

/** A socket waiting to log in this young is never closed to make room (the newcomer is refused instead). */
export const MIN_WAIT_BEFORE_EVICTION_MS = 1_000;

export type SocketsBeforeLogin = OldestFirstBound<WebSocket, SocketState>;

/**
 * This node's sockets that have not logged in yet, under a node-wide bound (IM_MAX_SOCKETS_BEFORE_LOGIN). Every
 * other bound on such a socket is per address (an IPv6 client by its /64: 256 connections, 10 new a second), so
 * whoever holds many addresses could fill the node with sockets that never log in (an attacker pass, 2026-12-03;
 * each may hold 16 KiB unsent and 16 KiB of frame for the heartbeat timeout). At the bound, a new upgrade closes
 * the oldest that has had a second to log in and is not logging in now (`close`: 4401); when none has, the
 * upgrade is refused (503) and the client tries again.
 */
export function socketsBeforeLogin(
  max: number,
  logger: Logger,
  close: (ws: WebSocket, state: SocketState) => void,
): SocketsBeforeLogin {
  // Anyone can cause them: at most 20 lines per 10 s, then a count.
  const evictions = new RefusalLog(logger, 20, 10_000, 'sockets not logged in closed to make room');
  return new OldestFirstBound<WebSocket, SocketState>({
    max,
    minWaitMs: MIN_WAIT_BEFORE_EVICTION_MS,
    since: (state) => state.openedAt,
    busy: (state) => state.loginInFlight,
    evict: (ws, state, waited) => {
      evictions.refused(`closed a socket of ${state.address} not logged in after ${waited} ms: ${max} sockets waiting`);
      close(ws, state);
    },
  });
}
