/**
 * PK rooms for a gift load (issue 21): the load of chaos, cluster chaos and the bench includes at least one
 * room in a PK battle, so that the audit (gift-audit's PK check) judges the bar against the charged gifts.
 *
 * Per PK room: a fresh anchor (a login token only; no room open yet) opens it with `startingLiving { type: 1 }`
 * (a seeded anchor already has an open room of type 0, which startingLiving would answer instead), a fresh
 * challenger takes the seat (`onlinePK`), and a poll of `pkState` every second restarts the PK with the
 * next fresh challenger when the previous one ended (bound, time, or its state gone with Redis' data), at
 * most `maxStarts` times a run: the room stays in PK for the whole load. Every pkId seen is kept for the audit.
 *
 * The gift load asks `receiverOf(sender)` for the receiver of each send: in a PK room with a PK running,
 * the anchor or the challenger, at random; anywhere else the sender's anchor (the other rooms behave as
 * before). wrk (the bench's generator, another process) reads the same choice from `receiversFile`, which
 * this rewrites on every change.
 *
 *   const pk = await PkLoad.open({ ports: [gateway], redis, keyPrefix, firstUser: 7_100_000, log });
 *   const viewers = pk.adopt(seeded, seeded[seeded.length - 1].roomId);   // one room's viewers into the PK room
 *   pk.start();  ... new GiftLoad({ ..., receiverOf: (v) => pk.receiverOf(v) }) ...;  await pk.stop();
 *   auditGifts({ ..., pk: pk.audited() });
 */
import { RedisClient } from '@live/redis';
import { randomBytes } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { httpPost, sleep, Viewer, writeTokens } from './bench-kit';
import type { PkStateResponse } from '@live/contracts';
import type { AuditCheck, AuditedPk } from './gift-audit';

interface PkRoomState {
  roomId: number;
  anchor: Viewer;
  /** Fresh users, one per start: a challenger never sits twice (a seat left by session end stays clean). */
  challengers: Viewer[];
  starts: number;
  /** The running PK as last seen; null between two. */
  current: { pkId: string; challengerId: number; endsAt: number } | null;
}

export interface PkLoadOptions {
  /** Gateway ports, used in turn. */
  ports: number[];
  redis: RedisClient;
  keyPrefix: string;
  /** User ids from here on are the PK anchors and challengers (away from every seeded range of the harness). */
  firstUser: number;
  /** PK rooms (default 1). */
  rooms?: number;
  /** PKs started per room and run, the first included (default 5). */
  maxStarts?: number;
  pollMs?: number;
  /** Where wrk reads the receivers: lines `<roomId> <anchorId> <challengerId, 0 when no PK runs>`. */
  receiversFile?: string;
  log: (msg: string) => void;
}

export class PkLoad {
  readonly counts = { starts: 0, startRefused: 0, ended: 0, pollFailures: 0 };
  /** Poll ticks (summed over the rooms) that found a room in PK, and without one. */
  private readonly ticks = { inPk: 0, outOfPk: 0 };
  private readonly seen = new Set<string>();
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();
  private turn = 0;

  private constructor(
    private readonly opts: PkLoadOptions,
    private readonly rooms: PkRoomState[],
  ) {}

  /** Seeds the anchors and challengers (login tokens) and opens each PK room (type 1) through the gateway. */
  static async open(opts: PkLoadOptions): Promise<PkLoad> {
    const maxStarts = opts.maxStarts ?? 5;
    const user = (userId: number, anchorId: number): Viewer => ({
      userId,
      token: randomBytes(24).toString('base64url'),
      imToken: randomBytes(24).toString('base64url'),
      roomId: 0,
      anchorId,
    });
    const rooms: PkRoomState[] = Array.from({ length: opts.rooms ?? 1 }, (_, i) => {
      const anchorId = opts.firstUser + i * (maxStarts + 1);
      return {
        roomId: 0,
        anchor: user(anchorId, anchorId),
        challengers: Array.from({ length: maxStarts }, (__, k) => user(anchorId + 1 + k, anchorId)),
        starts: 0,
        current: null,
      };
    });
    const load = new PkLoad(opts, rooms);
    await writeTokens(opts.redis, opts.keyPrefix, load.users());
    for (const room of rooms) {
      const { roomId } = await load.call<{ roomId: number }>('/living/startingLiving', { type: 1 }, room.anchor);
      room.roomId = roomId;
      for (const u of [room.anchor, ...room.challengers]) u.roomId = roomId;
    }
    load.writeReceivers();
    return load;
  }

  /** The PK rooms' ids. */
  roomIds(): number[] {
    return this.rooms.map((r) => r.roomId);
  }

  /** The anchors and challengers (their login tokens: a harness that flushes Redis writes them again). */
  users(): Viewer[] {
    return this.rooms.flatMap((r) => [r.anchor, ...r.challengers]);
  }

  /**
   * `viewers` with those of room `fromRoomId` moved into the PK rooms (their room and anchor), in turn: a
   * seeded room's share of the load (and its sockets) becomes the PK room's.
   */
  adopt(viewers: readonly Viewer[], fromRoomId: number): Viewer[] {
    let k = 0;
    return viewers.map((v) => {
      if (v.roomId !== fromRoomId) return v;
      const room = this.rooms[k++ % this.rooms.length];
      return { ...v, roomId: room.roomId, anchorId: room.anchor.userId };
    });
  }

