import { APPLY_ANSWER_WIDTH } from './gift-outcome.scripts';

/** A charged gift's move of a PK bar, as the room script applied it once. */
export interface PkMove {
  pkId: string;
  /** Signed: + toward the anchor (100), - toward the challenger (0). */
  step: number;
  progress: number;
  seq: number;
  /** This gift took the bar to a bound: the PK ended with it. */
  ended: boolean;
  anchorId: number;
  challengerId: number;
  endsAt: number;
}

/**
 * One gift's answer of APPLY_IN_ROOM (combo, step, progress, seq, ended, anchorId, challengerId, endsAt), the
 * same fields its applied marker keeps (`:`-joined; a marker of a gift that moved no bar holds the combo
 * only): its combo, and its PK move when it made one (seq > 0, the gift naming a pkId).
 */
export function appliedAnswerOf(fields: readonly unknown[], pkId: string | undefined): { combo: number; pk?: PkMove } {
  const [combo, step, progress, seq, ended, anchorId, challengerId, endsAt] = Array.from(
    { length: APPLY_ANSWER_WIDTH },
    (_, k) => Number(fields[k] ?? 0) || 0,
  );
  if (!(seq > 0) || pkId === undefined) return { combo };
  return { combo, pk: { pkId, step, progress, seq, ended: ended === 1, anchorId, challengerId, endsAt } };
}
