/**
 * The faults of the cluster chaos run (bench/chaos-cluster.ts), one at a time under load: each is
 * injected, held, restored, and printed with the client errors it caused, the time until a gift sent
 * after it settles again, and the peak consumer lag of gift-service's group. A fault that cannot be
 * injected throws (the run fails; nothing is "skipped").
 */
import { clusterSlot, GiftRedisKeys, RedisClient } from '@live/redis';
import { DataSource } from 'typeorm';
import { sleep, stamp } from './bench-kit';
import { ClusterInfra, redisMasterOf, redisRole } from './cluster-infra';
import { KafkaWatch } from './cluster-kafka';
import { Layout } from './cluster-layout';
import { GiftLoad, timeToRecover } from './cluster-load';
import { RpcServed } from './rpc-served';
import { StackProcesses } from './stack-processes';
import { TcpProxy } from './tcp-proxy';

const log = (msg: string): void => console.log(`[cluster-chaos ${stamp()}] ${msg}`);

export interface FaultRow {
  fault: string;
  clientErrors: number;
  /** Requests still failing after the client's retries (20 s). */
  unanswered: number;
  /** Reads (each sent once) that failed from the injection to the recovery: a read of a killed instance fails. */
  readErrors: number;
  recoverSeconds: number;
  peakLag: number;
  note: string;
}

export interface Run {
  short: boolean;
  layout: Layout;
  infra: ClusterInfra;
  stack: StackProcesses;
  ds: DataSource;
  redis: RedisClient;
  load: GiftLoad;
  kafka: KafkaWatch;
  rpc: RpcServed;
  proxies: Map<string, TcpProxy>;
  redisPorts: number[];
  faults: FaultRow[];
}

/** One fault: inject, hold, restore; then time to a settled gift, client errors, peak lag. */
async function inject(
  run: Run,
  fault: string,
  act: () => Promise<string | void>,
  restore: () => Promise<string | void>,
): Promise<void> {
  const before = run.load.sent.length;
  const readErrorsBefore = run.load.readErrors;
  run.kafka.takePeak();
  const t0 = Date.now();
  log(`fault: ${fault}`);
  const what = (await act()) ?? '';
  await sleep(run.short ? 3_000 : 8_000);
  const after = (await restore()) ?? '';
  const recoverSeconds = await timeToRecover(run.load, run.ds, t0);
  await sleep(1_000);
  const row: FaultRow = {
    fault,
    clientErrors: run.load.errorsSince(before),
    unanswered: run.load.unansweredSince(before),
    readErrors: run.load.readErrors - readErrorsBefore,
    recoverSeconds: Number(recoverSeconds.toFixed(1)),
    peakLag: run.kafka.takePeak(),
    note: [what, after].filter(Boolean).join('; '),
  };
  run.faults.push(row);
  log(`  recovered after ${row.recoverSeconds} s, ${row.clientErrors} client error(s), peak lag ${row.peakLag}`);
}

export async function waitFor(what: string, limitMs: number, check: () => Promise<boolean>): Promise<number> {
  const t0 = Date.now();
  while (!(await check().catch(() => false))) {
    if (Date.now() - t0 > limitMs) throw new Error(`${what}: not within ${limitMs / 1_000} s`);
    await sleep(250);
  }
  return (Date.now() - t0) / 1_000;
}

export async function kafkaFault(run: Run): Promise<void> {
  const { broker, leads, partitions } = await run.kafka.busiestLeader();
  await inject(
    run,
    `kill -9 Kafka broker ${broker} (leads ${leads}/${partitions} send_gift partitions), restart`,
    async () => void (await run.infra.killBroker(broker)),
    async () => {
      const t0 = Date.now();
      await run.infra.startBroker(broker);
      await waitFor('replicas back in sync', 120_000, () => run.kafka.inSync());
      return `broker ${broker} restarted, every replica in sync after ${((Date.now() - t0) / 1_000).toFixed(1)} s`;
    },
  );
}

export async function redisFault(run: Run): Promise<void> {
  const [busiest] = (await run.ds.query(
    'SELECT room_id AS roomId, COUNT(*) AS n FROM t_gift_record GROUP BY room_id ORDER BY n DESC LIMIT 1',
  )) as { roomId: string }[];
  if (!busiest) throw new Error('no gift recorded yet: cannot find the busiest room');
  const key = new GiftRedisKeys(run.layout.shared.REDIS_KEY_PREFIX).roomContributionBoard(Number(busiest.roomId));
  const slot = clusterSlot(key);
  const master = await redisMasterOf(slot, run.redisPorts);
  if (!master) throw new Error(`no master serves slot ${slot}: cannot inject the Redis fault`);
  await inject(
    run,
    `kill -9 Redis master :${master} (slot ${slot} of room ${busiest.roomId}'s board), restart`,
    async () => {
      run.infra.killRedis(master);
      const s = await waitFor('Redis failover', 60_000, async () => {
        const now = await redisMasterOf(slot, run.redisPorts, master);
        return now !== undefined && now !== master;
      });
      return `replica :${await redisMasterOf(slot, run.redisPorts, master)} took over in ${s.toFixed(1)} s`;
    },
    async () => {
      const t0 = Date.now();
      await run.infra.startRedis(master);
      await waitFor('old master back as a replica', 60_000, async () => (await redisRole(master)) === 'slave');
      return `:${master} restarted, a synced replica after ${((Date.now() - t0) / 1_000).toFixed(1)} s`;
    },
  );
}

export async function appsFault(run: Run): Promise<void> {
  const victims = ['api-gateway#2', 'gift-service#2', 'bank-service#2', 'im-router#2', 'im-core#3'].map((name) =>
    run.layout.instances.find((i) => i.name === name)!,
  );
  await inject(
    run,
    `kill -9 ${victims.map((v) => v.name).join(', ')}, restart`,
    async () => {
      for (const v of victims) await run.rpc.beforeKill(v);
      await Promise.all(victims.map((v) => run.stack.kill9(v.name)));
    },
    async () => {
      const t0 = Date.now();
      for (const v of victims) {
        await run.stack.restart(v.name, 120_000);
        run.rpc.restarted(v);
      }
      return `all five healthy again ${((Date.now() - t0) / 1_000).toFixed(1)} s after the restarts began`;
    },
  );
}

export async function databaseFault(run: Run): Promise<void> {
  const proxy = run.proxies.get('gift-service#1');
  if (!proxy) throw new Error('gift-service#1 has no database proxy: cannot inject the fault');
  const before = run.short ? 3_000 : 8_000;
  await inject(
    run,
    'gift-service#1 cut off from the database for 10 s',
    async () => {
      await proxy.down();
      await sleep(10_000 - before);
    },
    async () => void (await proxy.up()),
  );
}
