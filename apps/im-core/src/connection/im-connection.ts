import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';

/** A business message written to a socket and not acked yet. */
export interface PendingMessage {
  /** The encoded frame, shared by every socket a broadcast went to. */
  frame: Buffer;
  /** When it was last written. */
  sentAt: number;
  /** Writes so far (1 = the first delivery). */
  attempts: number;
}

let nextId = 0;

/** One logged-in WebSocket on this node. A user may hold several (tabs); each has its own id. */
export class ImConnection {
  readonly id = ++nextId;
  roomId: number | null = null;
  lastSeen = Date.now();
  readonly pending = new Map<string, PendingMessage>();
  private corked = false;

  /** `socket` is the TCP stream under `ws` (from the upgrade): writes of one tick are corked into one. */
  constructor(
    readonly ws: WebSocket,
    readonly userId: number,
    private readonly socket?: Duplex,
  ) {}

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
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
  }
}
