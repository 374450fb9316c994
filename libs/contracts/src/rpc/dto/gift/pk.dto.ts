import { IsEntityId, PK_ID_PATTERN } from '../../../validation';
import { SignedOrderRequest } from '../signed-order.dto';

/** The bar's start, and its bounds (issue 21): 100 the anchor wins, 0 the challenger wins. */
export const PK_PROGRESS_START = 50;
export const PK_PROGRESS_MAX = 100;
export const PK_PROGRESS_MIN = 0;

export function pkIdOf(roomId: number, seq: number): string {
  return `pk-${roomId}-${seq}`;
}

/** The room's seq when the PK started (`pk-<roomId>-<seq>`; 0 when it is not a pkId). */
export function seqOfPkId(pkId: string): number {
  return PK_ID_PATTERN.test(pkId) ? Number(pkId.split('-')[2]) : 0;
}

/** The room a pkId belongs to (its pattern names it), or null when it is not a pkId. */
export function roomOfPkId(pkId: string): number | null {
  if (!PK_ID_PATTERN.test(pkId)) return null;
  return Number(pkId.split('-')[1]);
}

/**
 * The bar's move for one charged gift of `amount` coins (price x count): min(maxStep, ceil(amount /
 * coinsPerPoint)) points, toward 100 for a gift to the anchor, toward 0 for one to the challenger (the caller
 * applies the sign and clamps to the bounds). The same rule as the room script's (GiftOutcomeService).
 */
export function pkStepOf(amount: number, coinsPerPoint: number, maxStep: number): number {
  return Math.min(maxStep, Math.ceil(amount / coinsPerPoint));
}

/** GiftRpc.PK_ONLINE / PK_OFFLINE: the caller (the gateway's authenticated user) and the room; signed by the gateway. */
export class PkSeatRequest extends SignedOrderRequest {
  @IsEntityId()
  roomId!: number;

  @IsEntityId()
  userId!: number;
}

export class PkOnlineResponse {
  pkId!: string;
  /** When the PK's time runs out, epoch ms. */
  endsAt!: number;
}

/** GiftRpc.PK_OFFLINE: nothing to say (the gateway answers null). */
export class PkOfflineResponse {
  /** The PK the caller left (already ended: the same answer, nothing changed). */
  pkId!: string;
}

/** GiftRpc.PK_STATE */
export class PkStateRequest {
  @IsEntityId()
  roomId!: number;
}

/** The room's PK: the running one, else the last one (kept a day after its end), else none (pkId null). */
export class PkStateResponse {
  pkId!: string | null;
  anchorId!: number;
  challengerId!: number | null;
  progress!: number;
  seq!: number;
  endsAt!: number | null;
  /** The winner once ended (0: a draw); null while running or when there was no PK. */
  winnerId!: number | null;
  /** '' while running; 'bound' | 'time' | 'offline' | 'session' once ended; null when there was no PK. */
  endReason!: string | null;
}

/** GiftRpc.PK_SESSION_ENDED: im-core saw the user's last socket close (logout, close, heartbeat timeout). */
export class PkSessionEndedRequest {
  @IsEntityId()
  userId!: number;
}

export class PkSessionEndedResponse {
  /** How many PKs this ended (the user was their challenger). */
  ended!: number;
}
