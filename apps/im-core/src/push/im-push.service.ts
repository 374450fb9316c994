import { buildImFrame, ImAppId, ImBizCode, ImBizData, ImFrameCode, ImMsgBody } from '@live/contracts';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ImCoreEnv } from '../config/im-core.env';
import { ConnectionRegistry } from '../connection/connection-registry';
import { ImConnection } from '../connection/im-connection';
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
 * A msgId is written at most once per room and per user (RecentMsgIds, IM_DEDUP_WINDOW / IM_DEDUP_TTL_MS):
 * a caller pushing a message again after a node failed shows it only where it had not been.
 */
@Injectable()
export class ImPushService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ImPushService.name);
  private timer: NodeJS.Timeout | undefined;
  private dropped = 0;
  private readonly recent: RecentMsgIds;

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly env: ImCoreEnv,
  ) {
    this.recent = new RecentMsgIds(env.IM_DEDUP_WINDOW, env.IM_DEDUP_TTL_MS);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () => {
        this.resendDue();
        this.recent.sweep((scope) => this.holds(scope));
      },
      Math.max(50, Math.floor(this.env.IM_RESEND_INTERVAL_MS / 2)),
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
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
      const frame = encode(msgId, userId, bizCode, data);
      for (const conn of conns) pushed += this.deliver(conn, msgId, frame);
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
    const frame = encode(msgId, BROADCAST_USER_ID, bizCode, data);
    let pushed = 0;
    for (const conn of conns) if (!excluded.has(conn.userId)) pushed += this.deliver(conn, msgId, frame);
    return pushed;
  }

  /**
   * A client's ack (1005). `userId`, when the body carries one, must be the connection's own (or 0, the
   * room broadcast's, as a client echoing the body sends it): otherwise 'wrong-user' and nothing is acked.
   * An ack of a message not pending here (unknown, acked already, given up) is 'unknown': ignored quietly.
   */
  ack(conn: ImConnection, msgId: string, userId?: unknown): 'acked' | 'unknown' | 'wrong-user' {
    if (userId !== undefined && userId !== null) {
      const claimed = typeof userId === 'string' && /^\d{1,16}$/.test(userId) ? Number(userId) : userId;
      if (claimed !== conn.userId && claimed !== BROADCAST_USER_ID) return 'wrong-user';
    }
    return conn.pending.delete(msgId) ? 'acked' : 'unknown';
  }

  /** A dedup scope (`r<roomId>`, `u<userId>`) still has sockets here. */
  private holds(scope: string): boolean {
    const id = Number(scope.slice(1));
    return (scope[0] === 'r' ? this.registry.ofRoom(id) : this.registry.ofUser(id)).size > 0;
  }

  private deliver(conn: ImConnection, msgId: string, frame: Buffer): number {
    if (!conn.open) return 0;
    conn.write(frame);
    if (this.env.IM_RESEND_MAX > 0 && conn.open && conn.track(msgId, { frame, sentAt: Date.now(), attempts: 1 }))
      this.dropped += 1;
    return 1;
  }

  /** One sweep: every pending message older than the interval is written again, or dropped past the bound. */
  resendDue(now = Date.now()): { resent: number; dropped: number } {
    let resent = 0;
    let dropped = 0;
    for (const conn of this.registry.connections()) {
      if (conn.pending.size === 0) continue;
      for (const [msgId, p] of conn.pending) {
        if (now - p.sentAt < this.env.IM_RESEND_INTERVAL_MS) continue;
        if (p.attempts > this.env.IM_RESEND_MAX || !conn.open) {
          conn.pending.delete(msgId);
          dropped += 1;
          continue;
        }
        conn.write(p.frame);
        p.attempts += 1;
        p.sentAt = now;
        resent += 1;
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

function encode<C extends ImBizCode>(msgId: string, userId: number, bizCode: C, data: ImBizData[C]): Buffer {
  const body: ImMsgBody<ImBizData[C]> = { msgId, appId: ImAppId.LIVE_BIZ, userId, bizCode, data };
  return Buffer.from(JSON.stringify(buildImFrame(ImFrameCode.BIZ, body)), 'utf8');
}
