/**
 * The pushes of a PK battle (issue 21), to everyone in the room. `seq` is the room's: it grows by one with
 * every change of its PK state (a start, a bar move, an end) and never goes back, so a client keeps the
 * update with the highest seq and drops older ones arriving late.
 */

/** `data` of a PK_PROGRESS (5558) message: the bar after a gift moved it, or a joining socket's snapshot. */
export class PkProgressData {
  pkId!: string;
  /** The bar, 0..100: 100 the anchor wins, 0 the challenger wins; every PK starts at 50. */
  progress!: number;
  seq!: number;
  /** The gift that moved the bar; null in a snapshot. */
  requestId!: string | null;
  /** The signed move this gift made: + toward the anchor, - toward the challenger (absent in a snapshot). */
  step?: number;
  anchorId!: number;
  challengerId!: number;
  /** When the PK's time runs out, epoch ms. */
  endsAt!: number;
  /** In a snapshot: the winner once ended (0: a draw), null while it runs. */
  winnerId?: number | null;
  /** Sent only to a socket joining the room during a PK (or within 60 s of its end): the current state. */
  snapshot?: true;
}

/** `data` of a PK_ONLINE (5559) message: the challenger took (`online: true`) or left the seat. */
export class PkOnlineData {
  pkId!: string;
  challengerId!: number;
  online!: boolean;
  seq!: number;
  progress!: number;
  endsAt!: number;
  anchorId!: number;
}

/** Why a PK ended. */
export type PkEndReason = 'bound' | 'time' | 'offline' | 'session';
export const PK_END_REASONS: readonly PkEndReason[] = ['bound', 'time', 'offline', 'session'];

/** `data` of a PK_ENDED (5561) message. */
export class PkEndedData {
  pkId!: string;
  /** The anchor or the challenger; 0: a draw (time ran out with the bar at 50). */
  winnerId!: number;
  reason!: PkEndReason;
  progress!: number;
  seq!: number;
  anchorId!: number;
  challengerId!: number;
}
