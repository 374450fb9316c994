import { Logger } from '@nestjs/common';
import { DependencyNotReadyError, waitFor } from './wait-for';

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
  const logger = { log: (msg: string) => lines.push({ level: 'log', msg }), warn: (msg: string) => lines.push({ level: 'warn', msg }) };
  return { logger: logger as unknown as Logger, lines };
}

describe('waitFor (start-up waits for its dependencies)', () => {
  it('retries with doubling pauses until the dependency answers, and says what it waited for', async () => {
    const clock = fakeClock();
    const { logger, lines } = recordingLogger();
    let calls = 0;
    const value = await waitFor(
      'the broker',
      async () => {
        calls++;
        if (calls < 5) throw new Error('connection refused');
        return 42;
      },
      { ...clock, logger, deadlineMs: 60_000, initialDelayMs: 100, maxDelayMs: 500 },
    );
    expect(value).toBe(42);
    expect(calls).toBe(5);
    expect(clock.sleeps).toEqual([100, 200, 400, 500]);
    expect(lines[0]).toEqual({ level: 'warn', msg: expect.stringContaining('waiting for the broker: connection refused (attempt 1') });
    expect(lines[lines.length - 1]).toEqual({ level: 'log', msg: expect.stringContaining('the broker: ready after 1.2 s (4 failed attempt(s))') });
  });

  it('logs at most every 5 s while waiting, not every retry', async () => {
    const clock = fakeClock();
    const { logger, lines } = recordingLogger();
    let calls = 0;
    await waitFor('redis', async () => {
      if (++calls < 40) throw new Error('ECONNREFUSED');
    }, { ...clock, logger, deadlineMs: 600_000, initialDelayMs: 100, maxDelayMs: 1_000 });
    const warnings = lines.filter((l) => l.level === 'warn').length;
    expect(calls).toBe(40);
    expect(warnings).toBeLessThanOrEqual(Math.ceil(clock.now() / 5_000) + 1);
    expect(warnings).toBeGreaterThan(1);
  });

  it('gives up at the deadline with an error naming the dependency and its last error', async () => {
    const clock = fakeClock();
    const { logger } = recordingLogger();
    let calls = 0;
    const failing = waitFor('the database at db:3306', async () => {
      calls++;
      throw new Error(`refused #${calls}`);
    }, { ...clock, logger, deadlineMs: 10_000, initialDelayMs: 250, maxDelayMs: 2_000 });
    await expect(failing).rejects.toBeInstanceOf(DependencyNotReadyError);
    await expect(failing).rejects.toThrow(new RegExp(`^the database at db:3306 not ready after \\d+\\.\\d s: refused #${calls}$`));
    expect(clock.now()).toBeLessThanOrEqual(10_000);
    expect(calls).toBeGreaterThan(5);
  });

  it('fails at once on an error that waiting cannot mend', async () => {
    const clock = fakeClock();
    const { logger } = recordingLogger();
    let calls = 0;
    const bad = waitFor('redis', async () => {
      calls++;
      throw new Error('WRONGPASS invalid username-password pair');
    }, { ...clock, logger, isFatal: (e) => /WRONGPASS/.test((e as Error).message) });
    await expect(bad).rejects.toThrow('redis not ready after 0.0 s: WRONGPASS');
    expect(calls).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });
});
