import { keyPart, RedisReadable } from './store-key';

/**
 * gift-service owns the PK battles (issue 21) and keeps each PK room's state in one Redis hash in the
 * room's slot, `${prefix}:gift:{room:<id>}:pk` (fields: pkId, anchorId, challengerId, progress, seq,
 * startedAt, endsAt, endedAt, winnerId, endReason; endReason '' while the PK runs). The gateway reads it to
 * accept a gift to the challenger (and to name the PK in the message), im-core to send a joining socket the
 * current state; neither writes it. A user's PK rooms as challenger, `${prefix}:gift:{user:<id>}:pk-challenger`
 * (a set of their PKs' pkIds), tells im-core whether a closing session is a challenger's before it asks gift-service.
 */
export function pkStateKey(prefix: string, roomId: number): string {
  return `${keyPart(prefix, 'prefix')}:gift:{room:${keyPart(roomId, 'roomId')}}:pk`;
}

export function pkChallengerKey(prefix: string, userId: number): string {
  return `${keyPart(prefix, 'prefix')}:gift:{user:${keyPart(userId, 'userId')}}:pk-challenger`;
}

/** One room's PK as the hash holds it (numbers parsed; endReason '' while running). */
export interface PkHashState {
  pkId: string;
  anchorId: number;
  challengerId: number;
  progress: number;
  seq: number;
  startedAt: number;
  endsAt: number;
  /** 0 while running. */
  endedAt: number;
  /** null while running; 0 for a draw. */
  winnerId: number | null;
  endReason: string;
}

/** The hash's fields as a state, or null when the room never had a PK (or its last one expired). */
export function parsePkHash(hash: Record<string, string>): PkHashState | null {
  if (!hash.pkId) return null;
  const n = (field: string): number => Number(hash[field] ?? 0) || 0;
  return {
    pkId: hash.pkId,
    anchorId: n('anchorId'),
    challengerId: n('challengerId'),
    progress: n('progress'),
    seq: n('seq'),
    startedAt: n('startedAt'),
    endsAt: n('endsAt'),
    endedAt: n('endedAt'),
    winnerId: hash.winnerId === undefined || hash.winnerId === '' ? null : n('winnerId'),
    endReason: hash.endReason ?? '',
  };
}

/** Running: not ended, and its time not past `now` (a PK past its time is ended by the sweeper or pkState). */
export function isPkRunning(state: PkHashState | null, now: number): state is PkHashState {
  return state !== null && state.endReason === '' && now <= state.endsAt;
}

export class PkStateReader {
  constructor(
    private readonly redis: Pick<RedisReadable, 'hgetall' | 'exists'>,
    private readonly prefix: string,
  ) {}

  /** The room's PK (running or the last one, kept a day past its end), or null. One HGETALL. */
  async of(roomId: number): Promise<PkHashState | null> {
    return parsePkHash(await this.redis.hgetall(pkStateKey(this.prefix, roomId)));
  }

  /** Whether the user holds (or held, until its end is processed) the challenger seat of some room. One EXISTS. */
  async isChallenger(userId: number): Promise<boolean> {
    return (await this.redis.exists(pkChallengerKey(this.prefix, userId))) > 0;
  }
}
