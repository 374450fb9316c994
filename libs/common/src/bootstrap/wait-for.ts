import { Logger } from '@nestjs/common';

import { IntSetting, validateEnv } from '../config';
import { describeError } from '../errors';

/** How long an app waits at start-up for each dependency that is not ready yet (broker, database, Redis...). */
export class StartupEnv {
  /** Per dependency; past it the app exits naming what it waited for. */
  @IntSetting(1_000, 600_000)
  STARTUP_DEADLINE_MS: number = 90_000;
}

/** A dependency that did not become ready before the start-up deadline: the app exits naming it. */
export class DependencyNotReadyError extends Error {
  constructor(
    readonly what: string,
    readonly waitedMs: number,
    readonly lastError: unknown,
  ) {
    super(`${what} not ready after ${(waitedMs / 1000).toFixed(1)} s: ${describeError(lastError)}`);
    this.name = 'DependencyNotReadyError';
  }
}

export interface WaitForOptions {
  /** Give up after this long (default STARTUP_DEADLINE_MS, 90 s). */
  deadlineMs?: number;
  /** First pause between attempts, doubled up to maxDelayMs (defaults 250 ms, 5 s). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** An error for which waiting cannot help (a bad password, say): fails at once. Default: every error is retried. */
  isFatal?: (err: unknown) => boolean;
  logger?: Logger;
  /** Test seams. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultLogger = new Logger('Startup');

/**
 * Runs `attempt` until it resolves, with exponential backoff, for at most the deadline: start-up waits for
 * what it needs instead of failing because a server came up a second later than the app. Logs what it
 * waits for on the first failure and then at most every few seconds (not every retry), and once when the
 * dependency answers. Past the deadline: DependencyNotReadyError naming `what` and the last error.
 */
export async function waitFor<T>(what: string, attempt: () => Promise<T>, options: WaitForOptions = {}): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const logger = options.logger ?? defaultLogger;
  const deadlineMs = options.deadlineMs ?? validateEnv(StartupEnv).STARTUP_DEADLINE_MS;
  const maxDelay = options.maxDelayMs ?? 5_000;
  const started = now();
  let delay = options.initialDelayMs ?? 250;
  let failures = 0;
  let lastLog = -Infinity;
  for (;;) {
    try {
      const result = await attempt();
      if (failures > 0)
        logger.log(`${what}: ready after ${((now() - started) / 1000).toFixed(1)} s (${failures} failed attempt(s))`);
      return result;
    } catch (err: unknown) {
      failures++;
      const waited = now() - started;
      if (options.isFatal?.(err) || waited + delay > deadlineMs) throw new DependencyNotReadyError(what, waited, err);
      if (now() - lastLog >= 5_000) {
        lastLog = now();
        logger.warn(
          `waiting for ${what}: ${describeError(err)} (attempt ${failures}, giving up after ${Math.round(deadlineMs / 1000)} s)`,
        );
      }
      await sleep(delay);
      delay = Math.min(maxDelay, delay * 2);
    }
  }
}
