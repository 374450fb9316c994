import './kafkajs-negative-timeout';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the internal module the patch fixes
const RequestQueue = require('kafkajs/src/network/requestQueue') as {
  prototype: { scheduleCheckPendingRequests(this: object): void };
};

/** The delay kafkajs' request queue arms its timer with, in a given state. */
function delayOf(state: { throttledUntil: number; pending: unknown[] }): number {
  const spy = jest.spyOn(global, 'setTimeout').mockImplementation((() => 0) as never);
  try {
    RequestQueue.prototype.scheduleCheckPendingRequests.call({
      ...state,
      throttleCheckTimeoutId: null,
      checkPendingRequests: () => undefined,
    });
    return spy.mock.calls[0][1] as number;
  } finally {
    spy.mockRestore();
  }
}

describe('kafkajs request queue timer (no TimeoutNegativeWarning on Node 24)', () => {
  it('never arms a negative delay: 1 ms when idle and never throttled (what Node did with the negative one)', () => {
    expect(delayOf({ throttledUntil: -1, pending: [] })).toBe(1);
  });

  it("keeps kafkajs' delays otherwise: the throttle's end, or 10 ms with requests pending", () => {
    const until = Date.now() + 5_000;
    expect(delayOf({ throttledUntil: until, pending: [] })).toBeGreaterThan(4_000);
    expect(delayOf({ throttledUntil: -1, pending: [{}] })).toBe(10);
  });
});
