import { expireInBatches, MAX_BATCHES_PER_ROUND } from './pay-order-expiry.job';

/** A backlog of `n` overdue orders, expired `batch` at a time as the conditional UPDATE ... LIMIT would. */
function backlog(n: number, batch: number): { expireBatch: () => Promise<number>; calls: () => number } {
  let left = n;
  let calls = 0;
  return {
    expireBatch: async () => {
      calls += 1;
      const done = Math.min(left, batch);
      left -= done;
      return done;
    },
    calls: () => calls,
  };
}

describe('expireInBatches', () => {
  it.each([
    [0, 500, 0, 1],
    [499, 500, 499, 1],
    [500, 500, 500, 2],
    [1_234, 500, 1_234, 3],
  ])('%s overdue, batches of %s: %s expired in %s statement(s)', async (n, batch, expired, statements) => {
    const b = backlog(n, batch);
    expect(await expireInBatches(b.expireBatch, batch)).toBe(expired);
    expect(b.calls()).toBe(statements);
  });

  it('stops after MAX_BATCHES_PER_ROUND full batches: the rest waits for the next round', async () => {
    const b = backlog(100 * MAX_BATCHES_PER_ROUND, 10);
    expect(await expireInBatches(b.expireBatch, 10)).toBe(10 * MAX_BATCHES_PER_ROUND);
    expect(b.calls()).toBe(MAX_BATCHES_PER_ROUND);
  });

  it('a failing statement fails the round (logged by the job, tried again at the next tick)', async () => {
    await expect(expireInBatches(() => Promise.reject(new Error('db away')), 10)).rejects.toThrow('db away');
  });
});