  /** The receiver of one send by `sender`: in a PK room during a PK, the anchor or the challenger at random. */
  receiverOf(sender: Viewer): number {
    const room = this.rooms.find((r) => r.roomId === sender.roomId);
    if (!room?.current || Math.random() < 0.5) return sender.anchorId;
    return room.current.challengerId;
  }

  /** Starts each room's first PK, then polls; returns once every room has its first PK. */
  async start(): Promise<void> {
    for (const room of this.rooms) {
      for (let tries = 0; room.current === null && tries < 20; tries++) {
        await this.startPk(room);
        if (room.current === null) await sleep(500);
      }
      if (room.current === null) throw new Error(`PK room ${room.roomId}: no PK could be started`);
    }
    this.loop = this.pollLoop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  /** For the audit: the PK rooms and every pkId seen. */
  audited(): AuditedPk {
    return { roomIds: this.roomIds(), pkIds: [...this.seen] };
  }

  /**
   * A check for the harness' verdict: the PK rooms were in PK for most of the load (a start refused for good,
   * e.g. a pkId that collides with an earlier one's after Redis lost the room's seq, leaves the room without).
   */
  coverageCheck(): AuditCheck {
    const polls = this.ticks.inPk + this.ticks.outOfPk;
    return {
      name: 'PK load: the PK rooms in PK for at least 80 % of the polls',
      ok: polls > 0 && this.ticks.inPk >= 0.8 * polls,
      figures: {
        pkStarts: this.counts.starts,
        pkStartsRefused: this.counts.startRefused,
        pkPollsInPk: this.ticks.inPk,
        pkPollsOutOfPk: this.ticks.outOfPk,
        pkPollFailures: this.counts.pollFailures,
      },
    };
  }

  private async pollLoop(): Promise<void> {
    const every = this.opts.pollMs ?? 1_000;
    while (!this.stopped) {
      await sleep(every);
      for (const room of this.rooms) {
        await this.poll(room).catch(() => (this.counts.pollFailures += 1));
        this.ticks[room.current ? 'inPk' : 'outOfPk'] += 1;
      }
    }
  }

  /** Reads the room's PK; one that ended (or vanished) is replaced by the next challenger's, while starts remain. */
  private async poll(room: PkRoomState): Promise<void> {
    const s = await this.call<PkStateResponse>('/living/pkState', { roomId: room.roomId }, room.anchor);
    if (s.pkId) this.seen.add(s.pkId);
    // endReason is '' while a PK runs (PK-DESIGN.md); a due one pkState reports ended before the sweeper does.
    const running = s.pkId !== null && !s.endReason;
    if (room.current && (!running || s.pkId !== room.current.pkId)) {
      this.opts.log(
        `  PK ${room.current.pkId} in room ${room.roomId} over (${s.pkId === room.current.pkId ? `${s.endReason ?? '?'}, progress ${s.progress}` : `the room now shows ${s.pkId ?? 'no PK'}`})`,
      );
      room.current = null;
      this.counts.ended += 1;
      this.writeReceivers();
    }
    if (running && !room.current && s.challengerId !== null) {
      // A PK this load did not see start (its answer was lost in a fault): follow it.
      room.current = { pkId: s.pkId!, challengerId: s.challengerId, endsAt: s.endsAt ?? 0 };
      this.writeReceivers();
    }
    if (!running && !room.current) await this.startPk(room);
  }

  private async startPk(room: PkRoomState): Promise<void> {
    const challenger = room.challengers[room.starts];
    if (!challenger) return;
    try {
      const pk = await this.call<{ pkId: string; endsAt: number }>(
        '/living/onlinePK',
        { roomId: room.roomId },
        challenger,
      );
      room.starts += 1;
      this.counts.starts += 1;
      this.seen.add(pk.pkId);
      room.current = { pkId: pk.pkId, challengerId: challenger.userId, endsAt: pk.endsAt };
      this.writeReceivers();
      this.opts.log(`  PK ${pk.pkId} in room ${room.roomId}: challenger ${challenger.userId}`);
    } catch (err: unknown) {
      this.counts.startRefused += 1;
      this.opts.log(`  PK room ${room.roomId}: onlinePK failed (${(err as Error).message}); trying again`);
    }
  }

  /** The receivers file for wrk, written whole then renamed (a reader never sees half of it). */
  private writeReceivers(): void {
    const file = this.opts.receiversFile;
    if (!file) return;
    const lines = this.rooms.map((r) => `${r.roomId} ${r.anchor.userId} ${r.current?.challengerId ?? 0}\n`);
    writeFileSync(`${file}.tmp`, lines.join(''));
    renameSync(`${file}.tmp`, file);
  }

  /** A gateway call as `user`; its data, or an error naming the code (4xx/5xx alike: the caller tries again). */
  private async call<T>(path: string, body: object, user: Viewer): Promise<T> {
    const port = this.opts.ports[this.turn++ % this.opts.ports.length];
    const a = await httpPost(port, path, JSON.stringify(body), { authorization: `Bearer ${user.token}` });
    const b = a.body as { code?: number; msg?: string; data?: T } | undefined;
    if (b?.code !== 200) throw new Error(`${path}: http ${a.status}, code ${b?.code ?? '-'} ${b?.msg ?? ''}`.trim());
    return b.data as T;
  }
}
