import { giftRequestFingerprint } from '@live/contracts';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { GiftRecordEntity } from './entities/gift-record.entity';

/** A charged gift, as the consumer records it: a t_gift_record row before it has an id, with `sendTime` in epoch milliseconds (when the gateway accepted the gift). */
type NewGiftRecord = Pick<
  GiftRecordEntity,
  'requestId' | 'senderId' | 'receiverId' | 'roomId' | 'giftId' | 'price' | 'count' | 'combo'
> &
  Partial<Pick<GiftRecordEntity, 'pkId' | 'pkStep'>> & { sendTime: number };

/** Rows per INSERT statement (well under max_allowed_packet and the placeholder limit). */
const INSERT_CHUNK = 500;
const COLUMNS = 'request_id, user_id, receiver_id, room_id, gift_id, price, count, combo, pk_id, pk_step, send_time';

/** t_gift_record: one row per charged gift (UNIQUE request id). */
@Injectable()
export class GiftRecordService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Which of these request ids have a gift record (written once the gift was applied and pushed), each with
   * the giftRequestFingerprint of what it records (gift, price, room, receiver, count, PK). One query.
   */
  async recorded(requestIds: readonly string[]): Promise<Map<string, string>> {
    if (requestIds.length === 0) return new Map();
    const rows: {
      request_id: string;
      gift_id: number;
      price: number;
      count: number;
      room_id: number;
      receiver_id: number;
      pk_id: string | null;
    }[] = await this.dataSource.query(
      `SELECT request_id, gift_id, price, count, room_id, receiver_id, pk_id FROM t_gift_record WHERE request_id IN (${requestIds.map(() => '?').join(',')})`,
      [...requestIds],
    );
    return new Map(
      rows.map((r) => [
        r.request_id,
        giftRequestFingerprint({
          giftId: Number(r.gift_id),
          price: Number(r.price),
          roomId: Number(r.room_id),
          receiverId: Number(r.receiver_id),
          count: Number(r.count),
          ...(r.pk_id === null ? {} : { pkId: r.pk_id }),
        }),
      ]),
    );
  }

  /**
   * Writes the records that are not there yet (INSERT IGNORE on the UNIQUE request id: a redelivered
   * gift writes nothing). Returns how many rows were new.
   */
  async recordCharged(records: readonly NewGiftRecord[]): Promise<number> {
    let inserted = 0;
    for (let i = 0; i < records.length; i += INSERT_CHUNK) {
      const chunk = records.slice(i, i + INSERT_CHUNK);
      const placeholders = chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
      const params = chunk.flatMap((r) => [
        r.requestId,
        r.senderId,
        r.receiverId,
        r.roomId,
        r.giftId,
        r.price,
        r.count,
        r.combo,
        r.pkId ?? null,
        r.pkStep ?? 0,
        new Date(r.sendTime),
      ]);
      const result: { affectedRows?: number } = await this.dataSource.query(
        `INSERT IGNORE INTO t_gift_record (${COLUMNS}) VALUES ${placeholders}`,
        params,
      );
      inserted += result.affectedRows ?? 0;
    }
    return inserted;
  }
}
