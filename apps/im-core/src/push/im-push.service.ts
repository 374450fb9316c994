import { encodeImFrame, ImAppId, ImBizCode, ImBizData, ImClientAckBody, ImFrameCode, ImMsgBody } from '@live/contracts';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ImCoreEnv } from '../config/im-core.env';
import { ConnectionRegistry } from '../connection/connection-registry';
import { ImConnection } from '../connection/im-connection';
import { ImBatchOutbox, QueuedMessage } from './im-batch-outbox';
import { RecentMsgIds } from './recent-msg-ids';

/** `userId` of a room broadcast body: "everyone in the room" (one frame encoded once for all its sockets). */
const BROADCAST_USER_ID = 0;

interface PushResult {
  pushed: number;
  /** Addressed users with no socket on this node. */
  offline: number[];
}

/**
 * Writes business messages (1003) to this node's sockets and keeps each one until the client acks it
 * (1005): unacked ones are written again every IM_RESEND_INTERVAL_MS, at most IM_RESEND_MAX more
 * times, then dropped. The node that holds the socket is the one that resends, so nothing waits on a
 * node that does not have the socket. A frame is encoded once per message, not once per socket.
 * A socket that announced batch frames at login gets its messages of one tick in frames of up to
 * IM_MAX_BATCH_MESSAGES (1006, ImBatchOutbox), each acked, resent and bounded as one unit of its messages.
 * A msgId is written at most once per room and per user (RecentMsgIds, IM_DEDUP_WINDOW / IM_DEDUP_TTL_MS):
 * a caller pushing a message again after a node failed shows it only where it had not been.
 */
