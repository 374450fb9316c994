/**
 * Cluster chaos: the whole system scaled out on this machine, under load, with faults.
 *
 *   npm run chaos -- --cluster           the full run
 *   npm run chaos -- --cluster --short   the short run (CI)
 *
 * Engines: a 3-broker KRaft Kafka (replication factor 3, min.insync.replicas 2, producers acks=all), a
 * Redis Cluster of 3 masters + 3 replicas, MariaDB; brought up (timed, their memory printed) and torn
 * down at the end, also on failure and Ctrl-C. Apps: api-gateway, gift-service, bank-service, im-router
 * twice each, im-core three times. Load: gifts at a steady rate over both gateways, anchors among the
 * senders, one PK room (bench/support/pk-load: gifts to its anchor or its challenger, a new PK when one
 * ends), WebSocket viewers in every room over the three im-core nodes. Faults, one at a time: kill -9
 * of the broker leading most send_gift partitions; kill of the Redis master of the busiest room's slot
 * (its replica takes over); kill -9 of one instance of each app; one gift-service cut off from the
 * database for 10 s. Each prints its client errors, time to recover and peak consumer lag. Then the
 * RPC calls each instance served (both instances of a service must carry >= 20 %), and the audit.
 * A fault that cannot be injected fails the run; so does any audit figure off.
 */
import { validateEnv } from '@live/common';
import { createRedisClient, RedisClient, RedisEnv } from '@live/redis';
import { KafkaConsumerGroup, KafkaTopic } from '@live/contracts';
import { buildDataSourceOptions, DatabaseEnv, detectServerFlavor, dropDatabase } from '@live/database';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { issueImToken, seedAnchorSenders, seedViewers, sleep, stamp, Viewer } from './support/bench-kit';
import { AuditCheck, auditGifts, printAudit, PushObservers, verdict } from './support/gift-audit';
import { ClusterInfra, rssMb } from './support/cluster-infra';
import { appsFault, databaseFault, kafkaFault, redisFault, Run } from './support/cluster-faults';
import { KafkaWatch } from './support/cluster-kafka';
import { clusterLayout, Instance, instancesOf } from './support/cluster-layout';
import { GiftLoad } from './support/cluster-load';
import { PkLoad } from './support/pk-load';
import { RpcServed, rpcShares } from './support/rpc-served';
import { StackProcesses } from './support/stack-processes';
import { TcpProxy } from './support/tcp-proxy';

const ROOT = join(__dirname, '..', '..');
const log = (msg: string): void => console.log(`[cluster-chaos ${stamp()}] ${msg}`);

async function startApps(run: Run): Promise<void> {
  for (const i of run.layout.instances) run.stack.startInstance(i.name, `http://127.0.0.1:${i.http}/health`, i.env);
  await run.stack.waitHealthy(180_000);
}

/**
 * Waits until every accepted gift is settled, or nothing has moved for 30 s with the consumer lag at 0
 * (then the missing ones are printed: the audit fails on them).
 */
async function settle(run: Run): Promise<void> {
  const ids = [...new Set(run.load.accepted())];
  const settledIds = async (): Promise<Set<string>> => {
    const rows: { request_id: string }[] = await run.ds.query(
      'SELECT DISTINCT request_id FROM t_qiyu_currency_trade WHERE type = 2 AND request_id IN (?)',
      [ids.length ? ids : ['-']],
    );
    return new Set(rows.map((r) => r.request_id));
  };
  let last = -1;
  let still = Date.now();
  for (const t0 = Date.now(); ; await sleep(1_000)) {
    const n = (await settledIds()).size;
    if (n >= ids.length) break;
    if (n !== last || run.kafka.current() > 0) [last, still] = [n, Date.now()];
    if (Date.now() - still > 30_000 || Date.now() - t0 > 180_000) {
      const settled = await settledIds();
      const missing = run.load.sent.filter((s) => s.requestId && !settled.has(s.requestId));
      log(`${missing.length} accepted gift(s) never settled (lag ${run.kafka.current()}):`);
      for (const m of missing.slice(0, 10))
        log(`  ${m.requestId} sent ${new Date(m.sentAt).toISOString()}, answered ${new Date(m.at).toISOString()}`);
      break;
    }
  }
  await sleep(3_000);
}

/**
 * What the client may see, as checks. A gift is sent again for 20 s while it gets a 5xx or no answer:
 * errors during a fault are expected (the client errors column), but every gift ends with a definite
 * answer (the unanswered column sums to 0). A read is sent once, so a read of a killed instance or of a Redis slot failing over fails by
 * design; outside the faults (injection to recovery, each fault's row), none may.
 */
