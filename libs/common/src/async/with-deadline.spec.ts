import { withDeadline } from './with-deadline';

describe('withDeadline', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it("answers the promise's answer or failure when it comes in time, and clears its timer", async () => {
    await expect(withDeadline(Promise.resolve(7), 100, () => new Error('late'))).resolves.toBe(7);
    await expect(withDeadline(Promise.reject(new Error('own')), 100, () => new Error('late'))).rejects.toThrow('own');
    expect(jest.getTimerCount()).toBe(0);
  });

  it("rejects with late()'s error once the time has passed, and ignores the promise's later failure", async () => {
    let fail: (err: Error) => void = () => undefined;
    const slow = new Promise<number>((_resolve, reject) => (fail = reject));
    const answer = withDeadline(slow, 100, () => new Error('no answer in 100 ms'));
    jest.advanceTimersByTime(99);
    await Promise.resolve();
    const outcome = expect(answer).rejects.toThrow('no answer in 100 ms');
    jest.advanceTimersByTime(1);
    await outcome;
    fail(new Error('too late to matter')); // no unhandled rejection: the race holds a handler
    expect(jest.getTimerCount()).toBe(0);
  });
});
