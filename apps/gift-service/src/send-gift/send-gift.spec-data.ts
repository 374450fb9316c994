import { BankClient, ImRouterClient } from '@live/common';
import {
  BatchConsumeForSendGiftResponse,
  GiftSettlementItem,
  ImRouteResponse,
  ImSendMsgRequest,
  ImSendToRoomRequest,
  ImSendToRoomsResponse,
  ParkedMessage,
  SendGiftMq,
  SendGiftType,
} from '@live/contracts';
import { ConsumedBatch, ConsumedMessage, KafkaProducerService } from '@live/kafka';
import { GiftOutcomeService } from '../board/gift-outcome.service';
import { GiftServiceEnv } from '../config/gift-service.env';
import { GiftRecordService } from '../gift-record/gift-record.service';
import { SendGiftPipeline } from './send-gift.pipeline';
import { PkService } from '../pk/pk.service';
import { SendGiftVerifier } from './send-gift.verifier';

/** A send_gift value from sender 1 to anchor 3 in room 4 (signature of the right shape; the verifier is stubbed). */
export function mq(requestId: string, price: number): SendGiftMq {
  return {
    requestId,
    userId: 1,
    giftId: 2,
    price,
    receiverId: 3,
    roomId: 4,
    url: '/x.svga',
    giftName: 'Rose',
    type: SendGiftType.DEFAULT,
    sendTime: Date.now(),
    sigKeyId: 'k1',
    sig: 's'.repeat(43),
  };
}

export function consumed(value: SendGiftMq, offset: number): ConsumedMessage<SendGiftMq> {
  return { topic: 'send_gift', partition: 0, offset: String(offset), key: '1', timestamp: '0', headers: {}, value };
}

export const batchOf = (messages: ConsumedMessage<SendGiftMq>[], attempt = 1): ConsumedBatch<SendGiftMq>[] => [
  { topic: 'send_gift', partition: 0, messages, attempt, heartbeat: async () => undefined },
];

/** Every gift charged (balance 0 after). */
export const chargeAll = async (items: GiftSettlementItem[]): Promise<BatchConsumeForSendGiftResponse> => ({
  results: items.map((i) => ({ requestId: i.requestId, status: 'charged', replayed: false, balanceAfter: 0 })),
});

export interface StubbedPipelineOptions {
  settleBatch?: (items: GiftSettlementItem[]) => Promise<BatchConsumeForSendGiftResponse>;
  sendToRooms?: (messages: ImSendToRoomRequest[]) => Promise<ImSendToRoomsResponse>;
  sendToUser?: (request: ImSendMsgRequest) => Promise<ImRouteResponse>;
  /** Messages (by offset) the verifier calls disputed, with the reason their sender gets. */
  disputed?: { offset: number; senderReason: string }[];
  env?: Partial<GiftServiceEnv>;
  /** The gift records' write (default: every one written). */
  recordCharged?: (records: unknown[]) => Promise<number>;
}

/** The pipeline with every collaborator stubbed (outcomes kept in memory, by request id); what reached them is recorded. */
export function stubbedPipeline(options: StubbedPipelineOptions = {}) {
  const settled: GiftSettlementItem[][] = [];
  const parked: ParkedMessage[] = [];
  const markedPushed = new Set<string>();
  const disputed = options.disputed ?? [];
  const settle = options.settleBatch ?? chargeAll;
  const bank = { settleBatch: async (items: GiftSettlementItem[]) => (settled.push(items), settle(items)) };
  const imRouter = {
    sendToRooms: options.sendToRooms ?? (async () => ({ results: [] })),
    sendToUser: options.sendToUser ?? (async () => ({ msgId: '', pushed: 0, offline: [] })),
  };
  const producer = {
    send: async (_topic: string, messages: { value: ParkedMessage }[]) =>
      void parked.push(...messages.map((m) => m.value)),
  };
  const records = {
    recordCharged: options.recordCharged ?? (async (r: unknown[]) => r.length),
    recorded: async () => new Map<string, string>(),
  };
  const outcomes = {
    apply: async (gifts: { requestId: string }[]) =>
      gifts.map((g) => ({ combo: 1, pushed: markedPushed.has(g.requestId), conflict: false })),
    done: async (gifts: { requestId: string }[]) => void gifts.forEach((g) => markedPushed.add(g.requestId)),
    markPushed: async (requestIds: string[]) => void requestIds.forEach((id) => markedPushed.add(id)),
    appliedOf: async () => null,
  };
  const verifier = {
    check: async (messages: ConsumedMessage<SendGiftMq>[]) => ({
      accepted: messages.filter((m) => !disputed.some((d) => String(d.offset) === m.offset)),
      refused: [],
      disputed: messages
        .map((m) => ({ m, d: disputed.find((d) => String(d.offset) === m.offset) }))
        .filter((x) => x.d)
        .map(({ m, d }) => ({ message: m, reason: 'disputed', senderReason: d!.senderReason })),
    }),
  };
  const env = { GIFT_COMBO_WINDOW_MS: 10_000, GIFT_PUSH_MAX_ATTEMPTS: 5, ...options.env } as GiftServiceEnv;
  const pipeline = new SendGiftPipeline(
    bank as unknown as BankClient,
    imRouter as unknown as ImRouterClient,
    producer as unknown as KafkaProducerService,
    records as unknown as GiftRecordService,
    outcomes as unknown as GiftOutcomeService,
    verifier as unknown as SendGiftVerifier,
    env,
    { finish: async () => undefined } as unknown as PkService,
  );
  return { pipeline, settled, parked, markedPushed, env };
}
