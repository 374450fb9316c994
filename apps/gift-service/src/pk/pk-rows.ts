import type { DataSource } from 'typeorm';
import { EndedPk } from './pk-end';

/** A PK's start as t_living_pk keeps it. */
export interface StartedPk {
  pkId: string;
  roomId: number;
  anchorId: number;
  challengerId: number;
  startedAt: number;
  endsAt: number;
}

/**
 * t_living_pk, one row per PK (issue 21): written at its start, completed once at its end. Each write is
 * idempotent (INSERT IGNORE on the UNIQUE pk_id; the end only while `ended_at IS NULL`): PkService repeats them.
 */
export class PkRows {
  constructor(private readonly dataSource: DataSource) {}

  async start(pk: StartedPk): Promise<void> {
    await this.dataSource.query(
      'INSERT IGNORE INTO t_living_pk (pk_id, room_id, anchor_id, challenger_id, started_at, ends_at) VALUES (?, ?, ?, ?, ?, ?)',
      [pk.pkId, pk.roomId, pk.anchorId, pk.challengerId, new Date(pk.startedAt), new Date(pk.endsAt)],
    );
  }

  /** The end, once (a retry after it changes nothing); `final_seq`: the room's seq at the end. */
  async end(ended: EndedPk): Promise<void> {
    const { pkId, winnerId, reason, progress, seq, endedAt } = ended;
    await this.dataSource.query(
      'UPDATE t_living_pk SET ended_at = ?, winner_id = ?, end_reason = ?, final_progress = ?, final_seq = ? WHERE pk_id = ? AND ended_at IS NULL',
      [new Date(endedAt), winnerId, reason, progress, seq, pkId],
    );
  }

  /**
   * The room's highest seq the table knows (0: none): the greatest of its PKs' start seqs (in the pkId) and end
   * seqs (final_seq), so a new PK continues after them even when the hash expired or was lost.
   */
  async lastSeq(roomId: number): Promise<number> {
    const rows: { seq: string | number | null }[] = await this.dataSource.query(
      "SELECT MAX(GREATEST(CAST(SUBSTRING_INDEX(pk_id, '-', -1) AS UNSIGNED), COALESCE(final_seq, 0))) AS seq FROM t_living_pk WHERE room_id = ?",
      [roomId],
    );
    return Number(rows[0]?.seq ?? 0) || 0;
  }
}
