import type { Duplex } from 'node:stream';
import type { FrameBucket } from '../connection/frame-bucket';
import type { ImConnection } from '../connection/im-connection';

/** What ImWebSocketServer keeps per socket, logged in or not. */
export interface SocketState {
  socket: Duplex;
  address: string;
  conn: ImConnection | null;
  loginToken: string | null; // the token it logged in with (a later 1001 with it only switches the room)
  loginInFlight: boolean;
  badFrames: number;
  /** IM_FRAMES_PER_SECOND: every message, ping and pong but a matched ack takes a token; none left: closed (4429). */
  frames: FrameBucket;
  /** IM_BYTES_PER_SECOND: every byte read from the socket (frames, fragments, control frames); none left: 4429. */
  bytes: FrameBucket;
  openedAt: number;
  lastSeen: number;
}
