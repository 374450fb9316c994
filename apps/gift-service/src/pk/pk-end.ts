import { PK_PROGRESS_MAX, PkEndReason } from '@live/contracts';
import { PkMove } from '../board/gift-outcome.service';

/** The end a gift's bar move made (it took the bar to a bound): the anchor wins at 100, the challenger at 0. */
export function boundEndOf(roomId: number, move: PkMove): EndedPk {
  const { pkId, progress, seq, anchorId, challengerId, endsAt } = move;
  const winnerId = progress >= PK_PROGRESS_MAX ? anchorId : challengerId;
  return {
    roomId,
    pkId,
    winnerId,
    progress,
    seq,
    anchorId,
    challengerId,
    endsAt,
    reason: 'bound',
    endedAt: Date.now(),
  };
}

/** A PK that one call ended (the only call that did): what its end pushes and writes. */
export interface EndedPk {
  roomId: number;
  pkId: string;
  winnerId: number;
  progress: number;
  seq: number;
  anchorId: number;
  challengerId: number;
  endsAt: number;
  reason: PkEndReason;
  endedAt: number;
}

/** Why an end call did not end the PK; `ended`: the PK had ended (its end fields, and whether finish completed). */
export interface PkEndRefusal {
  why: string;
  pkId: string;
  challengerId: number;
  endsAt: number;
  ended?: EndedPk;
  finished?: boolean;
}

/** An END script's end fields as an ended PK. */
export function endedOf(
  roomId: number,
  f: Record<
    'id' | 'winnerId' | 'progress' | 'seq' | 'anchorId' | 'challenger' | 'endsAt' | 'decided' | 'endedAt',
    unknown
  >,
): EndedPk {
  return {
    roomId,
    pkId: String(f.id),
    winnerId: Number(f.winnerId),
    progress: Number(f.progress),
    seq: Number(f.seq),
    anchorId: Number(f.anchorId),
    challengerId: Number(f.challenger),
    endsAt: Number(f.endsAt),
    reason: String(f.decided) as PkEndReason,
    endedAt: Number(f.endedAt) || Date.now(),
  };
}