@Injectable()
export class ImPushService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ImPushService.name);
  private timer: NodeJS.Timeout | undefined;
  private dropped = 0;
  private readonly recent: RecentMsgIds;
  private readonly outbox: ImBatchOutbox;

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly env: ImCoreEnv,
  ) {
    this.recent = new RecentMsgIds(env.IM_DEDUP_WINDOW, env.IM_DEDUP_TTL_MS);
    // A frame never holds more messages than a socket may keep unacked.
    const perFrame = Math.min(env.IM_MAX_BATCH_MESSAGES, env.IM_MAX_PENDING_PER_SOCKET);
    this.outbox = new ImBatchOutbox(perFrame, (conn, batch) =>
      this.deliver(conn, `#${batch.frameId}`, batch.frame, batch.messages, batch.own),
    );
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () => {
        this.resendDue();
        this.sweepDedup();
      },
      Math.max(50, Math.floor(this.env.IM_RESEND_INTERVAL_MS / 2)),
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.outbox.flush();
  }

  /** The same message to each listed user (each body names its recipient). */
  pushToUsers<C extends ImBizCode>(msgId: string, userIds: number[], bizCode: C, data: ImBizData[C]): PushResult {
    let pushed = 0;
    const offline: number[] = [];
    for (const userId of new Set(userIds)) {
      const conns = this.registry.ofUser(userId);
      if (conns.size === 0) {
        offline.push(userId);
        continue;
      }
      if (!this.recent.firstTime(`u${userId}`, msgId)) continue; // written before: not again
      const message = new OutgoingMessage(this.outbox, msgId, userId, bizCode, data);
      for (const conn of conns) pushed += this.send(conn, message);
    }
    return { pushed, offline };
  }

  /** A message to this node's members of a room, but the excluded ones. */
  pushToRoom<C extends ImBizCode>(
    msgId: string,
    roomId: number,
    bizCode: C,
    data: ImBizData[C],
    excludeUserIds: number[] = [],
  ): number {
    const conns = this.registry.ofRoom(roomId);
    if (conns.size === 0 || !this.recent.firstTime(`r${roomId}`, msgId)) return 0;
    const excluded = new Set(excludeUserIds);
    const message = new OutgoingMessage(this.outbox, msgId, BROADCAST_USER_ID, bizCode, data);
    let pushed = 0;
    for (const conn of conns) if (!excluded.has(conn.userId)) pushed += this.send(conn, message);
    return pushed;
  }

  /** A message to one socket only (a chat history replay to the socket that joined), tracked like any other. */
  pushToConnection<C extends ImBizCode>(conn: ImConnection, msgId: string, bizCode: C, data: ImBizData[C]): number {
    return this.send(conn, new OutgoingMessage(this.outbox, msgId, conn.userId, bizCode, data));
  }

  /**
   * A client's ack (1005) of a message by msgId, of a batch frame (all its messages) by frameId, or of several
   * batch frames by frameIds. `userId`, when the body carries one, must be the connection's own (or 0, the room
   * broadcast's, as a client echoing the body sends it): otherwise 'wrong-user' and nothing is acked. An ack of
   * nothing pending here (unknown, acked already, given up) is 'unknown': ignored quietly; of several, 'acked'
   * when one of them was pending.
   */
  ack(conn: ImConnection, ack: ImClientAckBody): 'acked' | 'unknown' | 'wrong-user' {
    if (ack.userId !== undefined && ack.userId !== null) {
      const claimed = typeof ack.userId === 'string' && /^\d{1,16}$/.test(ack.userId) ? Number(ack.userId) : ack.userId;
      if (claimed !== conn.userId && claimed !== BROADCAST_USER_ID) return 'wrong-user';
    }
    if (!('frameIds' in ack))
      return conn.settle('frameId' in ack ? `#${ack.frameId}` : ack.msgId) ? 'acked' : 'unknown';
    // As many ack credits as frames named, as that many single acks take (the caller takes the last one).
    if (ack.frameIds.length > 1) conn.takeAckCredit(ack.frameIds.length - 1);
    let acked = false;
    for (const frameId of ack.frameIds) acked = conn.settle(`#${frameId}`) || acked;
    return acked ? 'acked' : 'unknown';
  }

  /** Forgets the msgIds past IM_DEDUP_TTL_MS, and every room and user with no socket here any more. */
  sweepDedup(now = Date.now()): void {
    this.recent.sweep((scope) => this.holds(scope), now);
  }

  /** Rooms and users whose msgIds are remembered (each at most IM_DEDUP_WINDOW). */
  get dedupScopes(): number {
    return this.recent.size;
  }

  /** A dedup scope (`r<roomId>`, `u<userId>`) still has sockets here. */
  private holds(scope: string): boolean {
    const id = Number(scope.slice(1));
    return (scope[0] === 'r' ? this.registry.ofRoom(id) : this.registry.ofUser(id)).size > 0;
  }

  /** One message to one socket: queued for its batch frame of this tick, or written now as a 1003. */
  private send(conn: ImConnection, message: OutgoingMessage): number {
    if (!conn.open) return 0;
    if (conn.batching) {
      this.outbox.add(conn, message.queued());
      return 1;
    }
    return this.deliver(conn, message.msgId, message.single(), 1, message.own);
  }

  /**
   * Writes a frame and keeps it for resending under `key` (a msgId, or `#<frameId>`); `own`: the socket's own
   * frame, not a room broadcast's shared one (its bytes count against IM_MAX_PENDING_BYTES_PER_SOCKET).
   */
  private deliver(conn: ImConnection, key: string, frame: Buffer, messages: number, own: boolean): number {
    if (!conn.open) return 0;
    conn.write(frame);
    if (this.env.IM_RESEND_MAX > 0 && conn.open)
      this.dropped += conn.track(key, {
        frame,
        sentAt: Date.now(),
        attempts: 1,
        messages,
        ownBytes: own ? frame.length : 0,
      });
    return 1;
  }

  /** One sweep: every pending frame older than the interval is written again, or dropped past the bound. */
  resendDue(now = Date.now()): { resent: number; dropped: number } {
    let resent = 0;
    let dropped = 0;
    for (const conn of this.registry.connections()) {
      if (conn.pending.size === 0) continue;
      for (const [key, p] of conn.pending) {
        if (now - p.sentAt < this.env.IM_RESEND_INTERVAL_MS) continue;
        if (p.attempts > this.env.IM_RESEND_MAX || !conn.open) {
          conn.settle(key);
          dropped += p.messages;
          continue;
        }
        conn.write(p.frame);
        conn.expectAck();
        p.attempts += 1;
        p.sentAt = now;
        resent += p.messages;
      }
    }
    if (dropped > 0) {
      this.dropped += dropped;
      this.logger.warn(
        `dropped ${dropped} unacked message(s) after ${this.env.IM_RESEND_MAX} resends (${this.dropped} in all)`,
      );
    }
    return { resent, dropped };
  }
}

/** A message on its way to sockets: encoded at most once per form (a 1003 frame, a body for batch frames). */
class OutgoingMessage {
  private json: string | undefined;
  private frame: Buffer | undefined;
  private batched: QueuedMessage | undefined;

  constructor(
    private readonly outbox: ImBatchOutbox,
    readonly msgId: string,
    private readonly userId: number,
    private readonly bizCode: ImBizCode,
    private readonly data: object,
  ) {}

  /** The 1003 frame, shared by every socket that reads single-message frames. */
  single(): Buffer {
    return (this.frame ??= Buffer.from(encodeImFrame(ImFrameCode.BIZ, this.body()), 'utf8'));
  }

  /** The message as queued for every batching socket. */
  queued(): QueuedMessage {
    return (this.batched ??= this.outbox.message(this.body(), this.own));
  }

  /** A message to one user or socket (its body names its recipient), not a room broadcast shared by the room. */
  get own(): boolean {
    return this.userId !== BROADCAST_USER_ID;
  }

  private body(): string {
    if (this.json !== undefined) return this.json;
    const body: ImMsgBody<object> = {
      msgId: this.msgId,
      appId: ImAppId.LIVE_BIZ,
      userId: this.userId,
      bizCode: this.bizCode,
      data: this.data,
    };
    return (this.json = JSON.stringify(body));
  }
}
