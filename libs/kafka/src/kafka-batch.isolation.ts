import { cutText, describeError } from '@live/common';
import type { EachBatchPayload } from 'kafkajs';
import { ConsumedMessage } from './kafka-batch.options';

/** What a one-by-one run needs from its consumer. */
export interface OneByOneRun<T> {
  /** The handler on a batch of this one message; `attempt` counts the tries of the message (from 2). */
  handle(message: ConsumedMessage<T>, attempt: number): Promise<void>;
  /** True for an outage of a dependency (never parked: retried until it is over). */
  isOutage(err: unknown): boolean;
  /** Sleeps before the next try after an outage; false when the consumer stopped meanwhile. */
  backoff(attempt: number, message: ConsumedMessage<T>, err: unknown): Promise<boolean>;
  /** Sets a message aside, durably, with the reason. */
  park(message: ConsumedMessage<T>, reason: string): Promise<void>;
}

/**
 * `settled`: every message went through or was parked. `stopped`: the consumer stopped first.
 * `all-failed`: every message (more than one) failed alone: nothing tells a poison message from an
 * outage the classification does not know, so nothing is parked and the batch is retried as a whole.
 */
export type OneByOneOutcome = { outcome: 'settled'; parked: number } | { outcome: 'stopped' | 'all-failed' };

/**
 * Settles a batch that kept failing one message at a time, in offset order. A message failing with an
 * outage is retried (backoff) until the outage is over, holding the partition: nothing is lost. A
 * message failing for any other reason is parked with that reason once the run is over, provided
 * another message of the run went through (the dependencies answer; it is the message) or it is
 * the only one.
 */
export async function settleOneByOne<T>(
  messages: readonly ConsumedMessage<T>[],
  run: OneByOneRun<T>,
  failedBefore: number,
): Promise<OneByOneOutcome> {
  const failed: { message: ConsumedMessage<T>; err: unknown }[] = [];
  let succeeded = 0;
  for (const message of messages) {
    for (let attempt = 2; ; attempt++) {
      try {
        await run.handle(message, attempt);
        succeeded += 1;
        break;
      } catch (err: unknown) {
        if (!run.isOutage(err)) {
          failed.push({ message, err });
          break;
        }
        if (!(await run.backoff(attempt, message, err))) return { outcome: 'stopped' };
      }
    }
  }
  if (failed.length > 0 && succeeded === 0 && messages.length > 1) return { outcome: 'all-failed' };
  for (const { message, err } of failed) {
    await run.park(
      message,
      cutText(`failed ${failedBefore} times in its batch, then alone: ${describeError(err)}`, 1000),
    );
  }
  return { outcome: 'settled', parked: failed.length };
}

/** Heartbeats every interval while `work` runs (a long handler keeps its group membership). */
export async function withHeartbeats<T>(
  payload: Pick<EachBatchPayload, 'heartbeat'>,
  intervalMs: number,
  work: () => Promise<T>,
): Promise<T> {
  const keepAlive = setInterval(() => void payload.heartbeat().catch(() => undefined), intervalMs);
  try {
    return await work();
  } finally {
    clearInterval(keepAlive);
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (a consumer stopping does not wait out its backoff). */
export function abortableSleep(signal: AbortSignal, ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}
