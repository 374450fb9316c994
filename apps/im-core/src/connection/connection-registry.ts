import { Injectable, Logger } from '@nestjs/common';
import { ImConnection } from './im-connection';
import { ImPresenceService } from './im-presence.service';

/**
 * The sockets this node holds: by user (several tabs) and by room. Redis bindings follow the local
 * state: a user is bound to this node while at least one of their sockets is here, a room while at
 * least one member is here. Removing a connection touches only that connection, so an older socket's
 * close never takes a newer one's binding away. Every entry lives only as long as its socket, and sockets
 * are bounded by the server (IM_MAX_SOCKETS_PER_USER, the per-address connect limit, login and heartbeat deadlines).
 */
@Injectable()
export class ConnectionRegistry {
  private readonly logger = new Logger(ConnectionRegistry.name);
  private readonly byUser = new Map<number, Set<ImConnection>>();
  private readonly byRoom = new Map<number, Set<ImConnection>>();
  private readonly all = new Set<ImConnection>();

  /**
   * Called when a user's last socket on this node is removed (PK battles: a challenger's session ended), with
   * the removal of the user's binding to this node (gift-service believes a session end only once no node holds one).
   */
  onUserLeft: ((userId: number, unbound: Promise<void>) => void) | null = null;

  constructor(private readonly presence: ImPresenceService) {}

  async add(conn: ImConnection): Promise<void> {
    this.all.add(conn);
    addTo(this.byUser, conn.userId, conn);
    await this.presence.bindUser(conn.userId);
  }

  /**
   * Moves a registered connection to a room (null: none). A connection removed meanwhile (its socket
   * closed while its login was in flight) is never put in a room: remove() already ran and would not run again.
   */
  async setRoom(conn: ImConnection, roomId: number | null): Promise<void> {
    if (conn.roomId === roomId || !this.all.has(conn)) return;
    // Every local change before the first await: a remove() meanwhile sees the connection where it is.
    const previous = conn.roomId;
    conn.roomId = roomId;
    const left = previous !== null && removeFrom(this.byRoom, previous, conn);
    const joined = roomId !== null && addTo(this.byRoom, roomId, conn);
    await Promise.all([
      left && previous !== null && this.presence.leaveRoom(previous),
      joined && roomId !== null && this.presence.joinRoom(roomId),
    ]);
  }

  /** Forgets a connection; unbinds the user / the room only when it was the last one here. */
  async remove(conn: ImConnection): Promise<void> {
    if (!this.all.delete(conn)) return;
    conn.release();
    const tasks: Promise<void>[] = [];
    if (removeFrom(this.byUser, conn.userId, conn)) {
      const unbound = this.presence.unbindUser(conn.userId);
      tasks.push(unbound);
      this.onUserLeft?.(conn.userId, unbound);
    }
    if (conn.roomId !== null && removeFrom(this.byRoom, conn.roomId, conn))
      tasks.push(this.presence.leaveRoom(conn.roomId));
    await Promise.all(tasks).catch((err: unknown) =>
      this.logger.warn(`unbinding user ${conn.userId} failed (it ages out): ${String(err)}`),
    );
  }

  /** What this registry holds (health, specs: every count returns to 0 once the sockets closed). */
  stats(): { connections: number; users: number; rooms: number; pendingMessages: number; pendingBytes: number } {
    let pendingMessages = 0;
    let pendingBytes = 0;
    for (const conn of this.all) {
      pendingMessages += conn.pendingMessages;
      pendingBytes += conn.pendingBytes;
    }
    return {
      connections: this.all.size,
      users: this.byUser.size,
      rooms: this.byRoom.size,
      pendingMessages,
      pendingBytes,
    };
  }

  /** Still registered (not removed since add). */
  has(conn: ImConnection): boolean {
    return this.all.has(conn);
  }

  ofUser(userId: number): ReadonlySet<ImConnection> {
    return this.byUser.get(userId) ?? EMPTY;
  }

  ofRoom(roomId: number): ReadonlySet<ImConnection> {
    return this.byRoom.get(roomId) ?? EMPTY;
  }

  connections(): ReadonlySet<ImConnection> {
    return this.all;
  }

  userIds(): Iterable<number> {
    return this.byUser.keys();
  }

  roomIds(): Iterable<number> {
    return this.byRoom.keys();
  }
}

const EMPTY: ReadonlySet<ImConnection> = new Set();

/** Adds; true when the set was new (first member). */
function addTo(map: Map<number, Set<ImConnection>>, key: number, conn: ImConnection): boolean {
  const set = map.get(key);
  if (set) {
    set.add(conn);
    return false;
  }
  map.set(key, new Set([conn]));
  return true;
}

/** Removes; true when the set became empty (last member gone). */
function removeFrom(map: Map<number, Set<ImConnection>>, key: number, conn: ImConnection): boolean {
  const set = map.get(key);
  if (!set || !set.delete(conn)) return false;
  if (set.size > 0) return false;
  map.delete(key);
  return true;
}
