import { AppEnv, HostSetting, IntSetting, IsPort } from '@live/common';
import { Matches } from 'class-validator';

/** One im-core node's settings. Several nodes run side by side with their own ports and node id. */
export class ImCoreEnv extends AppEnv {
  /** WebSocket (path /ws) and /health. */
  @IsPort()
  IM_CORE_WS_PORT: number = 8090;

  /** TCP RPC the router pushes to. */
  @IsPort()
  IM_CORE_RPC_PORT: number = 9104;

  /** Address other processes use to reach this node (registered in Redis). */
  @HostSetting()
  IM_CORE_ADVERTISED_HOST: string = '127.0.0.1';

  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'IM_CORE_NODE_ID must be 1-64 letters, digits, _ . -' })
  IM_CORE_NODE_ID: string = 'im-core-0';

  /** A connection silent for longer than this is closed. */
  @IntSetting(1000, 600_000)
  IM_HEARTBEAT_TIMEOUT_MS: number = 30_000;

  /**
   * Room switches (a 1001 on a socket already logged in) one socket may make per 10 seconds (a burst of this
   * many, refilled evenly): each writes presence and replays a history. Past it the 1001 is refused as a bad
   * frame (MAX_BAD_FRAMES of them close the socket, 4400).
   */
  @IntSetting(1, 1_000)
  IM_ROOM_SWITCHES_PER_10S: number = 10;

  /**
   * Frames one socket may send per second (a burst of 5 s worth, refilled evenly), its acks that settle a message
   * it was sent not counted (those follow the pushes): heartbeats, chat, logins, acks of nothing, pings, bad
   * frames. Past it the socket is closed (4429). Before 2026-12-01 heartbeats, acks and the frames of a socket
   * not logged in were unbounded: one socket sending 200,000 heartbeats a second held im-core's event loop, every
   * user's heartbeat answered after 0.5 s (2 s with four such sockets).
   */
  @IntSetting(1, 100_000)
  IM_FRAMES_PER_SECOND: number = 20;

  /**
   * Bytes one socket may send per second (five seconds' worth at once), counted as they are read from the TCP
   * socket: what IM_FRAMES_PER_SECOND cannot see (empty continuation fragments, which ws drops unseen; an attacker
   * pass had 88 million of them through in 12 s, every user's heartbeat answered after 0.3 s). Past it: 4429.
   */
  @IntSetting(1_024, 100_000_000)
  IM_BYTES_PER_SECOND: number = 16_384;

  /**
   * An unacked business message is sent again after this long... Clients may hold their acks a while (the web
   * client 500 ms, the bench's viewers 100 ms; a phone sparing its radio up to a second): much below 1,000 ms
   * frames are resent before their ack arrives.
   */
  @IntSetting(100, 600_000)
  IM_RESEND_INTERVAL_MS: number = 3_000;

  /** ...at most this many more times, then dropped (logged). */
  @IntSetting(0, 20)
  IM_RESEND_MAX: number = 3;

  /**
   * A msgId is written at most once per room and per user on this node (a caller that pushes again, with
   * the same msgId, after a node failed, must not show the others a gift twice): the node remembers the
   * last this-many msgIds of each room and user it holds...
   */
  @IntSetting(1, 100_000)
  IM_DEDUP_WINDOW: number = 1_024;

  /** ...each for this long (ms). */
  @IntSetting(1_000, 86_400_000)
  IM_DEDUP_TTL_MS: number = 300_000;

  /**
   * Largest frame a client may send: at least 1,280 bytes, so that a 1005 acking 64 batch frames (about 1.1 KB with
   * 15-digit frameIds) and a chat message of 200 emoji (about 0.9 KB) fit.
   */
  @IntSetting(1_280, 1_048_576)
  IM_MAX_FRAME_BYTES: number = 8_192;

  /**
   * Sockets not logged in yet this node holds at once, from all addresses: past it a new upgrade closes the oldest
   * that has had a second to log in (4401), or is refused 503 when none has (SocketsBeforeLogin).
   */
  @IntSetting(1, 1_000_000)
  IM_MAX_SOCKETS_BEFORE_LOGIN: number = 5_000;

  /** Sockets one user may hold on this node; a login past it closes that user's oldest socket (4409). */
  @IntSetting(1, 1_000)
  IM_MAX_SOCKETS_PER_USER: number = 5;

  /** Unsent bytes a socket may hold (a client that stops reading): past it, closed as a slow consumer (4413). */
  @IntSetting(4_096, 268_435_456)
  IM_MAX_BUFFERED_BYTES: number = 1_048_576;

  /** Unacked messages kept per socket for resending; past it the oldest is given up. */
  @IntSetting(1, 100_000)
  IM_MAX_PENDING_PER_SOCKET: number = 1_000;

  /**
   * Bytes of a socket's own unacked frames kept for resending (history replays, messages to its user: no other
   * socket shares them; a room's broadcast frames are one buffer for the room, not counted); past it the oldest
   * is given up. With the message bound alone, a client that never acks and switches rooms kept ~1 MB of replays.
   */
  @IntSetting(4_096, 268_435_456)
  IM_MAX_PENDING_BYTES_PER_SOCKET: number = 262_144;

  /**
   * Most business messages in one batch frame (1006, to sockets that log in with `batch: 1`): the messages
   * of one tick to one socket leave in frames of at most this many.
   */
  @IntSetting(1, 1_000)
  IM_MAX_BATCH_MESSAGES: number = 64;

  /** New WebSocket connections per second one remote address may open (token bucket refill)... */
  @IntSetting(1, 1_000_000)
  IM_CONNECT_RATE_PER_ADDRESS: number = 10;

  /** ...and at once (bucket size); past them the upgrade is answered 429. */
  @IntSetting(1, 1_000_000)
  IM_CONNECT_BURST_PER_ADDRESS: number = 50;
}
