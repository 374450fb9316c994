import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import { FrameBucket } from './frame-bucket';

/** A business message (1003), or a batch frame of several (1006), written to a socket and not acked yet. */
export interface PendingMessage {
  /** The encoded frame, shared by every socket a broadcast (or the same batch) went to. */
  frame: Buffer;
  /** When it was last written. */
  sentAt: number;
  /** Writes so far (1 = the first delivery). */
  attempts: number;
  /** Business messages in the frame (1 for a 1003). */
  messages: number;
  /**
   * Its bytes counted against limits.maxPendingBytes: the frame's length when it is this socket's own (a history
   * replay, a message to its user), 0 for a room broadcast's frame, which all the room's sockets share.
   */
  ownBytes: number;
}

let nextId = 0;
/** Ack credit kept at most (a number only; see ImConnection.takeAckCredit). */
const ACK_CREDIT_MAX = 100_000;

/** The bounds of one connection (IM_MAX_BUFFERED_BYTES, IM_MAX_PENDING_PER_SOCKET). */
export interface ImConnectionLimits {
  /** Unsent bytes (ws + socket buffers) past which the client is a slow consumer. */
  maxBufferedBytes: number;
  /** Unacked messages kept for resending (a batch frame counts its messages); past it the oldest frame is given up. */
  maxPending: number;
  /**
   * Bytes of the unacked frames kept for resending that are this socket's own (PendingMessage.ownBytes: not a
   * room broadcast's shared frame); past it the oldest frame is given up. Absent: no byte bound.
   */
  maxPendingBytes?: number;
  /** Called once, at the first write that leaves more than maxBufferedBytes unsent. */
  onSlowConsumer(conn: ImConnection): void;
  /** Room switches (1001s once logged in) per 10 s: a burst of this many, refilled evenly. Absent: no limit. */
  roomSwitchesPer10s?: number;
}

/** One logged-in WebSocket on this node. A user may hold several (tabs); each has its own id. */
export class ImConnection {
  readonly id = ++nextId;
  roomId: number | null = null;
  lastSeen = Date.now();
  /** The client announced at login that it reads batch frames (1006): its messages of one tick leave in one. */
  batching = false;
  /**
   * Unacked frames, oldest first, by msgId (a 1003) or by `#<frameId>` (a 1006; `#` is never in a msgId);
   * at most limits.maxPending messages in all (see track).
   */
  private readonly unacked = new Map<string, PendingMessage>();
  private unackedMessages = 0;
  private unackedBytes = 0;
  private corked = false;
  private slow = false;
  /** Writes of frames that ask for an ack (first deliveries and resends) not matched by an ack yet. */
  private ackCredit = 0;
  /** Room switches left (limits.roomSwitchesPer10s): made on the first switch, two numbers. */
  private roomSwitches: FrameBucket | undefined;

  /** `socket` is the TCP stream under `ws` (from the upgrade): writes of one tick are corked into one. */
  constructor(
    readonly ws: WebSocket,
    readonly userId: number,
    private readonly socket?: Duplex,
    private readonly limits?: ImConnectionLimits,
  ) {}

  /** Takes one room switch of this socket: false past limits.roomSwitchesPer10s (the 1001 is refused). */
  takeRoomSwitch(now = Date.now()): boolean {
    const per10s = this.limits?.roomSwitchesPer10s;
    if (per10s === undefined) return true;
    this.roomSwitches ??= new FrameBucket(per10s, per10s / 10, now);
    return this.roomSwitches.take(now);
  }

  get open(): boolean {
    return !this.slow && this.ws.readyState === this.ws.OPEN;
  }

  /** Unacked frames by key (msgId, or `#<frameId>`), oldest first. */
  get pending(): ReadonlyMap<string, PendingMessage> {
    return this.unacked;
  }

  /**
   * Keeps a written frame for resending under `key`; answers how many messages had to be given up (the
   * oldest frames first) to stay within limits.maxPending and limits.maxPendingBytes (the newest frame is
   * always kept).
   */
  track(key: string, message: PendingMessage): number {
    this.settle(key);
    this.expectAck();
    this.unacked.set(key, message);
    this.unackedMessages += message.messages;
    this.unackedBytes += message.ownBytes;
    let dropped = 0;
    while (this.limits && this.unacked.size > 1 && this.overBound(this.limits)) {
      const oldest = this.unacked.keys().next().value as string;
      dropped += this.unacked.get(oldest)!.messages;
      this.settle(oldest);
    }
    return dropped;
  }

  private overBound(limits: ImConnectionLimits): boolean {
    return (
      this.unackedMessages > limits.maxPending ||
      (limits.maxPendingBytes !== undefined && this.unackedBytes > limits.maxPendingBytes)
    );
  }

  /** A frame that asks for an ack was written (again): one more ack of this socket is free of the frame budget. */
  expectAck(): void {
    this.ackCredit = Math.min(this.ackCredit + 1, ACK_CREDIT_MAX);
  }

  /**
   * An ack arrived: it is free of the frame budget (IM_FRAMES_PER_SECOND) while the acks so far are fewer than the
   * frames written that ask for one. Clients ack every copy they get, resends included (a stalled client acks
   * its backlog's resends at once), so acks follow the writes; false: an ack of nothing the socket was sent.
   * `count`: the frames one ack names (a 1005 `{ frameIds }` takes as many credits as it names, as that many acks would).
   */
  takeAckCredit(count = 1): boolean {
    if (this.ackCredit === 0) return false;
    this.ackCredit -= Math.min(this.ackCredit, count);
    return true;
  }

  /** The socket is gone: its resend queue goes at once (nothing holds its frames until the object is collected). */
  release(): void {
    this.unacked.clear();
    this.unackedMessages = 0;
    this.unackedBytes = 0;
  }

  /** Messages kept for resending (at most limits.maxPending). */
  get pendingMessages(): number {
    return this.unackedMessages;
  }

  /** Own bytes of the frames kept for resending (at most limits.maxPendingBytes, or one frame past it). */
  get pendingBytes(): number {
    return this.unackedBytes;
  }

  /** Forgets a pending frame (acked, or given up); false when none has that key. */
  settle(key: string): boolean {
    const message = this.unacked.get(key);
    if (!message) return false;
    this.unacked.delete(key);
    this.unackedMessages -= message.messages;
    this.unackedBytes -= message.ownBytes;
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
      this.release();
      this.limits.onSlowConsumer(this);
    }
  }
}
