/**
 * The gateway's CPU per request: the stack as `npm run bench` starts it (from dist/), 200 seeded users in
 * 10 rooms, then rounds of /bench/noop and /gift/send (SECONDS each at a fixed concurrency), each round's
 * api-gateway CPU (user + system, from /proc) divided by its 200 answers. With `--against <checkout>` a
 * second gateway, built in that checkout's dist/, takes the same load at the same time: the ratio of the two
 * holds on a machine whose other load varies (absolute figures there do not).
 *   npm run build && LIVE_GIFT_PROFILE=development node scripts/run-app.js bench/gateway-cpu.bench.js \
 *     [--seconds 8 --rounds 3 --concurrency 32 --paths /bench/noop,/gift/send --against /tmp/base]
 */
import { validateEnv } from '@live/common';
import { buildDataSourceOptions, DatabaseEnv, detectServerFlavor, dropDatabase } from '@live/database';
import { createRedisClient, deleteMatching, RedisEnv } from '@live/redis';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { deleteTopics, httpPost, seedViewers, stackEnv, stackPorts, Viewer } from './support/bench-kit';
import { processCpuSeconds, StackProcesses } from './support/stack-processes';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CONCURRENCY = arg('concurrency', 32);
const ROUNDS = arg('rounds', 3);
const SECONDS = arg('seconds', 8);
const PATHS = (
  process.argv.includes('--paths') ? process.argv[process.argv.indexOf('--paths') + 1] : '/bench/noop,/gift/send'
).split(',');
const id = randomBytes(3).toString('hex');
const PORTS = stackPorts(arg('port', 26_000));
const ENV = stackEnv(id, PORTS);

/** --against <root>: a second gateway built in another checkout (its dist/), on the next port: A/B in one run. */
const AGAINST = process.argv.includes('--against') ? process.argv[process.argv.indexOf('--against') + 1] : undefined;
const B_PORT = PORTS.gateway + 20;

const cpuOf = (pid: number | undefined): number => (pid === undefined ? 0 : processCpuSeconds(pid));

let sent = 0;

/** Requests on CONCURRENCY keep-alive connections until `until` (performance.now()): the 200s and a few other answers. */
async function runFor(
  path: string,
  viewers: Viewer[],
  until: number,
  port: number,
): Promise<{ ok: number; other: string[] }> {
  let ok = 0;
  let n = 0;
  const other: string[] = [];
  const worker = async (): Promise<void> => {
    while (performance.now() < until) {
      const v = viewers[n++ % viewers.length];
      const answer = await httpPost(
        port,
        path,
        JSON.stringify({ giftId: 1, roomId: v.roomId, receiverId: v.anchorId, requestId: `${id}-${sent++}` }),
        { authorization: `Bearer ${v.token}` },
      );
      if (answer.status === 200) ok++;
      else if (other.length < 2) other.push(answer.raw.slice(0, 160));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { ok, other };
}

async function main(): Promise<void> {
  const stack = new StackProcesses(ENV, join(process.cwd(), 'bench-output', `logs-gw-${id}`));
  stack.prepare();
  stack.startAll(PORTS);
  const dbEnv = validateEnv(DatabaseEnv, { ...process.env, ...ENV });
  const redis = createRedisClient(validateEnv(RedisEnv, { ...process.env, ...ENV }));
  let ds: DataSource | undefined;
  let other: ChildProcess | undefined;
  try {
    await stack.waitHealthy();
    if (AGAINST) {
      other = spawn('node', [join(AGAINST, 'scripts/run-app.js'), 'apps/api-gateway/src/main.js'], {
        env: { ...process.env, ...ENV, GATEWAY_HTTP_PORT: String(B_PORT) },
        stdio: 'ignore',
      });
      while (
        !(await fetch(`http://127.0.0.1:${B_PORT}/health`).then(
          (r) => r.ok,
          () => false,
        ))
      )
        await new Promise((r) => setTimeout(r, 250));
    }
    ds = await new DataSource(buildDataSourceOptions(dbEnv, {}, await detectServerFlavor(dbEnv))).initialize();
    const viewers = await seedViewers(ds, redis, ENV.REDIS_KEY_PREFIX, {
      count: 200,
      rooms: 10,
      firstUser: 1_000_000,
      coins: () => 1_000_000_000,
    });
    const gateways: [string, number, () => number | undefined][] = [
      ['this', PORTS.gateway, () => stack.pid('api-gateway')],
    ];
    if (other) gateways.push(['against', B_PORT, () => other?.pid]);
    // Warm-up: caches, connections, JIT.
    const warm = performance.now() + 3_000;
    await Promise.all(gateways.map(([, port]) => runFor('/gift/send', viewers, warm, port)));
    // Every gateway under the same load at the same time (the machine's other load then weighs on both alike).
    for (let round = 1; round <= ROUNDS; round++) {
      for (const path of PATHS) {
        const before = gateways.map(([, , pid]) => cpuOf(pid()));
        const until = performance.now() + SECONDS * 1_000;
        const counts = await Promise.all(gateways.map(([, port]) => runFor(path, viewers, until, port)));
        const cpu = gateways.map(([, , pid], i) => cpuOf(pid()) - before[i]);
        console.log(
          `round ${round} ${path.padEnd(12)} ` +
            gateways
              .map(
                ([name], i) =>
                  `${name}: ${counts[i].ok} ok (${counts[i].other.join(' | ') || 'no other'}), ${Math.round((cpu[i] * 1e6) / counts[i].ok)} µs`,
              )
              .join('; ') +
            (gateways.length > 1 ? `; ratio ${(cpu[0] / counts[0].ok / (cpu[1] / counts[1].ok)).toFixed(3)}` : ''),
        );
      }
    }
  } finally {
    other?.kill('SIGTERM');
    await stack.stop();
    await ds?.destroy();
    await deleteMatching(redis, `${ENV.REDIS_KEY_PREFIX}:*`);
    redis.disconnect();
    await dropDatabase(dbEnv).catch(() => undefined);
    await deleteTopics(ENV.KAFKA_TOPIC_PREFIX).catch(() => undefined);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
