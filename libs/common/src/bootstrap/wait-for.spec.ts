import { Logger } from '@nestjs/common';
import { DependencyNotReadyError, waitFor, WaitForOptions } from './wait-for';

/** A clock that only moves when the code under test sleeps. */
function fakeClock() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
  };
}

function recordingLogger() {
  const lines: { level: string; msg: string }[] = [];
  const logger = {
    log: (msg: string) => lines.push({ level: 'log', msg }),
    warn: (msg: string) => lines.push({ level: 'warn', msg }),
  };
  return { logger: logger as unknown as Logger, lines };
}

/** waitFor on a fake clock with a recording logger; `attempt(n)` is the check's n-th call (from 1). */
function waitOnFakeClock<T>(what: string, attempt: (call: number) => Promise<T>, options: WaitForOptions = {}) {
  const clock = fakeClock();
  const { logger, lines } = recordingLogger();
  let calls = 0;
  const result = waitFor(what, () => attempt(++calls), { ...clock, logger, ...options });
  return { result, clock, lines, calls: () => calls };
}

/** A check that always fails, with the message `message(call)`. */
function failing(message: (call: number) => string): (call: number) => Promise<never> {
  return async (call) => {
    throw new Error(message(call));
  };
}

describe('waitFor (start-up waits for its dependencies)', () => {
  it('retries with doubling pauses until the dependency answers, and says what it waited for', async () => {
    const { result, clock, lines, calls } = waitOnFakeClock(
      'the broker',
      async (call) => {
        if (call < 5) throw new Error('connection refused');
        return 42;
      },
      { deadlineMs: 60_000, initialDelayMs: 100, maxDelayMs: 500 },
    );
    expect(await result).toBe(42);
    expect(calls()).toBe(5);
    expect(clock.sleeps).toEqual([100, 200, 400, 500]);
    expect(lines[0]).toEqual({
      level: 'warn',
      msg: expect.stringContaining('waiting for the broker: connection refused (attempt 1'),
    });
    expect(lines[lines.length - 1]).toEqual({
      level: 'log',
      msg: expect.stringContaining('the broker: ready after 1.2 s (4 failed attempt(s))'),
    });
  });

  it('logs at most every 5 s while waiting, not every retry', async () => {
    const { result, clock, lines, calls } = waitOnFakeClock(
      'redis',
      async (call) => {
        if (call < 40) throw new Error('ECONNREFUSED');
      },
      { deadlineMs: 600_000, initialDelayMs: 100, maxDelayMs: 1_000 },
    );
    await result;
    const warnings = lines.filter((l) => l.level === 'warn').length;
    expect(calls()).toBe(40);
    expect(warnings).toBeLessThanOrEqual(Math.ceil(clock.now() / 5_000) + 1);
    expect(warnings).toBeGreaterThan(1);
  });

  it('gives up at the deadline with an error naming the dependency and its last error', async () => {
    const run = waitOnFakeClock(
      'the database at db:3306',
      failing((call) => `refused #${call}`),
      { deadlineMs: 10_000, initialDelayMs: 250, maxDelayMs: 2_000 },
    );
    await expect(run.result).rejects.toBeInstanceOf(DependencyNotReadyError);
    await expect(run.result).rejects.toThrow(
      new RegExp(`^the database at db:3306 not ready after \\d+\\.\\d s: refused #${run.calls()}$`),
    );
    expect(run.clock.now()).toBeLessThanOrEqual(10_000);
    expect(run.calls()).toBeGreaterThan(5);
  });

  it('fails at once on an error that waiting cannot mend', async () => {
    const run = waitOnFakeClock(
      'redis',
      failing(() => 'WRONGPASS invalid username-password pair'),
      { isFatal: (e) => /WRONGPASS/.test((e as Error).message) },
    );
    await expect(run.result).rejects.toThrow('redis not ready after 0.0 s: WRONGPASS');
    expect(run.calls()).toBe(1);
    expect(run.clock.sleeps).toEqual([]);
  });
});
