import { encodeImFrame, ImFrameCode } from '@live/contracts';
import type { ImConnection } from '../connection/im-connection';

/** One business message queued for the batching sockets: its ImMsgBody serialized once for all of them. */
export interface QueuedMessage {
  /** Unique in this outbox: sockets that got the same messages share their frames. */
  readonly serial: number;
  /** JSON.stringify(ImMsgBody). */
  readonly json: string;
  /** Not a room broadcast: a message to one user or one socket (a frame holding one is that socket's own). */
  readonly own: boolean;
}

/** A batch frame (1006) ready to write: the same buffer for every socket it goes to. */
export interface BatchFrame {
  frameId: number;
  frame: Buffer;
  /** Business messages in it. */
  messages: number;
  /** It holds a message to one user or socket, not only room broadcasts (QueuedMessage.own). */
  own: boolean;
}

/**
 * The business messages of one tick to the sockets that read batch frames (ImConnection.batching): queued
 * as they are pushed, and written at the end of the tick (setImmediate: every push RPC read in the same
 * turn of the event loop) as frames `{ frameId, msgs: [ImMsgBody...] }` of at most `maxPerFrame` messages,
 * in the order they were pushed. A frame is encoded once for every socket that got the same messages
 * (the members of a room, usually: its effects of the tick), like a single room broadcast. Memory: the
 * messages of one tick only.
 */
export class ImBatchOutbox {
  private queued = new Map<ImConnection, QueuedMessage[]>();
  private serial = 0;
  private frameId = 0;
  private immediate: NodeJS.Immediate | undefined;

  constructor(
    private readonly maxPerFrame: number,
    private readonly write: (conn: ImConnection, frame: BatchFrame) => void,
  ) {}

  /** A message to queue for any number of sockets (`json`: its serialized ImMsgBody; `own`: not a room broadcast). */
  message(json: string, own = false): QueuedMessage {
    return { serial: ++this.serial, json, own };
  }

  add(conn: ImConnection, message: QueuedMessage): void {
    const list = this.queued.get(conn);
    if (list) list.push(message);
    else this.queued.set(conn, [message]);
    this.immediate ??= setImmediate(() => this.flush());
  }

  /** Writes what is queued now (at the end of the tick; at once for specs and shutdown). */
  flush(): void {
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = undefined;
    const queued = this.queued;
    this.queued = new Map();
    const encoded = new Map<string, BatchFrame[]>();
    for (const [conn, messages] of queued) {
      const key = messages.length === 1 ? String(messages[0].serial) : messages.map((m) => m.serial).join(',');
      let frames = encoded.get(key);
      if (!frames) encoded.set(key, (frames = this.encode(messages)));
      for (const frame of frames) this.write(conn, frame);
    }
  }

  private encode(messages: QueuedMessage[]): BatchFrame[] {
    const frames: BatchFrame[] = [];
    for (let i = 0; i < messages.length; i += this.maxPerFrame) {
      const chunk = messages.slice(i, i + this.maxPerFrame);
      const frameId = ++this.frameId;
      const body = `{"frameId":${frameId},"msgs":[${chunk.map((m) => m.json).join(',')}]}`;
      frames.push({
        frameId,
        frame: Buffer.from(encodeImFrame(ImFrameCode.BATCH, body), 'utf8'),
        messages: chunk.length,
        own: chunk.some((m) => m.own),
      });
    }
    return frames;
  }
}
