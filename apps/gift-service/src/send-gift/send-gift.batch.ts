import { cutText } from '@live/common';
import { ConsumedBatch, ConsumedMessage } from '@live/kafka';
import {
  GiftEffectData,
  GiftSettlementItem,
  GiftSettlementResult,
  orderSignatureOf,
  SendGiftMq,
  SentGift,
} from '@live/contracts';

/** The shapes and small pure helpers of one send_gift pipeline run (SendGiftPipeline). */

/** The most of a parked message's value that is kept. */
export const PARKED_VALUE_MAX = 64 * 1024;
/**
 * The longest key a parked record keeps (a send_gift key is a user id). A longer one was not written by the
 * gateway: the record goes without a key (its origin names it). Re-produced as it came, a key of a megabyte
 * took kafkajs' partitioner (murmur2 over a BigInt-backed Long) minutes of one CPU, with the event loop
 * blocked, and again at each redelivery: one message from anything that can write to the topic stopped
 * every settlement (an attacker pass, 2026-12-01).
 */
export const PARKED_KEY_MAX = 256;
/** The longest reason kept (a decode error quotes the value). */
export const PARKED_REASON_MAX = 2048;

/** What one batch came to (also the log line). */
export interface SendGiftBatchReport {
  gifts: number;
  charged: number;
  rejected: number;
  /** Settled by an earlier delivery (or earlier in this batch): the first answer, nothing moved now. */
  replayed: number;
  /** Parked: undecodable, unsigned or badly signed, wrong price or receiver, a reused request id. */
  parked: number;
  recordsWritten: number;
  effectsPushed: number;
  failuresPushed: number;
}

export interface Settled {
  message: ConsumedMessage<SendGiftMq>;
  /** The message's gift under its internal names (sentGiftOf). */
  gift: SentGift;
  result: GiftSettlementResult;
}

export type Decoded = ConsumedMessage<SendGiftMq> & { value: SendGiftMq };

export function describeBatches(batches: readonly ConsumedBatch<SendGiftMq>[]): string {
  const where = batches
    .map((b) => `[${b.partition}]${b.messages[0]?.offset}..${b.messages[b.messages.length - 1]?.offset}`)
    .join(' ');
  const retry = Math.max(...batches.map((b) => b.attempt));
  return `${batches[0]?.topic} ${where}${retry > 1 ? ` (attempt ${retry})` : ''}`;
}

export function describeReport(r: SendGiftBatchReport): string {
  return (
    `${r.gifts} gifts, ${r.charged} charged, ${r.rejected} rejected, ${r.replayed} replayed, ` +
    `${r.parked} parked, ${r.recordsWritten} records, ${r.effectsPushed}+${r.failuresPushed} pushed`
  );
}

/** The promise's value and how many ms it took. */
export async function timed<T>(work: Promise<T>): Promise<[T, number]> {
  const start = Date.now();
  const value = await work;
  return [value, Date.now() - start];
}

/**
 * The 5556 effect of a charged gift, all of it from the message (the gateway put the gift's name and effect
 * in it), under its wire names (API.md: svgaUrl).
 */
export function giftEffectData(gift: SentGift, combo: number): GiftEffectData {
  const { requestId, giftId, giftName, effectUrl: svgaUrl, senderId, receiverId, roomId, count } = gift;
  return { requestId, giftId, giftName, svgaUrl, senderId, receiverId, roomId, combo, count };
}

/**
 * The settlement of a gift, with the gateway's signature of its message (bank-service checks it again). The
 * count only when it is not 1 (signed only then): a single gift's item is the one a bank-service that predates
 * counts takes.
 */
export function toSettlementItem(gift: SentGift, mq: SendGiftMq, refuseUnlessSettled?: string): GiftSettlementItem {
  const { requestId, senderId, receiverId, roomId, giftId, price, count } = gift;
  const item: GiftSettlementItem = {
    requestId,
    senderId,
    receiverId,
    roomId,
    giftId,
    price,
    ...(count === 1 ? {} : { count }),
    signed: orderSignatureOf(mq),
  };
  return refuseUnlessSettled === undefined ? item : { ...item, refuseUnlessSettled };
}

/** The send_gift.parked record of a refused message: why, where it came from, its value (cut), a short key only. */
export function parkedRecordOf({ message, reason }: { message: ConsumedMessage<SendGiftMq>; reason: string }) {
  return {
    key: message.key !== null && message.key.length <= PARKED_KEY_MAX ? message.key : null,
    value: {
      reason: cutText(reason, PARKED_REASON_MAX),
      originTopic: message.topic,
      originPartition: message.partition,
      originOffset: message.offset,
      rawValue: cutOrNull(rawOf(message), PARKED_VALUE_MAX),
      parkedAt: Date.now(),
    },
  };
}

const cutOrNull = (text: string | null, max: number): string | null => (text === null ? null : cutText(text, max));

export function rawOf(message: ConsumedMessage<SendGiftMq>): string | null {
  return message.value !== undefined ? JSON.stringify(message.value) : message.rawValue;
}

/** The gift record of a charged, done gift: its combo, and its PK and bar move (issue 21; 0: none). */
export function recordOf({ gift, combo, pk }: { gift: SentGift; combo: number; pk?: { step: number } }) {
  return { ...gift, combo, pkId: gift.pkId ?? null, pkStep: pk?.step ?? 0 };
}

/** A request id sent twice in one batch: its first occurrence speaks for both (the bank answered the second as a replay). */
export function firstOfEachRequest(settled: readonly Settled[]): Settled[] {
  const seen = new Set<string>();
  return settled.filter(({ gift }) => (seen.has(gift.requestId) ? false : (seen.add(gift.requestId), true)));
}
