import { INestApplication, ShutdownSignal } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import { IntSetting } from '../config/settings';

/** Every app: how long a graceful stop may take before the process ends anyway. */
export class ShutdownEnv {
  /**
   * From the first stop signal (SIGTERM, SIGINT, SIGHUP...), the app's stop (the close of its listeners, consumers and connections) has
   * this long; past it the process logs what it was doing and exits with code 1. Nothing is lost by that: an
   * unacknowledged Kafka message is delivered again, a bank transaction not committed is rolled back, a client
   * retries with its Idempotency-Key. Below the usual 30 s grace of a process manager, so the exit is the app's
   * own, logged, not a SIGKILL. 0: no deadline.
   */
  @IntSetting(0, 600_000)
  SHUTDOWN_DEADLINE_MS: number = 25_000;
}

/** The signals Nest's shutdown hooks stop on (enableShutdownHooks() with no list: all of them). */
const SIGNALS = Object.values(ShutdownSignal);

/**
 * Arms the deadline at the first stop signal (SIGTERM, SIGINT, SIGHUP... every one Nest stops on) (beside Nest's shutdown hooks, which run the graceful stop). Found
 * in a review, 2026-12-01: with the broker gone, gift-service's stop took about 70 s, spent in kafkajs'
 * leave-group retries, so a process manager's SIGKILL ended it with no line saying why.
 */
export function armShutdownDeadline(app: string, deadlineMs: number, log: (line: string) => void): void {
  if (deadlineMs <= 0) return;
  let armed = false;
  const arm = (signal: string): void => {
    for (const s of SIGNALS) process.removeListener(s, arm);
    if (armed) return;
    armed = true;
    const began = Date.now();
    setTimeout(() => {
      log(
        `${app}: the stop asked by ${signal} did not finish within ${deadlineMs} ms (took ${Date.now() - began} ms so far): ` +
          'exiting now; messages not acknowledged are delivered again, transactions not committed are rolled back',
      );
      process.exit(1);
    }, deadlineMs).unref();
  };
  for (const s of SIGNALS) process.once(s, arm);
}

/** Nest's shutdown hooks (the graceful stop on SIGTERM/SIGINT), and its deadline (none when 0) logged by the app's logger. */
export function enableShutdown(app: INestApplication, name: string, deadlineMs: number): void {
  app.enableShutdownHooks();
  const logger = app.get(Logger);
  armShutdownDeadline(name, deadlineMs, (line) => logger.error(line));
}