function clientChecks(run: Run): AuditCheck[] {
  const unanswered = run.load.unansweredSince(0);
  const readErrorsOutsideFaults = run.load.readErrors - run.faults.reduce((n, f) => n + f.readErrors, 0);
  return [
    {
      name: 'every gift request answered definitely (200 or a refusal) within its 20 s of retries',
      ok: unanswered === 0,
      figures: { unanswered },
    },
    {
      name: 'reads answered, none failed outside a fault',
      ok: run.load.readsDone > 0 && readErrorsOutsideFaults === 0,
      figures: { readErrorsOutsideFaults, readsDone: run.load.readsDone },
    },
  ];
}

/** RPC calls each instance served, printed; a check: both instances of each service carried >= 20 %. */
function servedCheck(run: Run): AuditCheck {
  const rows = rpcShares(run.rpc.totals());
  console.log('RPC calls served per instance (summed over restarts):');
  console.table(rows);
  return {
    name: 'both instances of each service served >= 20 % of its RPC calls',
    ok: rows.every((r) => r.ok),
    figures: Object.fromEntries(
      rows.map((r) => [`rpcServed ${r.instance}`, typeof r.served === 'number' ? r.served : -1]),
    ),
  };
}

async function scenario(run: Run, viewers: Viewer[], senders: Viewer[], pk: PkLoad): Promise<boolean> {
  const prefix = run.layout.shared.REDIS_KEY_PREFIX;
  const nodes = instancesOf(run.layout, 'im-core').map((i) => i.http);
  const observers = await PushObservers.open({
    wsUrl: nodes.map((port) => `ws://127.0.0.1:${port}/ws`),
    seats: viewers.map((v) => ({ userId: v.userId, roomId: v.roomId })),
    token: (userId) => issueImToken(run.redis, prefix, userId),
  });
  log(
    `${viewers.length} viewers on WebSockets over ${nodes.length} im-core nodes; ${senders.length} senders over 2 gateways`,
  );
  await run.kafka.connect();
  run.kafka.startSampling();
  const sampler = setInterval(() => void run.rpc.sample(), 2_000);
  try {
    await pk.start();
    run.load.start();
    await sleep(run.short ? 5_000 : 15_000);
    await kafkaFault(run);
    await redisFault(run);
    await appsFault(run);
    await databaseFault(run);
    await sleep(run.short ? 3_000 : 10_000);
  } finally {
    await run.load.stop();
    await pk.stop();
    await run.rpc.sample();
    clearInterval(sampler);
  }
  log(`PK load: ${JSON.stringify(pk.counts)}, pkIds ${pk.audited().pkIds.join(', ')}`);
  const sent = run.load.sent.length;
  log(
    `load stopped: ${sent} sent, ${run.load.accepted().length} accepted, ${run.load.readsDone} reads (${run.load.readErrors} failed); settling`,
  );
  await settle(run);
  await run.rpc.sample();
  console.table(run.faults);
  const crashed = run.stack.crashed();
  const own: AuditCheck[] = [
    servedCheck(run),
    ...clientChecks(run),
    pk.coverageCheck(),
    { name: 'no app died on its own', ok: crashed.length === 0, figures: { appsDown: crashed.length } },
    {
      name: 'every fault injected',
      ok: run.faults.length === 4,
      figures: { faultsInjected: run.faults.length },
    },
  ];
  const audit = await auditGifts({
    ds: run.ds,
    redis: run.redis,
    keyPrefix: prefix,
    gifts: run.load.gifts(),
    requestIdLike: ['%:c-%'],
    observers,
    // Nothing flushes Redis here: a PK's bar must survive the master's failover (its hash is in its room's slot).
    pk: pk.audited(),
    sentCounts: true, // GiftLoad: benchGiftCount
  });
  const result = verdict([...audit.checks, ...own]);
  await observers.close();
  printAudit('cluster chaos', result);
  return result.ok;
}

