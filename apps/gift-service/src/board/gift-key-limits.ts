import { GiftServiceEnv } from '../config/gift-service.env';

/** The limits of the per-gift and per-room keys (GiftServiceEnv; the defaults when none is given). */
export interface GiftKeyLimits {
  /** GIFT_OUTCOME_WINDOW_MS: how long a done gift's keys are kept for redeliveries. */
  outcomeWindowMs: number;
  /** GIFT_BOARD_IDLE_TTL_MS: a room's board lives this long past its last gift. */
  boardIdleTtlMs: number;
  /** GIFT_BOARD_MAX_MEMBERS: the senders a board keeps (the top ones). */
  boardMaxMembers: number;
  /** GIFT_PK_COINS_PER_POINT, GIFT_PK_MAX_STEP: the PK bar's rule. */
  pkCoinsPerPoint: number;
  pkMaxStep: number;
}

/** How long a PK's hash stays once the PK ended (pkState shows the last PK and its winner): 1 day. */
export const PK_ENDED_TTL_SECONDS = 86_400;

export function limitsOf(env?: GiftServiceEnv): GiftKeyLimits {
  const defaults = new GiftServiceEnv();
  return {
    outcomeWindowMs: env?.GIFT_OUTCOME_WINDOW_MS ?? defaults.GIFT_OUTCOME_WINDOW_MS,
    boardIdleTtlMs: env?.GIFT_BOARD_IDLE_TTL_MS ?? defaults.GIFT_BOARD_IDLE_TTL_MS,
    boardMaxMembers: env?.GIFT_BOARD_MAX_MEMBERS ?? defaults.GIFT_BOARD_MAX_MEMBERS,
    pkCoinsPerPoint: env?.GIFT_PK_COINS_PER_POINT ?? defaults.GIFT_PK_COINS_PER_POINT,
    pkMaxStep: env?.GIFT_PK_MAX_STEP ?? defaults.GIFT_PK_MAX_STEP,
  };
}

/** Whole seconds (at least 1) of a duration in ms: a key's TTL. */
export const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));
