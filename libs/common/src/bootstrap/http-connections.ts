import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { IntSetting } from '../config/settings';
import { clientAddress } from '../net';

/** Every app's HTTP (and WebSocket) listener: how many connections one address may hold, and how long idle. */
export class HttpServerEnv {
  /**
   * Open TCP connections one client address may hold at once (an HTTP keep-alive connection or a WebSocket each);
   * past it a new one is closed at once. Not applied behind a trusted proxy (GATEWAY_TRUST_PROXY), where every
   * connection comes from the proxy: it must bound its clients itself. 0: no bound.
   */
  @IntSetting(0, 10_000_000)
  HTTP_MAX_CONNECTIONS_PER_ADDRESS: number = 256;

  /**
   * A connection must have its first request's headers (or its WebSocket upgrade) in within this, and may not
   * sit silent this long in the middle of a request: else it is closed (idle sockets, slowloris). Between two
   * requests of a keep-alive connection Fastify's keep-alive timeout (72 s) applies; an upgraded WebSocket is
   * ruled by its heartbeat timeout.
   */
  @IntSetting(1_000, 600_000)
  HTTP_IDLE_TIMEOUT_MS: number = 30_000;
}

/** Connections whose first request has not arrived yet: the timer that closes them if it never does. */
const firstRequestDue = new WeakMap<Socket, NodeJS.Timeout>();

/**
 * A connection's first request arrived: its deadline is over. Called for every request; the app that takes
 * WebSocket upgrades calls it for the upgrades it accepts (im-core's UpgradeGate).
 */
export function requestArrived(socket: Socket): void {
  const due = firstRequestDue.get(socket);
  if (due === undefined) return; // a later request of a keep-alive connection
  clearTimeout(due);
  firstRequestDue.delete(socket);
}

/**
 * Bounds the server's connections (found by an attacker helper: 20,000 connections from one address that never
 * sent a byte stayed open for good and took every file descriptor of the gateway, /health included). Sockets
 * idle past `idleTimeoutMs` are destroyed (Node's server timeout; ws clears it on an upgraded socket), headers
 * must arrive within it, and one client address (clientAddress: an IPv6 /64 is one) holds at most `maxPerAddress`
 * connections (0: unbounded).
 * No 'upgrade' listener here: Node hands a request with `Connection: Upgrade` to the 'upgrade' listeners as soon
 * as there is one, taking the socket's error and timeout listeners off it, so on an app that takes no upgrades
 * such a socket was abandoned, unanswered and unbounded, and a client's reset then ended the process (an error
 * with no listener: a reviewer's finding, 2026-11-30). Without a listener it is an ordinary request.
 */
export function boundConnections(server: Server, limits: { maxPerAddress: number; idleTimeoutMs: number }): void {
  server.timeout = limits.idleTimeoutMs;
  server.headersTimeout = limits.idleTimeoutMs;
  server.requestTimeout = Math.max(server.requestTimeout, limits.idleTimeoutMs);
  // Node checks headersTimeout only every 30 s: a connection's first request (or upgrade) must have its headers
  // in within the idle timeout, checked here (a trickle of header bytes keeps the inactivity timer from firing).
  server.on('request', (req: { socket: Socket }) => requestArrived(req.socket));
  const open = new Map<string, number>(); // connections per address (with a bound)
  server.on('connection', (socket: Socket) => {
    // Keyed as the rate limits are: an IPv6 client by its /64 (else 2^64 budgets), ::ffff:a.b.c.d as a.b.c.d.
    const address = clientAddress(socket.remoteAddress);
    const held = open.get(address) ?? 0;
    if (limits.maxPerAddress > 0 && held >= limits.maxPerAddress) {
      socket.destroy();
      return;
    }
    if (limits.maxPerAddress > 0) open.set(address, held + 1);
    const due = setTimeout(() => socket.destroy(), limits.idleTimeoutMs).unref();
    firstRequestDue.set(socket, due);
    socket.once('close', () => {
      clearTimeout(due);
      if (limits.maxPerAddress === 0) return;
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}
