import { IM_MAGIC, ImBatchBody, ImFrameCode, ImMsgBody } from '@live/contracts';
import WebSocket from 'ws';

export interface ReceivedFrame {
  magic: number;
  code: number;
  len: number;
  body?: Record<string, unknown>;
}

/**
 * A test client of the im-core WebSocket protocol (API.md): logs in by URL, acks every business
 * message (unless told not to) and every batch frame (1006, when it logged in with `batch=1`) by its
 * frameId, heartbeats on demand, and records what it received.
 */
export class ImTestClient {
  readonly frames: ReceivedFrame[] = [];
  autoAck = true;

  private constructor(readonly ws: WebSocket) {
    ws.on('close', (code) => {
      this.closeCode = code;
      this.stopHeartbeat();
    });
    ws.on('message', (raw) => {
      const frame = JSON.parse(raw.toString()) as ReceivedFrame;
      this.frames.push(frame);
      if (this.autoAck && frame.code === ImFrameCode.BIZ && frame.body)
        this.send(ImFrameCode.ACK, { msgId: frame.body.msgId });
      if (this.autoAck && frame.code === ImFrameCode.BATCH && frame.body)
        this.send(ImFrameCode.ACK, { frameId: frame.body.frameId });
    });
  }

  /** Connects with `?token=&roomId=` (and `&batch=1` with `batch`) and waits for the 1001 login answer. */
  static async connect(
    wsUrl: string,
    token: string,
    roomId?: number,
    timeoutMs = 5_000,
    batch = false,
  ): Promise<ImTestClient> {
    const url = `${wsUrl}?token=${encodeURIComponent(token)}${roomId ? `&roomId=${roomId}` : ''}${batch ? '&batch=1' : ''}`;
    const ws = new WebSocket(url);
    const client = new ImTestClient(ws);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no login answer from ${wsUrl} in ${timeoutMs} ms`)), timeoutMs);
      ws.once('error', (err) => (clearTimeout(timer), reject(err)));
      ws.once(
        'close',
        (code, reason) => (clearTimeout(timer), reject(new Error(`closed ${code} ${reason.toString()}`))),
      );
      const check = (): void => {
        const answer = client.frames.find((f) => f.code === ImFrameCode.LOGIN);
        if (!answer) return;
        clearTimeout(timer);
        ws.off('message', check);
        if (answer.body && 'error' in answer.body) reject(new Error(`login refused: ${String(answer.body.error)}`));
        else resolve();
      };
      ws.on('message', check);
    });
    return client;
  }

  send(code: ImFrameCode, body?: object): void {
    const json = body === undefined ? '' : JSON.stringify(body);
    this.ws.send(
      JSON.stringify({ magic: IM_MAGIC, code, len: Buffer.byteLength(json), ...(body === undefined ? {} : { body }) }),
    );
  }

  /** The user the server logged this socket in as (from its 1001 answer). */
  get userId(): number {
    const login = this.frames.find((f) => f.code === ImFrameCode.LOGIN && f.body && 'userId' in f.body);
    if (!login) throw new Error('not logged in');
    return Number(login.body!.userId);
  }

  /** Business messages received, alone (1003) or in batch frames (1006), in order (each delivery, resends included). */
  business(bizCode?: number): ImMsgBody[] {
    return this.frames
      .flatMap((f) =>
        f.code === ImFrameCode.BIZ && f.body
          ? [f.body as unknown as ImMsgBody]
          : f.code === ImFrameCode.BATCH && f.body
            ? (f.body as unknown as ImBatchBody).msgs
            : [],
      )
      .filter((b) => bizCode === undefined || b.bizCode === bizCode);
  }

  /** The batch frames (1006) received, resends included. */
  batches(): ImBatchBody[] {
    return this.frames
      .filter((f) => f.code === ImFrameCode.BATCH && f.body)
      .map((f) => f.body as unknown as ImBatchBody);
  }

  private beat: NodeJS.Timeout | undefined;

  /** Sends a heartbeat every `ms` until stopHeartbeat() or close(). */
  startHeartbeat(ms: number): this {
    this.stopHeartbeat();
    this.beat = setInterval(() => this.ws.readyState === WebSocket.OPEN && this.send(ImFrameCode.HEARTBEAT), ms);
    return this;
  }

  stopHeartbeat(): void {
    clearInterval(this.beat);
  }

  /** Resolves with the close code once the server (or we) closed the socket. */
  closed(): Promise<number> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve(this.closeCode);
    return new Promise((resolve) => this.ws.once('close', (code) => resolve(code)));
  }

  private closeCode = 0;

  close(): void {
    this.stopHeartbeat();
    this.ws.close();
  }
}