export async function runClusterChaos(short: boolean): Promise<boolean> {
  const started = Date.now();
  const id = randomBytes(3).toString('hex');
  const outDir = join(process.cwd(), 'bench-output');
  mkdirSync(outDir, { recursive: true });
  const infra = new ClusterInfra(process.env.LIVE_GIFT_INFRA_STATE ?? join(ROOT, '.infra', 'cluster-chaos'));
  let stack: StackProcesses | undefined;
  let realDb: DatabaseEnv | undefined;
  const onSignal = (): void => {
    log('interrupted: stopping the apps, dropping the database, tearing down the clusters');
    void (stack?.stop(5_000) ?? Promise.resolve())
      .then(() => realDb && dropDatabase(realDb))
      .catch(() => undefined)
      .finally(() => {
        infra.downSync();
        process.exit(130);
      });
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  let ok = false;
  let ds: DataSource | undefined;
  let redis: RedisClient | undefined;
  const proxies = new Map<string, TcpProxy>();
  try {
    log(`bringing up the engines (state in ${infra.state})`);
    const { engines, report } = await infra.up();
    console.table(report);
    const layout = clusterLayout(24_000 + Math.floor(Math.random() * 50) * 60, id, engines);
    realDb = validateEnv(DatabaseEnv, { ...process.env, DB_NAME: layout.shared.DB_NAME });
    for (const g of instancesOf(layout, 'gift-service')) {
      const proxy = new TcpProxy(g.dbProxy!, { host: realDb.DB_HOST, port: realDb.DB_PORT });
      await proxy.up();
      proxies.set(g.name, proxy);
    }
    stack = new StackProcesses(layout.shared, join(outDir, `cluster-chaos-logs-${id}`));
    stack.prepare({ DB_PORT: String(realDb.DB_PORT) });
    const appsT0 = Date.now();
    const redisPorts = infra.redisPorts(engines.redisNodes);
    redis = createRedisClient(
      validateEnv(RedisEnv, { ...process.env, REDIS_CLUSTER_NODES: engines.redisNodes, REDIS_DB: '0' }),
    );
    ds = await new DataSource(buildDataSourceOptions(realDb, {}, await detectServerFlavor(realDb))).initialize();
    const run: Run = {
      short,
      layout,
      infra,
      stack,
      ds,
      redis,
      load: undefined as unknown as GiftLoad,
      kafka: new KafkaWatch(
        engines.kafkaBrokers,
        `${layout.shared.KAFKA_TOPIC_PREFIX}${KafkaTopic.SEND_GIFT}`,
        `${layout.shared.KAFKA_TOPIC_PREFIX}${KafkaConsumerGroup.GIFT_SEND_GIFT}`,
      ),
      rpc: new RpcServed(layout.instances),
      proxies,
      redisPorts,
      faults: [],
    };
    await startApps(run);
    const appRss = layout.instances.reduce((s, i: Instance) => s + rssMb(stack!.pid(i.name)), 0);
    log(`11 app processes healthy in ${((Date.now() - appsT0) / 1_000).toFixed(1)} s, ${appRss} MB RSS together`);
    const rooms = short ? 12 : 20;
    const seeded = await seedViewers(ds, redis, layout.shared.REDIS_KEY_PREFIX, {
      count: short ? 120 : 300,
      rooms,
      firstUser: 8_000_000,
      coins: (i) => (i % 4 === 0 ? 30 : 100_000),
    });
    const gateways = instancesOf(layout, 'api-gateway').map((g) => g.http);
    // One PK room (type 1, opened through a gateway) for the whole run: the last seeded room's viewers gift there.
    const pk = await PkLoad.open({
      ports: gateways,
      redis,
      keyPrefix: layout.shared.REDIS_KEY_PREFIX,
      firstUser: 8_100_000,
      maxStarts: 8, // PKs of 45 s (the layout's GIFT_PK_DURATION_MS)
      log,
    });
    const viewers = pk.adopt(seeded, seeded[seeded.length - 1].roomId);
    const anchors = await seedAnchorSenders(ds, redis, layout.shared.REDIS_KEY_PREFIX, viewers, 100_000);
    const senders = [...viewers, ...anchors];
    const poor = new Set(viewers.filter((_, i) => i % 4 === 0).map((v) => v.userId));
    run.load = new GiftLoad(gateways, senders, short ? 40 : 80, poor, (v) => pk.receiverOf(v));
    try {
      ok = await scenario(run, viewers, senders, pk);
    } finally {
      await run.kafka.close();
    }
  } catch (err: unknown) {
    ok = false;
    console.error(err);
  } finally {
    await stack?.stop(15_000);
    await ds?.destroy().catch(() => undefined);
    redis?.disconnect();
    for (const p of proxies.values()) await p.down();
    if (realDb) await dropDatabase(realDb).catch(() => undefined);
    log('tearing down the clusters');
    await infra.down();
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
  log(`cluster chaos: ${ok ? 'OK' : 'FAILED'} in ${((Date.now() - started) / 1_000).toFixed(0)} s end to end`);
  return ok;
}
