/**
 * Preload (`node --require`) that profiles one app under load for the benchmark: starts the V8 CPU
 * profiler PROFILE_DELAY_MS after start-up and writes PROFILE_OUT (a .cpuprofile) PROFILE_MS later.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const session = new Session();
session.connect();
setTimeout(
  () => {
    session.post('Profiler.enable', () =>
      session.post('Profiler.start', () => {
        setTimeout(
          () =>
            session.post('Profiler.stop', (err, result) => {
              if (!err) writeFileSync(process.env.PROFILE_OUT ?? 'app.cpuprofile', JSON.stringify(result.profile));
            }),
          Number(process.env.PROFILE_MS ?? 5_000),
        );
      }),
    );
  },
  Number(process.env.PROFILE_DELAY_MS ?? 20_000),
).unref();
