import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';

/** A business message written to a socket and not acked yet. */
interface PendingMessage {
  /** The encoded frame, shared by every socket a broadcast went to. */
  frame: Buffer;
  /** When it was last written. */
  sentAt: number;
  /** Writes so far (1 = the first delivery). */
  attempts: number;
}

let nextId = 0;

/** The bounds of one connection (IM_MAX_BUFFERED_BYTES, IM_MAX_PENDING_PER_SOCKET). */
export interface ImConnectionLimits {
  /** Unsent bytes (ws + socket buffers) past which the client is a slow consumer. */
  maxBufferedBytes: number;
  /** Unacked messages kept for resending; past it the oldest is given up. */
  maxPending: number;
  /** Called once, at the first write that leaves more than maxBufferedBytes unsent. */
  onSlowConsumer(conn: ImConnection): void;
}

/** One logged-in WebSocket on this node. A user may hold several (tabs); each has its own id. */
export class ImConnection {
  readonly id = ++nextId;
  roomId: number | null = null;
  lastSeen = Date.now();
  /** Unacked messages by msgId, oldest first; at most limits.maxPending (see track). */
  readonly pending = new Map<string, PendingMessage>();
  private corked = false;
  private slow = false;

  /** `socket` is the TCP stream under `ws` (from the upgrade): writes of one tick are corked into one. */
  constructor(
    readonly ws: WebSocket,
    readonly userId: number,
    private readonly socket?: Duplex,
    private readonly limits?: ImConnectionLimits,
  ) {}

  get open(): boolean {
    return !this.slow && this.ws.readyState === this.ws.OPEN;
  }

  /** Keeps a written message for resending; true when the oldest had to be given up to stay in bound. */
  track(msgId: string, message: PendingMessage): boolean {
    this.pending.delete(msgId);
    this.pending.set(msgId, message);
    if (!this.limits || this.pending.size <= this.limits.maxPending) return false;
    this.pending.delete(this.pending.keys().next().value as string);
    return true;
  }

  /**
   * Writes a text frame already encoded (no per-socket serialization). Every frame written to this
   * socket in the same tick (a batch of room pushes, a resend sweep) leaves in one writev system call
   * instead of one per frame: the socket is corked at the first and uncorked on the next tick.
   */
  write(frame: Buffer): void {
    if (!this.open) return;
    if (this.socket && !this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket?.uncork();
      });
    }
    this.ws.send(frame, { binary: false });
    // bufferedAmount = the socket's unsent bytes + ws's own queue: what a client that stops reading grows.
    if (this.limits && this.ws.bufferedAmount > this.limits.maxBufferedBytes) {
      this.slow = true;
      this.pending.clear();
      this.limits.onSlowConsumer(this);
    }
  }
}
