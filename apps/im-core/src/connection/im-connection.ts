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

  constructor(
    readonly ws: WebSocket,
    readonly userId: number,
  ) {}

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  /** Writes a text frame already encoded (no per-socket serialization). */
  write(frame: Buffer): void {
    if (this.open) this.ws.send(frame, { binary: false });
  }
}
