import { GiftClient } from '@live/common';
import { ImBizCode, PkStateReader } from '@live/contracts';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ConnectionRegistry } from '../connection/connection-registry';
import { ImConnection } from '../connection/im-connection';
import { ImPushService } from '../push/im-push.service';

/** A PK that ended less than this long ago is still shown to a socket joining the room (its banner). */
const ENDED_SHOWN_MS = 60_000;
/** Most PK_SESSION_ENDED calls in flight from this node; past it a session end is dropped with a log. */
const MAX_SESSION_CALLS = 256;

/**
 * im-core's part of PK battles (issue 21), both read through gift-service's PkStateReader (its keys, never
 * written here):
 * - a socket that joins a room during a PK (or within ENDED_SHOWN_MS of its end) gets one 5558 snapshot of
 *   the state, to that socket only (one Redis read per room join);
 * - when a user's last socket on this node closes (logout, close, heartbeat timeout), the user holds a
 *   challenger seat (one Redis read) and has no socket here again by then, gift-service is told
 *   (PK_SESSION_ENDED, after this node's binding of the user is removed: gift-service ends the PKs only when
 *   no node holds the user): their PKs end. Fire-and-forget,
 *   at most MAX_SESSION_CALLS at once, a failure logged (the PK still ends at its time).
 */
@Injectable()
export class ImPkService implements OnModuleDestroy {
  private readonly logger = new Logger(ImPkService.name);
  private inFlight = 0;
  private closing = false;

  constructor(
    private readonly states: PkStateReader,
    private readonly gifts: GiftClient,
    private readonly push: ImPushService,
    private readonly registry: ConnectionRegistry,
  ) {}

  onModuleDestroy(): void {
    // A node going down closes its sockets: that is not their users leaving.
    this.closing = true;
  }

  /** The room's PK, to the socket that just joined it (nothing when there is none to show, or it left meanwhile). */
  async snapshot(conn: ImConnection, roomId: number): Promise<void> {
    let pk;
    try {
      pk = await this.states.of(roomId);
    } catch (err: unknown) {
      this.logger.warn(`room ${roomId}: PK state unread for a joining socket: ${String(err)}`);
      return;
    }
    if (!pk || conn.roomId !== roomId) return;
    const running = pk.endReason === '';
    if (!running && pk.endedAt < Date.now() - ENDED_SHOWN_MS) return;
    const { pkId, progress, seq, anchorId, challengerId, endsAt } = pk;
    this.push.pushToConnection(conn, `${pkId}:snap:${seq}`, ImBizCode.PK_PROGRESS, {
      pkId,
      progress,
      seq,
      requestId: null,
      anchorId,
      challengerId,
      endsAt,
      winnerId: running ? null : pk.winnerId,
      snapshot: true,
    });
  }

  /** Session ends being told to gift-service now (0: every one so far told, failed or found nothing to end). */
  get sessionCallsInFlight(): number {
    return this.inFlight;
  }

  /** The user's last socket on this node closed; `unbound`: the removal of their binding to this node. */
  sessionEnded(userId: number, unbound: Promise<void>): void {
    if (this.closing) return;
    if (this.inFlight >= MAX_SESSION_CALLS) {
      this.logger.warn(`user ${userId}: session end not told to gift-service (${MAX_SESSION_CALLS} calls in flight)`);
      return;
    }
    this.inFlight += 1;
    void this.tell(userId, unbound).finally(() => (this.inFlight -= 1));
  }

  private async tell(userId: number, unbound: Promise<void>): Promise<void> {
    try {
      if (!(await this.states.isChallenger(userId))) return;
      // gift-service ends the PKs only when no node holds the user any more: this node's binding goes first
      // (a failure to remove it is logged by the registry; gift-service then refuses until it ages out).
      await unbound.catch(() => undefined);
      // A socket of the user joined meanwhile (a login past IM_MAX_SOCKETS_PER_USER replaces the oldest socket
      // before it registers): the session goes on.
      if (this.registry.ofUser(userId).size > 0) return;
      await this.gifts.pkSessionEnded(userId);
    } catch (err: unknown) {
      this.logger.warn(`user ${userId}: PK session end not told to gift-service: ${String(err)}`);
    }
  }
}
