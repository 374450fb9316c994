import { RefusalLog } from '@live/common';
import { Logger } from '@nestjs/common';
import WebSocket from 'ws';
import { ImCoreEnv } from '../config/im-core.env';
import { FrameBucket } from '../connection/frame-bucket';
import { ImConnection } from '../connection/im-connection';
import { CLOSE_TOO_MANY_FRAMES, closeWithin } from './im-close';
import { SocketState } from './socket-state';

/**
 * What one socket may send (README "Frames per socket"): IM_FRAMES_PER_SECOND messages, pings and pongs (an ack
 * matched by a write is free: ImConnection.takeAckCredit), and IM_BYTES_PER_SECOND bytes as read from the TCP
 * socket, which also counts what ws never shows (empty continuation fragments). Each five seconds' worth at once.
 * Past either, the socket is no longer read and is closed, 4429, within the close grace. An attacker pass
 * (2026-12-01) had unasked pongs and empty fragments through the first version, 88 million in 12 s, every other
 * user's heartbeat answered after 0.3 s.
 */
export class SocketBudgets {
  private readonly floods: RefusalLog;

  constructor(
    private readonly env: ImCoreEnv,
    logger: Logger,
    private readonly forget: (conn: ImConnection) => void,
  ) {
    this.floods = new RefusalLog(logger, 20, 10_000, 'sockets closed for too many frames or bytes');
  }

  /** A new socket's buckets. */
  of(now: number): Pick<SocketState, 'frames' | 'bytes'> {
    const { IM_FRAMES_PER_SECOND: frames, IM_BYTES_PER_SECOND: bytes } = this.env;
    return { frames: new FrameBucket(5 * frames, frames, now), bytes: new FrameBucket(5 * bytes, bytes, now) };
  }

  /** Counts the socket's bytes as they are read, and its pongs (ws drops unasked ones unseen otherwise). */
  watch(ws: WebSocket, state: SocketState): void {
    state.socket.on('data', (chunk: Buffer) => state.bytes.takeMany(chunk.length) || this.flooded(ws, state, 'bytes'));
    ws.on('pong', () => this.spend(ws, state));
  }

  /** Takes one of the socket's frame tokens; none left: the socket goes (4429), the frame is not acted on. */
  spend(ws: WebSocket, state: SocketState): boolean {
    if (ws.readyState !== ws.OPEN) return false; // closing: nothing more is acted on (a ping flood in the grace)
    return state.frames.take() || this.flooded(ws, state, 'frames');
  }

  private flooded(ws: WebSocket, state: SocketState, what: 'frames' | 'bytes'): false {
    if (ws.readyState !== ws.OPEN) return false;
    const rate = what === 'frames' ? this.env.IM_FRAMES_PER_SECOND : this.env.IM_BYTES_PER_SECOND;
    this.floods.refused(
      `closing a socket (user ${state.conn?.userId ?? 'none'}, ${state.address}): > ${rate} ${what}/s`,
    );
    if (state.conn) this.forget(state.conn);
    state.socket.pause();
    closeWithin(ws, CLOSE_TOO_MANY_FRAMES, `too many ${what}`);
    return false;
  }
}
