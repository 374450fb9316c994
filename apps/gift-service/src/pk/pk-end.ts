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
