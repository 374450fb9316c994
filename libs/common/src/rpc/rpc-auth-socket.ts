import { Logger, Type } from '@nestjs/common';
import { TcpSocket } from '@nestjs/microservices';
import { Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { RefusalLog } from './refusal-log';
import { ReplayGuard, RpcAuth, RpcDirection } from './rpc-auth';
import { RPC_MAX_UNAUTHENTICATED_CONNECTIONS, WaitingConnections } from './rpc-waiting-connections';

export { RefusalLog } from './refusal-log';
export {
  RPC_MAX_UNAUTHENTICATED_CONNECTIONS,
  RPC_MAX_UNAUTHENTICATED_PER_ADDRESS,
  RPC_MIN_WAIT_BEFORE_EVICTION_MS,
} from './rpc-waiting-connections';

/** Largest request frame a server buffers (characters): a settled batch of 1,000 gifts is ~200 KB. */
export const RPC_MAX_REQUEST_CHARS = 4 * 1024 * 1024;
/** The same before a connection's first authenticated request. */
export const RPC_MAX_FIRST_REQUEST_CHARS = 1024 * 1024;
/** Largest answer frame a client buffers (characters). */
export const RPC_MAX_ANSWER_CHARS = 64 * 1024 * 1024;
/** A connection that has not sent one authenticated request by then is closed (a genuine caller writes at once). */
export const RPC_FIRST_FRAME_TIMEOUT_MS = 2_000;
/**
 * Calls one connection may have in the handlers at once (delivered, not yet answered). Past it the listener
 * stops reading that connection until some are answered: TCP then holds the caller's writes. A caller's balanced
 * pool keeps a few hundred at most at full load.
 */
export const RPC_MAX_REQUESTS_IN_FLIGHT = 1_000;
/**
 * Answer characters one connection may leave unsent (its caller not reading them) before the listener stops
 * reading it (frames are written as strings: `writableLength` counts characters; answers are mostly ASCII).
 */
export const RPC_MAX_UNSENT_ANSWER_CHARS = 1024 * 1024;
/** The longest call id taken (Nest's clients send 36-character UUIDs). */
export const RPC_MAX_CALL_ID_CHARS = 64;
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

/**
 * A listener's connection: counts the calls it answers, answers pings itself, and reads no more requests
 * while RPC_MAX_REQUESTS_IN_FLIGHT of its calls are unanswered or RPC_MAX_UNSENT_ANSWER_CHARS of its answers
 * are unsent (a caller that sends without reading can't make the listener hold an unbounded queue of
 * answers or calls; the frames of a chunk already read still go to the handlers). Reading resumes once both
 * are below their bound again.
 */
abstract class AnsweringSocket extends SignedFrameSocket {
  protected readonly receiving = 'request' as const;
  protected readonly sending = 'answer' as const;
  /** The ids of the calls delivered to Nest and not answered yet. */
  private readonly unanswered = new Set<string>();
  private reading = true;

  constructor(
    socket: Socket,
    auth: RpcAuth,
    log: RefusalLog,
    private readonly counter: RpcServedCounter,
  ) {
    super(socket, auth, log);
    socket.on('drain', () => this.readWhileRoom());
  }

  /**
   * A handler's last frame (Nest marks it isDisposed) is one call answered; so is Nest's answer to a pattern
   * without a handler (an error frame, not marked).
   */
  protected override handleSend(message: unknown, callback?: (err?: unknown) => void): void {
    const { id, isDisposed, status } = (message ?? {}) as { id?: unknown; isDisposed?: unknown; status?: unknown };
    if (isDisposed === true) this.counter.served += 1;
    if (typeof id === 'string' && (isDisposed === true || status === 'error')) this.unanswered.delete(id);
    this.writeFrame(message, callback);
    this.readWhileRoom();
  }

  /** A ping is answered here, from the event loop that would run a handler (a caller's liveness probe). */
  protected override deliver(message: unknown): void {
    const { pattern, id } = message as { pattern?: unknown; id?: unknown };
    // Nest stringifies the pattern outside any handler: one nested 5,000 deep threw there and ended the process.
    if (!isFlatPattern(pattern)) return this.refuse('a pattern that is not a string or a flat object');
    if (typeof pattern === 'object' && pattern.cmd === RPC_PING_PATTERN) {
      if (typeof id === 'string') this.writeFrame({ id, response: { pong: true }, isDisposed: true });
      return this.readWhileRoom();
    }
    // Without an id Nest runs the handler as an event: never answered nor counted (none of ours is an event).
    if (typeof id !== 'string' || id.length === 0 || id.length > RPC_MAX_CALL_ID_CHARS)
      return this.refuse(`a call without a string id of 1-${RPC_MAX_CALL_ID_CHARS} characters`);
    if (this.unanswered.has(id)) return this.refuse('a call whose id is already in flight on this connection');
    this.unanswered.add(id);
    super.deliver(message);
    this.readWhileRoom();
  }

  private readWhileRoom(): void {
    const full =
      this.unanswered.size >= RPC_MAX_REQUESTS_IN_FLIGHT || this.socket.writableLength >= RPC_MAX_UNSENT_ANSWER_CHARS;
    if (full === !this.reading) return;
    this.reading = !full;
    if (full) this.socket.pause();
    else this.socket.resume();
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

/** A pattern as Nest's clients send it: a string, or an object of scalars (`{ cmd: '...' }`). */
const isFlatPattern = (p: unknown): p is string | Record<string, unknown> =>
  typeof p === 'string' ||
  (typeof p === 'object' && p !== null && !Array.isArray(p) && Object.values(p).every((v) => typeof v !== 'object'));
