import { KafkaConsumerGroup, KafkaTopic, RemoveGiftCacheMq, SendGiftMq } from '@live/contracts';
import type { Kafka, Producer, ProducerBatch } from 'kafkajs';
import { BatchConsumer } from './kafka-batch.consumer';
import { KafkaNames } from './kafka-names';
import { KafkaProducerService } from './kafka-producer.service';

/**
 * Producers and consumers are typed by the contracts' topic -> message map (KafkaTopicMessages): the
 * logical topic picks the message type, and the cluster prefix is put on inside. The `@ts-expect-error`
 * lines are the compile-time half of this spec: `tsc --noEmit` (npm test, npm run typecheck) fails if a
 * wrong payload for a topic ever type-checks.
 */
function fakeKafka() {
  const requests: ProducerBatch[] = [];
  const consumer = {
    events: { GROUP_JOIN: 'join', REBALANCING: 'rebalancing', CRASH: 'crash', STOP: 'stop' },
    on: jest.fn(),
    connect: jest.fn(async () => undefined),
    subscribe: jest.fn(async () => undefined),
    run: jest.fn(async () => undefined),
    disconnect: jest.fn(async () => undefined),
  };
  const producer = {
    connect: jest.fn(async () => undefined),
    disconnect: jest.fn(async () => undefined),
    sendBatch: jest.fn(async (batch: ProducerBatch) => void requests.push(batch)),
  };
  const kafka = {
    producer: jest.fn(() => producer as unknown as Producer),
    consumer: jest.fn(() => consumer),
  } as unknown as Kafka;
  return { kafka, consumer, requests };
}

const mq: SendGiftMq = {
  userId: 101,
  giftId: 7,
  giftName: 'Rose',
  price: 50,
  receiverId: 202,
  roomId: 3003,
  url: '',
  requestId: 'r-1',
  type: 0,
  sendTime: 1,
};

describe('typed topics', () => {
  it('send() takes the logical topic and its message type, and writes to the prefixed topic', async () => {
    const f = fakeKafka();
    const producer = new KafkaProducerService(f.kafka, { names: new KafkaNames('it7.') });
    await producer.send(KafkaTopic.REMOVE_GIFT_CACHE, [{ key: '9', value: { giftId: 9 } }]);
    await producer.send(KafkaTopic.SEND_GIFT, [{ key: '101', value: mq }]);
    expect(f.requests.map((r) => r.topicMessages)).toEqual([
      [{ topic: 'it7.remove_gift_cache', messages: [{ key: '9', value: '{"giftId":9}' }] }],
      [{ topic: 'it7.send_gift', messages: [{ key: '101', value: JSON.stringify(mq) }] }],
    ]);
  });

  it('a consumer subscribes to the prefixed topic and joins the prefixed group', async () => {
    const f = fakeKafka();
    const seen: number[] = [];
    const consumer = new BatchConsumer<KafkaTopic.REMOVE_GIFT_CACHE>(f.kafka, {
      names: new KafkaNames('it7.'),
      groupId: 'g',
      topic: KafkaTopic.REMOVE_GIFT_CACHE,
      valueClass: RemoveGiftCacheMq,
      // The handler's messages are typed by the topic: m.value is a RemoveGiftCacheMq.
      handler: async (batch) => void batch.messages.forEach((m) => m.value && seen.push(m.value.giftId)),
    });
    await consumer.start();
    expect(f.kafka.consumer).toHaveBeenCalledWith(expect.objectContaining({ groupId: 'it7.g' }));
    expect(f.consumer.subscribe).toHaveBeenCalledWith({ topics: ['it7.remove_gift_cache'], fromBeginning: true });
    await consumer.stop();
  });
});

/**
 * A wrong payload, topic or value class for a topic does not compile. Checked by tsc (npm test's typecheck
 * stage fails when an @ts-expect-error line type-checks), not by jest: never called.
 */
function _wrongTopicsDoNotCompile(): void {
  const producer = new KafkaProducerService(fakeKafka().kafka);
  const kafka = fakeKafka().kafka;
  const _wrong = [
    // @ts-expect-error a RemoveGiftCacheMq is not a send_gift message
    () => producer.send(KafkaTopic.SEND_GIFT, [{ key: '9', value: { giftId: 9 } }]),
    // @ts-expect-error a send_gift message lacking its price
    () => producer.send(KafkaTopic.SEND_GIFT, [{ key: '1', value: { ...mq, price: undefined } }]),
    // @ts-expect-error a cluster (prefixed) name or any other string is not a topic of the map
    () => producer.send('it7.send_gift', [{ key: '1', value: mq }]),
    () =>
      new BatchConsumer<KafkaTopic.SEND_GIFT>(kafka, {
        groupId: KafkaConsumerGroup.GIFT_SEND_GIFT,
        topic: KafkaTopic.SEND_GIFT,
        // @ts-expect-error send_gift is decoded into SendGiftMq, not RemoveGiftCacheMq
        valueClass: RemoveGiftCacheMq,
        handler: async () => undefined,
      }),
  ];
}
