import type Redis from 'ioredis';
import { GiftServiceEnv } from '../../apps/gift-service/src/config/gift-service.env';
import { waitFor } from './wait-for';

/** GIFT_OUTCOME_WINDOW_MS of the test stacks (the default), in seconds: how long a done gift's keys live. */
export const OUTCOME_WINDOW_SECONDS = new GiftServiceEnv().GIFT_OUTCOME_WINDOW_MS / 1000;

/**
 * Waits until the pipeline is done with these per-gift keys (outcome records, applied markers): the last step of
 * a delivery cuts them to the redelivery window, after the push and after the record. A test that saw the push
 * or the record and then stages a crash (deletes the record, the keys) waits for this first, or the end of the
 * first delivery lands on the staged state. The keys must be alive when cut.
 */
export async function waitForGiftKeysCut(redis: Redis, keys: string[]): Promise<number[]> {
  const ttls = () => Promise.all(keys.map((key) => redis.ttl(key)));
  await waitFor('the delivery done: its per-gift keys cut to the redelivery window', async () =>
    (await ttls()).every((ttl) => ttl <= OUTCOME_WINDOW_SECONDS),
  );
  const cut = await ttls();
  const gone = keys.filter((_, i) => cut[i] <= 0);
  if (gone.length > 0) throw new Error(`per-gift keys gone instead of cut to the window: ${gone.join(', ')}`);
  return cut;
}
