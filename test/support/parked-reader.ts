import { ParkedMessage } from '@live/contracts';
import { TestKafka } from '@live/testing';

/** Reads a parking topic from its beginning into `messages` until stop(). */
export async function readParked(
  kafka: TestKafka,
  topic: string,
): Promise<{ messages: ParkedMessage[]; stop(): Promise<void> }> {
  const messages: ParkedMessage[] = [];
  const consumer = kafka.kafka.consumer({ groupId: kafka.uniqueGroup('parked-reader') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => void messages.push(JSON.parse(message.value!.toString()) as ParkedMessage),
  });
  return { messages, stop: () => consumer.disconnect() };
}
