/**
 * kafkajs 2.2.4 (the last release) arms its request queue's timer with a negative delay when nothing is
 * pending and the broker never throttled (`throttledUntil` is -1): Node fires it after 1 ms either way, and
 * since Node 24 also prints a TimeoutNegativeWarning at each app's start. This gives the same 1 ms
 * explicitly: behaviour unchanged, no warning. Applied once, on import (kafka-client.factory.ts).
 */
interface RequestQueuePrototype {
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  pending: unknown[];
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs' own interval for a queue with pending requests and no throttle (CHECK_PENDING_REQUESTS_INTERVAL). */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

// eslint-disable-next-line @typescript-eslint/no-require-imports -- an internal module of kafkajs, without types
const RequestQueue = require('kafkajs/src/network/requestQueue') as { prototype: RequestQueuePrototype };

RequestQueue.prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(
  this: RequestQueuePrototype,
): void {
  if (this.throttleCheckTimeoutId) return;
  const untilUnthrottled = this.throttledUntil - Date.now();
  const delay =
    this.pending.length > 0 && untilUnthrottled <= 0 ? CHECK_PENDING_REQUESTS_INTERVAL_MS : untilUnthrottled;
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    },
    Math.max(1, delay),
  );
};
