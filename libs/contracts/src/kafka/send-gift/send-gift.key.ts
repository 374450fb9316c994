import type { SendGiftMq } from './send-gift.value';

/** Key of a `send_gift` message: the sender id, so all gifts of one sender land on one partition, in order. */
export function sendGiftKey(mq: Pick<SendGiftMq, 'userId'>): string {
  return String(mq.userId);
}
