import { Logger, Type } from '@nestjs/common';
import { TcpSocket } from '@nestjs/microservices';
import { Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { RefusalLog } from './refusal-log';
import { ReplayGuard, RpcAuth, RpcDirection } from './rpc-auth';

export { RefusalLog } from './refusal-log';

/** Largest request frame a server buffers (characters): a settled batch of 1,000 gifts is ~200 KB. */
export const RPC_MAX_REQUEST_CHARS = 4 * 1024 * 1024;
/** The same before a connection's first authenticated request. */
export const RPC_MAX_FIRST_REQUEST_CHARS = 1024 * 1024;
/** Connections of one listener still waiting for their first authenticated request (see rpcServerSocketClass). */
export const RPC_MAX_UNAUTHENTICATED_CONNECTIONS = 64;
/** The same, from one remote address. */
export const RPC_MAX_UNAUTHENTICATED_PER_ADDRESS = 8;
/** Largest answer frame a client buffers (characters). */
export const RPC_MAX_ANSWER_CHARS = 64 * 1024 * 1024;
/** A waiting connection this young is never evicted for a newcomer from another address (the newcomer is refused). */
export const RPC_MIN_WAIT_BEFORE_EVICTION_MS = 1_000;
/** A connection that has not sent one authenticated request by then is closed (a genuine caller writes at once). */
export const RPC_FIRST_FRAME_TIMEOUT_MS = 2_000;
/** A signed request of this pattern is answered `{ pong: true }` by the listener itself (no handler, not counted). */
export const RPC_PING_PATTERN = 'rpc.ping';

/** Calls a listener answered (a handler's last frame sent), since it started: /health's `rpc.served`. */
export class RpcServedCounter {
  served = 0;
}

/**
 * Nest's TCP framing (`<length>#<content>`, length in characters) with a signed content (RpcAuth).
 * Never throws from the data path: a bad frame is logged with the peer's address and the connection
 * is destroyed, so nothing reaches a handler and the sender gets no answer.
 */
abstract class SignedFrameSocket extends TcpSocket {
  private readonly decoder = new StringDecoder('utf8');
  private buffer = '';
  private expected = -1;
  protected refused = false;

  constructor(
    socket: Socket,
    protected readonly auth: RpcAuth,
    protected readonly log: RefusalLog,
  ) {
    super(socket);
  }

  protected abstract readonly receiving: RpcDirection;
  protected abstract readonly sending: RpcDirection;
  /** The nonce of the next frame sent. */
  protected abstract nextNonce(): string;
  /** After the signature: null to accept, else the reason to refuse. */
  protected abstract admit(frame: { connection: string; seq: number; ts: number }): string | null;
  /** The largest frame buffered now (characters). */
  protected abstract frameLimit(): number;

  protected handleSend(message: unknown, callback?: (err?: unknown) => void): void {
    this.writeFrame(message, callback);
  }

  protected writeFrame(message: unknown, callback?: (err?: unknown) => void): void {
    const content = this.auth.seal(this.sending, JSON.stringify(message), this.nextNonce());
    this.socket.write(`${content.length}#${content}`, 'utf-8', callback);
  }

  protected handleData(raw: Buffer | string): void {
    if (this.refused) return;
    this.buffer += typeof raw === 'string' ? raw : this.decoder.write(raw);
    let pos = 0;
    while (!this.refused) {
      if (this.expected < 0) {
        const hash = this.buffer.indexOf('#', pos);
        if (hash < 0) {
          if (this.buffer.length - pos > 12) this.refuse('a frame without a length prefix');
          break;
        }
        const digits = this.buffer.slice(pos, hash);
        if (!/^\d{1,12}$/.test(digits)) {
          this.refuse('a frame without a length prefix');
          break;
        }
        const length = Number(digits);
        if (length > this.frameLimit()) {
          this.refuse(`a frame of ${length} characters (limit ${this.frameLimit()})`);
          break;
        }
        this.expected = length;
        pos = hash + 1;
      }
      if (this.buffer.length - pos < this.expected) break;
      const content = this.buffer.slice(pos, pos + this.expected);
      pos += this.expected;
      this.expected = -1;
      this.receive(content);
    }
    this.buffer = this.refused ? '' : this.buffer.slice(pos);
  }

  private receive(content: string): void {
    const opened = this.auth.open(this.receiving, content);
    const claims = opened.caller ? ` (claims to be ${opened.caller})` : '';
    if (!opened.ok) return this.refuse(`${opened.reason}${claims}`);
    const why = this.admit(opened);
    if (why) return this.refuse(`${why}${claims}`);
    let message: unknown;
    try {
      message = JSON.parse(opened.json);
    } catch {
      return this.refuse(`a signed frame that is not JSON${claims}`);
    }
    this.deliver(message ?? {});
  }

  /** A signed, admitted request or answer: to Nest. */
  protected deliver(message: unknown): void {
    this.socket.emit('message', message);
  }

  refuse(why: string): void {
    if (this.refused) return;
    this.refused = true;
    this.buffer = '';
    const peer = `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? '?'}`;
    this.log.refused(`${this.auth.name} refused an RPC ${this.receiving} from ${peer}: ${why}; connection closed`);
    this.socket.destroy();
  }
}

interface Waiting {
  readonly address: string;
  readonly since: number;
  refuse(why: string): void;
}

/**
 * The connections of one listener still waiting for their first signed request, by remote address (see
 * rpcServerSocketClass for the rules).
 */
class WaitingConnections<C extends Waiting> {
  private readonly byAddress = new Map<string, Set<C>>();
  private total = 0;

  /** Makes room for `conn` (closing another when over a bound) and counts it; false: refuse `conn` itself. */
  admit(conn: C): boolean {
    const mine = this.byAddress.get(conn.address) ?? new Set<C>();
    if (mine.size >= RPC_MAX_UNAUTHENTICATED_PER_ADDRESS) {
      oldestOf(mine)?.refuse(
        `evicted: more than ${RPC_MAX_UNAUTHENTICATED_PER_ADDRESS} connections from ${conn.address} waiting for their first signed request`,
      );
    } else if (this.total >= RPC_MAX_UNAUTHENTICATED_CONNECTIONS) {
      const why = `evicted: more than ${RPC_MAX_UNAUTHENTICATED_CONNECTIONS} connections waiting for their first signed request`;
      const busiest = [...this.byAddress.values()].reduce((a, b) => (b.size > a.size ? b : a));
      // Many addresses with one connection each: the oldest goes if it has had its chance (a genuine
      // caller signs within milliseconds); if none has, the newcomer is refused instead.
      const victim =
        busiest.size > 1
          ? oldestOf(busiest)
          : oldestOf(new Set([...this.byAddress.values()].flatMap((set) => [...set])));
      if (busiest.size === 1 && victim && Date.now() - victim.since < RPC_MIN_WAIT_BEFORE_EVICTION_MS) return false;
      victim?.refuse(why);
    }
    this.byAddress.set(conn.address, mine.add(conn));
    this.total += 1;
    return true;
  }

  remove(conn: C): void {
    const mine = this.byAddress.get(conn.address);
    if (mine?.delete(conn)) this.total -= 1;
    if (mine?.size === 0) this.byAddress.delete(conn.address);
  }
}

function oldestOf<C extends Waiting>(set: Set<C>): C | undefined {
  let oldest: C | undefined;
  for (const c of set) if (!oldest || c.since < oldest.since) oldest = c;
  return oldest;
}

/** A listener's connection: counts the calls it answers, answers pings itself. */
abstract class AnsweringSocket extends SignedFrameSocket {
  protected readonly receiving = 'request' as const;
  protected readonly sending = 'answer' as const;

  constructor(
    socket: Socket,
    auth: RpcAuth,
    log: RefusalLog,
    private readonly counter: RpcServedCounter,
  ) {
    super(socket, auth, log);
  }

  /** A handler's last frame (Nest marks it isDisposed) is one call answered. */
  protected override handleSend(message: unknown, callback?: (err?: unknown) => void): void {
    if ((message as { isDisposed?: unknown } | null)?.isDisposed === true) this.counter.served += 1;
    this.writeFrame(message, callback);
  }

  /** A ping is answered here, from the event loop that would run a handler (a caller's liveness probe). */
  protected override deliver(message: unknown): void {
    const { pattern, id } = message as { pattern?: { cmd?: unknown }; id?: unknown };
    if (pattern?.cmd !== RPC_PING_PATTERN) return super.deliver(message);
    if (typeof id === 'string') this.writeFrame({ id, response: { pong: true }, isDisposed: true });
  }
}

/**
 * The server side: requests must be signed and fresh (ReplayGuard); answers are signed. Until its first
 * authenticated request a connection may buffer RPC_MAX_FIRST_REQUEST_CHARS, must send it within
 * RPC_FIRST_FRAME_TIMEOUT_MS, and is one of at most RPC_MAX_UNAUTHENTICATED_PER_ADDRESS from its address
 * (past it, that address's oldest waiting connection is closed) and RPC_MAX_UNAUTHENTICATED_CONNECTIONS in
 * all (past it, the oldest waiting connection of the address holding the most is closed). A flood of idle
 * connections therefore only ever evicts the flooder's own, never a genuine caller's from elsewhere (which
 * signs at once anyway), and memory held for unauthenticated peers stays bounded (64 x 1 MiB).
 * One class per listener (the guard, the log and the waiting connections are shared by its connections).
 */
export function rpcServerSocketClass(auth: RpcAuth, logger: Logger, counter = new RpcServedCounter()): Type<TcpSocket> {
  const guard = new ReplayGuard();
  const log = new RefusalLog(logger);
  const waiting = new WaitingConnections<RpcServerSocket>();
  class RpcServerSocket extends AnsweringSocket {
    private firstFrame: NodeJS.Timeout | null = null;
    readonly address: string;
    readonly since = Date.now();

    constructor(socket: Socket) {
      super(socket, auth, log, counter);
      this.address = socket.remoteAddress ?? '?';
      if (!waiting.admit(this)) {
        this.refuse(
          `refused: more than ${RPC_MAX_UNAUTHENTICATED_CONNECTIONS} connections waiting for their first signed request`,
        );
        return;
      }
      this.firstFrame = setTimeout(
        () => this.refuse(`no signed request within ${RPC_FIRST_FRAME_TIMEOUT_MS} ms`),
        RPC_FIRST_FRAME_TIMEOUT_MS,
      );
      this.firstFrame.unref();
      socket.once('close', () => this.stopWaiting());
    }

    protected nextNonce(): string {
      return '-';
    }

    protected frameLimit(): number {
      return this.firstFrame ? RPC_MAX_FIRST_REQUEST_CHARS : RPC_MAX_REQUEST_CHARS;
    }

    protected admit(frame: { connection: string; seq: number; ts: number }): string | null {
      const why = guard.check(frame.connection, frame.seq, frame.ts);
      if (!why) this.stopWaiting();
      return why;
    }

    /** Authenticated or closed: no longer waiting. */
    private stopWaiting(): void {
      waiting.remove(this);
      if (this.firstFrame) clearTimeout(this.firstFrame);
      this.firstFrame = null;
    }
  }
  return RpcServerSocket;
}

/** The client side: requests are signed (a fresh connection id per connection), answers must be. */
export function rpcClientSocketClass(auth: RpcAuth, logger: Logger): Type<TcpSocket> {
  const log = new RefusalLog(logger);
  return class RpcClientSocket extends SignedFrameSocket {
    protected readonly receiving = 'answer' as const;
    protected readonly sending = 'request' as const;
    private readonly connection = RpcAuth.newConnectionId();
    private seq = 0;

    constructor(socket: Socket) {
      super(socket, auth, log);
    }

    protected frameLimit(): number {
      return RPC_MAX_ANSWER_CHARS;
    }

    protected nextNonce(): string {
      this.seq += 1;
      return `${this.connection}.${this.seq}`;
    }

    protected admit(): string | null {
      return null;
    }
  };
}
