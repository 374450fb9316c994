import { clientAddress, RefusalLog, requestArrived } from '@live/common';
import type { Logger } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { AddressRateLimiter, RefusedConnects } from './address-rate-limiter';
import { ImCoreEnv } from '../config/im-core.env';
import { BAD_UPGRADE_URL, TOO_MANY_CONNECTIONS, TOO_MANY_WAITING, WS_PATH } from './im-close';
import { SocketsBeforeLogin } from './sockets-before-login';

/**
 * What an HTTP upgrade passes before it becomes a WebSocket: a request target that is a URL (else 400 with the
 * envelope), the path /ws (else 404), the per-address connect limit (else 429), room on the node for one more socket
 * not logged in yet (`makeRoom`: SocketsBeforeLogin; else 503). Anyone can send an upgrade, and it
 * is handled inside the HTTP server's parser callback, where a throw is uncaught and ends the process (every
 * socket of the node with it): none escapes `handle`, the connection is dropped and logged instead; nor does
 * an error of the socket itself (a reset while it is answered).
 */
export class UpgradeGate {
  private readonly connectLimiter: AddressRateLimiter;
  private readonly refusedConnects: RefusedConnects;
  /** Upgrades that threw (a bug, not an input: inputs are answered): at most 20 lines per 10 s. */
  private readonly failedUpgrades: RefusalLog;
  /** Upgrades refused because the node was full of sockets waiting to log in. */
  private readonly refusedFull: RefusalLog;

  constructor(
    logger: Logger,
    env: Pick<ImCoreEnv, 'IM_CONNECT_RATE_PER_ADDRESS' | 'IM_CONNECT_BURST_PER_ADDRESS'>,
    private readonly waiting: Pick<SocketsBeforeLogin, 'makeRoom'>,
  ) {
    this.connectLimiter = new AddressRateLimiter(env.IM_CONNECT_RATE_PER_ADDRESS, env.IM_CONNECT_BURST_PER_ADDRESS);
    this.refusedConnects = new RefusedConnects(logger);
    this.failedUpgrades = new RefusalLog(logger, 20, 10_000, 'failed WebSocket upgrades');
    this.refusedFull = new RefusalLog(logger, 20, 10_000, 'upgrades refused: too many sockets waiting to log in');
  }

  /** Calls `admitted` with the client's address and the URL's query once the upgrade passed; else answers it. */
  handle(req: IncomingMessage, socket: Duplex, admitted: (address: string, query: URLSearchParams) => void): void {
    // The HTTP server no longer listens for this socket's errors once it is handed to 'upgrade': a client that
    // resets it while its 400 / 404 / 429 is written would raise an error with no listener, which ends the
    // process too (a reviewer's finding). ws adds its own listener to the sockets it takes.
    socket.on('error', () => socket.destroy());
    requestArrived(req.socket);
    try {
      const url = upgradeUrl(req.url);
      if (!url) return refuse(socket, BAD_UPGRADE_URL);
      if (url.pathname !== WS_PATH) return refuse(socket, 'HTTP/1.1 404 Not Found\r\n\r\n');
      // IPv4 as is, IPv6 by its /64 (one subscriber's block): the key of the per-address connect limit.
      const address = clientAddress(req.socket.remoteAddress);
      if (!this.connectLimiter.take(address)) {
        this.refusedConnects.note(address);
        return refuse(socket, TOO_MANY_CONNECTIONS);
      }
      if (!this.waiting.makeRoom()) {
        this.refusedFull.refused(`refused an upgrade from ${address}: the node is full of sockets waiting to log in`);
        return refuse(socket, TOO_MANY_WAITING);
      }
      admitted(address, url.searchParams);
    } catch (err: unknown) {
      socket.destroy();
      this.failedUpgrades.refused(`upgrade of ${JSON.stringify(req.url)} failed: ${String(err)}`);
    }
  }

  /** Drops the addresses whose buckets are full again (the owner's timer). */
  sweep(): void {
    this.connectLimiter.sweep();
  }
}

/**
 * Answers a refused upgrade and closes the connection once the answer is written: an upgrade's socket has no
 * timeout left (Node takes it off), so a client that reads the answer and keeps its side open would hold it
 * for good (a reviewer's finding; ws's own refusals do the same).
 */
function refuse(socket: Duplex, answer: string): void {
  socket.once('finish', () => socket.destroy());
  socket.end(answer);
}

/** The request target of an upgrade as a URL, or null when it is not one (`GET http://[ HTTP/1.1`, say). */
function upgradeUrl(target: string | undefined): URL | null {
  try {
    return new URL(target ?? '/', 'http://localhost');
  } catch {
    return null;
  }
}
