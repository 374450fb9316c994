import { BatchCoalescer } from './batch-coalescer';

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/** A coalescer whose runs only record what they were given. */
function recordingCoalescer(options: ConstructorParameters<typeof BatchCoalescer<number>>[1]) {
  const runs: number[][] = [];
  return { runs, c: new BatchCoalescer<number>(async (items) => void runs.push(items), options) };
}

describe('BatchCoalescer', () => {
  it('merges items submitted within the window into one run, in submission order', async () => {
    const { runs, c } = recordingCoalescer({ windowMs: 10, maxItems: 100, maxConcurrent: 1 });
    await Promise.all([c.submit(1, 1), c.submit(2, 1), c.submit(3, 1)]);
    expect(runs).toEqual([[1, 2, 3]]);
  });

  it('runs at once when the size bound is reached, and never puts more than the bound in a run', async () => {
    jest.useFakeTimers();
    try {
      const { runs, c } = recordingCoalescer({ windowMs: 1_000, maxItems: 10, maxConcurrent: 2 });
      let settled = false;
      const submitted = Promise.all([c.submit(1, 6), c.submit(2, 6), c.submit(3, 4)]).then(() => (settled = true));
      // No time passes: the runs started because the bound was reached, not because the 1 s window ran out.
      await jest.advanceTimersByTimeAsync(0);
      expect(settled).toBe(true);
      expect(jest.getTimerCount()).toBe(0); // no window timer left behind either
      await submitted;
      expect(runs.flat().sort()).toEqual([1, 2, 3]);
      expect(runs.every((r) => r.length <= 2)).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });

  it('holds items while the runs are busy and sends them together with the next run; a failed run fails its submitters only', async () => {
    const runs: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const c = new BatchCoalescer<number>(
      async (items) => {
        runs.push(items);
        if (items.includes(1)) await gate;
        if (items.includes(9)) throw new Error('bank down');
      },
      { windowMs: 1, maxItems: 100, maxConcurrent: 1 },
    );
    const first = c.submit(1, 1);
    await tick(5);
    const later = [c.submit(2, 1), c.submit(3, 1)];
    await tick(5);
    expect(runs).toEqual([[1]]);
    release();
    await Promise.all([first, ...later]);
    expect(runs).toEqual([[1], [2, 3]]);
    await expect(c.submit(9, 1)).rejects.toThrow('bank down');
    await expect(c.submit(4, 1)).resolves.toBeUndefined();
  });
});
