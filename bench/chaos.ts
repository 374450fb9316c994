/**
 * Reliability harness: hostile input, then faults under load, on the five apps as processes.
 *
 *   npm run chaos              fuzz (10,000 bad requests + bad WebSocket frames) then every fault, in full
 *   npm run chaos -- --short   the short version npm test runs (fewer requests, shorter faults)
 *   npm run fuzz               hostile input only
 *   npm run chaos -- --cluster [--short]   the system scaled out, faults under load (bench/chaos-cluster.ts)
 *
 * Fuzz: generated bad requests (wrong types, huge numbers, negative prices, unknown ids, oversized
 * bodies, bad JSON, forged tokens, another user's room, forged and replayed callbacks) to every
 * endpoint, and bad frames to the WebSocket: zero 5xx, every answer an envelope, no process down; a
 * rate limit under 200 concurrent requests; every app refusing a bad configuration with a clear message.
 * Chaos: while gifts flow at a steady rate (viewers, and anchors gifting each other's rooms; one room a PK
 * room for the whole run, bench/support/pk-load), with a
 * WebSocket observer per sender and viewer, in turn: kill -9 + restart of each app, Redis gone with its data,
 * the Kafka broker stopped and started (chaos' own broker when scripts/infra did not start the configured
 * one), the database refusing connections. Then, quiet, the gift audit (bench/support/gift-audit.ts:
 * money, PK bars and pushes). Prints a table of faults (client errors, time to recover, peak send_gift consumer
 * lag) and the audit's checks, and exits non-zero when anything does not hold or a fault was not injected.
 */
import { validateEnv } from '@live/common';
import { KafkaConsumerGroup, KafkaTopic } from '@live/contracts';
import { buildDataSourceOptions, DatabaseEnv, detectServerFlavor, dropDatabase } from '@live/database';
import { createRedisClient, GatewayRedisKeys, RedisEnv } from '@live/redis';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import WebSocket from 'ws';
import {
  benchGiftCount,
  httpPost,
  issueImToken,
  seedAnchorSenders,
  seedViewers,
  sleep,
  stackEnv,
  stackPorts,
  stamp,
  Viewer,
  writeTokens,
} from './support/bench-kit';
import { ConsumerLagSampler } from './support/consumer-lag';
import { API_ENDPOINTS } from './support/endpoints';
import { auditGifts, check, printAudit, PushObservers, verdict } from './support/gift-audit';
import { GiftLoad } from './support/gift-load';
import { PkLoad } from './support/pk-load';
import { StackProcesses } from './support/stack-processes';
import { TcpProxy } from './support/tcp-proxy';
import { WithdrawalLoad } from './support/withdrawal-load';

const SHORT = process.argv.includes('--short');
const FUZZ_ONLY = process.argv.includes('--fuzz-only');
const FUZZ_REQUESTS = SHORT ? 2_000 : 10_000;
const FAULT_HOLD_MS = SHORT ? 1_500 : 4_000;
const RATE = SHORT ? 40 : 80;
const ROOT = join(__dirname, '..', '..');
const execFileAsync = promisify(execFile);
const log = (msg: string): void => console.log(`[chaos ${stamp()}] ${msg}`);

const id = randomBytes(3).toString('hex');
const PORTS = stackPorts(23_000 + Math.floor(Math.random() * 300) * 20);
const DB_PROXY = PORTS.gateway + 15;
const REDIS_PROXY = PORTS.gateway + 16;
const REDIS_DB = 5;
const KAFKA_OWN_PORT = PORTS.gateway + 17; // and its controller on + 18
type RedisClient = ReturnType<typeof createRedisClient>;
/** The phone of the admin below (ADMIN_USER_ID): on GATEWAY_ADMIN_PHONES. */
const ADMIN_PHONE = '13699999999';
const ENV: Record<string, string> = {
  ...stackEnv(id, PORTS),
  DB_PORT: String(DB_PROXY),
  REDIS_PORT: String(REDIS_PROXY),
  REDIS_DB: String(REDIS_DB),
  // A few withdrawals run with the load (WithdrawalLoad): every coin earned is withdrawable, 1 coin is enough.
  EARNINGS_HOLD_DAYS: '0',
  BANK_WITHDRAW_MIN: '1',
  // PKs of 45 s (default 5 min): the PK room's battles end by time within the run, and PkLoad starts the next.
  GIFT_PK_DURATION_MS: '45000',
  GATEWAY_ADMIN_PHONES: ADMIN_PHONE,
};
/**
 * The admin who reviews the load's withdrawals: a user row whose phone is on GATEWAY_ADMIN_PHONES (admin rights
 * are checked against that list at each admin call) and a token written in Redis (set again before each review
 * round: the Redis fault may lose it); no wallet needed.
 */
const ADMIN_USER_ID = 6_999_999;

// ---------------------------------------------------------------- fuzz
const ENDPOINTS: [string, Record<string, unknown>][] = API_ENDPOINTS.map((e) => [e.path, e.body]);
const BAD_VALUES: unknown[] = [
  'abc',
  '',
  ' ',
  '1; DROP TABLE t_user',
  {},
  [],
  [1, 2],
  null,
  true,
  false,
  -1,
  0,
  1.5,
  -0.0001,
  1e308,
  2 ** 63,
  -(2 ** 53),
  Number.MAX_SAFE_INTEGER + 2,
  '9'.repeat(40),
  'x'.repeat(5_000),
  '<script>alert(1)</script>',
  '\u0000',
  '../../etc/passwd',
  { $gt: 0 },
  '999999999',
  '-5',
];

function pick<T>(list: readonly T[], r: () => number): T {
  return list[Math.floor(r() * list.length)];
}

/** One generated bad request: [path, raw body, headers]. */
function badRequest(
  r: () => number,
  viewers: Viewer[],
  ownRoomOf: Map<number, number>,
): [string, string, Record<string, string>] {
  const [path, valid] = pick(ENDPOINTS, r);
  const v = pick(viewers, r);
  const auth: Record<string, string> = pick<Record<string, string>>(
    [
      { authorization: `Bearer ${v.token}` },
      { authorization: `Bearer ${v.token}` },
      { authorization: `Bearer ${randomBytes(24).toString('base64url')}` },
      { authorization: 'Bearer expired.or.forged' },
      { cookie: `qytk=${randomBytes(8).toString('hex')}` },
      {},
    ],
    r,
  );
  const kind = Math.floor(r() * 9);
  let body: string;
  switch (kind) {
    case 0: // bad JSON
      body = pick(['{', '{"a":', 'nul', '{"giftId":1,,}', '\u00ff\u00fe', '{"a":1}}'], r);
      break;
    case 1: // oversized
      body = JSON.stringify({ ...valid, pad: 'x'.repeat(100_000) });
      break;
    case 2: // unknown field
      body = JSON.stringify({ ...valid, ['f' + Math.floor(r() * 100)]: pick(BAD_VALUES, r) });
      break;
    case 3: // another user's room
      body = JSON.stringify({ ...valid, roomId: ownRoomOf.get(pick(viewers, r).anchorId) ?? 1 });
      break;
    case 4: // replayed / forged callback
      body = JSON.stringify({
        orderId: `PO${randomBytes(6).toString('hex').toUpperCase()}`,
        signature: randomBytes(32).toString('hex'),
      });
      return ['/bank/payNotify', body, {}];
    case 5: // not an object at all
      body = JSON.stringify(pick(BAD_VALUES, r));
      break;
    default: {
      // every field of a valid body, one of them bad
      const fields = Object.keys(valid);
      const bad = { ...valid } as Record<string, unknown>;
      if (fields.length > 0) bad[pick(fields, r)] = pick(BAD_VALUES, r);
      else bad.extra = pick(BAD_VALUES, r);
      body = JSON.stringify(bad);
    }
  }
  return [path, body, auth];
}

interface FuzzResult {
  requests: number;
  fiveXx: { path: string; status: number; body: string }[];
  notEnvelope: { path: string; status: number; raw: string }[];
  byStatus: Record<number, number>;
  wsFrames: number;
  wsAlive: boolean;
  rateLimit: { ok: number; limited: number };
  badConfig: { app: string; variable: string; refused: boolean; message: string }[];
}

async function fuzz(
  viewers: Viewer[],
  ownRoomOf: Map<number, number>,
  newImToken: (userId: number) => Promise<string>,
): Promise<FuzzResult> {
  let seed = 12_345;
  const r = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const result: FuzzResult = {
    requests: 0,
    fiveXx: [],
    notEnvelope: [],
    byStatus: {},
    wsFrames: 0,
    wsAlive: false,
    rateLimit: { ok: 0, limited: 0 },
    badConfig: [],
  };
  const requests = Array.from({ length: FUZZ_REQUESTS }, () => badRequest(r, viewers, ownRoomOf));
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < requests.length; i = next++) {
      const [path, body, headers] = requests[i];
      let status = 0;
      let raw = '';
      let envelope = false;
      try {
        const a = await httpPost(PORTS.gateway, path, body, headers);
        status = a.status;
        raw = a.raw;
        const b = a.body as { code?: unknown; msg?: unknown } | undefined;
        envelope = typeof b?.code === 'number' && typeof b?.msg === 'string' && 'data' in (b as object);
      } catch (err: unknown) {
        raw = String(err);
      }
      result.requests += 1;
      result.byStatus[status] = (result.byStatus[status] ?? 0) + 1;
      if (status >= 500 || status === 0) result.fiveXx.push({ path, status, body: body.slice(0, 120) });
      else if (!envelope) result.notEnvelope.push({ path, status, raw: raw.slice(0, 120) });
      if (result.requests % 2_000 === 0) log(`  fuzz: ${result.requests}/${requests.length} requests`);
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));

  // Bad frames to the WebSocket (a fresh socket every 15: 20 bad frames close one, 4400, by design; each
  // with a fresh IM token, since a token logs in once), then: does the node still answer a heartbeat?
  const v = viewers[0];
  const frames = [
    'not json',
    '[]',
    '{}',
    '{"magic":1}',
    '{"magic":18673,"code":"x"}',
    '{"magic":18673,"code":1003,"body":{}}',
    '{"magic":18673,"code":1005,"body":{"msgId":"a b"}}',
    '{"magic":18673,"code":1001,"body":{"token":1}}',
    'x'.repeat(20_000),
    '\u0000\u0001',
  ];
  const total = SHORT ? 300 : 1_500;
  while (result.wsFrames < total) {
    const ws = new WebSocket(`ws://127.0.0.1:${PORTS.imWs}/ws?token=${await newImToken(v.userId)}&roomId=${v.roomId}`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    for (let k = 0; k < 15 && result.wsFrames < total; k++) {
      ws.send(frames[result.wsFrames % frames.length]);
      result.wsFrames += 1;
    }
    await sleep(20);
    ws.terminate();
  }
  const probe = new WebSocket(
    `ws://127.0.0.1:${PORTS.imWs}/ws?token=${viewers[1].imToken}&roomId=${viewers[1].roomId}`,
  );
  result.wsAlive = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 5_000);
    probe.on('message', (raw: Buffer) => {
      const f = JSON.parse(raw.toString()) as { code: number };
      if (f.code === 1001) probe.send(JSON.stringify({ magic: 18673, code: 1004, len: 0 }));
      if (f.code === 1004) {
        clearTimeout(timer);
        resolve(true);
      }
    });
    probe.on('error', () => resolve(false));
  });
  probe.terminate();

  // 200 concurrent starts by one user: the limit (1 per 10 s) holds.
  const starter = viewers[2];
  const answers = await Promise.all(
    Array.from({ length: 200 }, () =>
      httpPost(PORTS.gateway, '/living/startingLiving', '{"type":0}', {
        authorization: `Bearer ${starter.token}`,
      }).catch(() => null),
    ),
  );
  result.rateLimit.ok = answers.filter((a) => (a?.body as { code?: number } | undefined)?.code === 200).length;
  result.rateLimit.limited = answers.filter((a) => (a?.body as { code?: number } | undefined)?.code === -10001).length;

  // Every app refuses a bad configuration with a message naming the variable; the last two in the
  // production profile (NODE_ENV=production): a development convenience on, a published secret.
  const cases: [string, string, string, string, Record<string, string>?][] = [
    ['api-gateway', 'apps/api-gateway/src/main.js', 'GATEWAY_HTTP_PORT', '70000'],
    ['gift-service', 'apps/gift-service/src/main.js', 'GIFT_CONSUMER_BATCH_SIZE', '0'],
    ['bank-service', 'apps/bank-service/src/main.js', 'BANK_PAY_SECRET', 'short'],
    ['im-router', 'apps/im-router/src/main.js', 'IM_ROUTER_RPC_PORT', 'abc'],
    ['im-core', 'apps/im-core/src/main.js', 'IM_HEARTBEAT_TIMEOUT_MS', '5'],
    ['api-gateway', 'apps/api-gateway/src/main.js', 'GATEWAY_DEV_LOGIN_CODE', 'true', { NODE_ENV: 'production' }],
    [
      'bank-service',
      'apps/bank-service/src/main.js',
      'BANK_PAY_SECRET',
      process.env.BANK_PAY_SECRET ?? '',
      { NODE_ENV: 'production', BANK_DEV_PAY_ENABLED: 'false' },
    ],
  ];
  for (const [app, entry, variable, value, profile] of cases) {
    const run = await runToExit('node', [join(ROOT, 'scripts/run-app.js'), entry], {
      ...process.env,
      ...ENV,
      ...profile,
      [variable]: value,
    });
    const refusing = run.output.includes('refusing to start');
    const message = run.output.split('\n').find((l) => l.includes(variable)) ?? run.output.split('\n')[0];
    result.badConfig.push({
      app,
      variable,
      refused: run.code === 1 && refusing && message.includes(variable),
      message: message.trim().slice(0, 160),
    });
  }
  return result;
}

// ---------------------------------------------------------------- chaos
interface FaultRow {
  fault: string;
  heldMs: number;
  clientErrors: number;
  recoverSeconds: number;
  peakConsumerLag: number;
  lagSamples: string;
  note: string;
}

/**
 * The broker chaos stops and starts: the one scripts/infra started (its pid file), else a broker of
 * chaos' own on a port of its range (scripts/infra with KAFKA_BROKERS and LIVE_GIFT_INFRA_STATE, as
 * scripts/cold-start does), so the fault is always injected. Sets process.env for the apps and scripts/infra.
 */
function chaosBroker(): { brokers: string[]; pidFile: string; ownState: string | null } {
  const state = process.env.LIVE_GIFT_INFRA_STATE ?? join(ROOT, '.infra');
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const pidFile = join(state, 'kafka.pid');
  if (FUZZ_ONLY) return { brokers, pidFile, ownState: null };
  if (brokers.length === 1 && existsSync(pidFile) && isAlive(Number(readFileSync(pidFile, 'utf8').trim())))
    return { brokers, pidFile, ownState: null };
  const ownState = mkdtempSync(join(tmpdir(), 'chaos-kafka-'));
  process.env.LIVE_GIFT_INFRA_STATE = ownState;
  process.env.KAFKA_BROKERS = `127.0.0.1:${KAFKA_OWN_PORT}`;
  return { brokers: [process.env.KAFKA_BROKERS], pidFile: join(ownState, 'kafka.pid'), ownState };
}

/** One seeded viewer in four: three gifts in a row get past the gateway's cached balance, one is refused (5557). */
const POOR_COINS = 12;

/**
 * Who sends the n-th gift: three gifts in a row per sender, one triplet in five an anchor's. A poor viewer
 * (POOR_COINS) sends its first triplet only when released: one as each fault starts, one after its recovery, the
 * rest after the last fault. So the refusals spread over the run, and most fall where the audit judges a 5557: on
 * a socket logged in before the gift was sent (im-core's restart and Redis' loss replace every observer socket;
 * when every poor viewer went first, the refusals all fell before them and 8-12 pairs were judged, against a
 * floor of 10). The triplet is three single Hearts sent at once: all pass the gateway's cached balance (12 coins),
 * and the settlement refuses one (sent 25 ms apart, the third was refused at the gateway as often as not once the
 * first two had settled). A poor viewer released earlier joins the rotation at the next release, refused by the
 * gateway's cached balance from then on.
 */
class SenderRotation {
  private readonly rotation: Viewer[];
  private readonly poor: Viewer[];
  private released = 0;
  private used = 0;
  private joined = 0;
  /** The triplet being sent: its sender is fixed at its first gift (a release meanwhile changes the rotation). */
  private current = { triplet: -1, sender: undefined as Viewer | undefined, poor: false };
  private last = -1;
  /** Poor viewers released by releaseRest (after the last fault). */
  afterFaults = 0;
  /** The poor viewers releaseRest released (the late refusals judged are theirs), from this index of `poor`. */
  readonly lateSenders = new Set<number>();
  private restFrom = Infinity;
  /** Whether they had all sent their triplets within 30 s of their release (set by the fault run). */
  sentInTime = false;

  constructor(
    private readonly anchors: readonly Viewer[],
    senders: readonly Viewer[],
    poor: ReadonlySet<number>,
  ) {
    this.rotation = senders.filter((v) => !poor.has(v.userId));
    this.poor = senders.filter((v) => poor.has(v.userId));
  }

  /** Lets `k` more poor viewers send their first triplet; returns how many were released. */
  release(k: number): number {
    this.rotation.push(...this.poor.slice(this.joined, this.used));
    this.joined = this.used;
    const before = this.released;
    this.released = Math.min(this.poor.length, this.released + k);
    return this.released - before;
  }

  releaseRest(): void {
    this.restFrom = this.released;
    this.afterFaults = this.release(Infinity);
  }

  /** Every poor viewer released has sent its triplet. */
  drained(): boolean {
    return this.used === this.released && (!this.current.poor || this.last >= this.current.triplet * 3 + 2);
  }

  /** Called for n = 0, 1, 2, ... in order (GiftLoad): a triplet starts at n % 3 === 0. */
  pick(n: number): Viewer {
    this.last = n;
    const t = Math.floor(n / 3);
    if (this.current.triplet !== t) this.current = this.startTriplet(t);
    return this.current.sender!;
  }

  /** A poor viewer's triplet: three single Hearts (15 coins of its 12). */
  countOf(n: number): { count?: number } {
    return this.isPoor(n) ? {} : benchGiftCount(n);
  }

  /** A poor viewer's triplet leaves at once: all three pass the gateway's cached balance; one is refused. */
  withNext(n: number): boolean {
    return this.isPoor(n) && n % 3 !== 2;
  }

  private startTriplet(t: number): { triplet: number; sender: Viewer; poor: boolean } {
    if (t % 5 === 0) return { triplet: t, sender: this.anchors[(t / 5) % this.anchors.length], poor: false };
    if (this.used < this.released) {
      const sender = this.poor[this.used];
      // Only those releaseRest released: the one released after the last recovery may start after it too.
      if (this.used >= this.restFrom) this.lateSenders.add(sender.userId);
      this.used += 1;
      return { triplet: t, sender, poor: true };
    }
    return { triplet: t, sender: this.rotation[(t - Math.ceil(t / 5)) % this.rotation.length], poor: false };
  }

  private isPoor(n: number): boolean {
    return this.current.poor && this.current.triplet === Math.floor(n / 3);
  }
}

/**
 * Steady gifts from viewers and anchors, faults one at a time, then the audit. One room is a PK room for
 * the whole run (PkLoad: its viewers are those of the last seeded room). Returns whether it all held.
 */
async function chaos(
  ctx: { stack: StackProcesses; ds: DataSource; redis: RedisClient; dbProxy: TcpProxy; redisProxy: TcpProxy },
  seeded: Viewer[],
  poor: ReadonlySet<number>,
  broker: ReturnType<typeof chaosBroker>,
): Promise<boolean> {
  const { stack, ds, redis } = ctx;
  const prefix = ENV.REDIS_KEY_PREFIX;
  // PKs of 45 s (ENV): up to 8 in the run, the one the Redis fault takes included.
  const pk = await PkLoad.open({
    ports: [PORTS.gateway],
    redis,
    keyPrefix: prefix,
    firstUser: 7_100_000,
    maxStarts: 8,
    log,
  });
  const viewers = pk.adopt(seeded, seeded[seeded.length - 1].roomId);
  log(`PK room ${pk.roomIds().join(', ')} opened (type 1): the viewers of one seeded room gift there`);
  // Anchors send too (anchor A gifts anchor B in B's room).
  const anchors = await seedAnchorSenders(ds, redis, prefix, viewers, 100_000);
  const senders = viewers.slice(20);
  const observers = await PushObservers.open({
    wsUrl: `ws://127.0.0.1:${PORTS.imWs}/ws`,
    seats: [...viewers, ...anchors].map((v) => ({ userId: v.userId, roomId: v.roomId })),
    token: (userId) => issueImToken(redis, prefix, userId),
  });
  log(`${viewers.length + anchors.length} observer sockets logged in (viewers, and anchors in the room they gift)`);
  const rotation = new SenderRotation(anchors, senders, poor);
  const load = new GiftLoad({
    ports: [PORTS.gateway],
    rate: RATE,
    pick: (n) => rotation.pick(n),
    countOf: (n) => rotation.countOf(n),
    withNext: (n) => rotation.withNext(n),
    // In the PK room, the anchor or the challenger; elsewhere the room's anchor.
    receiverOf: (v) => pk.receiverOf(v),
  });
  const lag = new ConsumerLagSampler(
    broker.brokers,
    `${ENV.KAFKA_TOPIC_PREFIX}${KafkaConsumerGroup.GIFT_SEND_GIFT}`,
    `${ENV.KAFKA_TOPIC_PREFIX}${KafkaTopic.SEND_GIFT}`,
  );
  const adminToken = randomBytes(24).toString('base64url');
  await ds.query("INSERT IGNORE INTO t_user (user_id, phone, nick_name, role) VALUES (?, ?, 'chaos-admin', 1)", [
    ADMIN_USER_ID,
    ADMIN_PHONE,
  ]);
  const withdrawals = new WithdrawalLoad({
    baseUrl: `http://127.0.0.1:${PORTS.gateway}`,
    anchors,
    adminToken: async () => {
      await redis.set(new GatewayRedisKeys(prefix).userToken(adminToken), `${ADMIN_USER_ID}:1`, 'EX', 7_200);
      return adminToken;
    },
    everyMs: 500,
  });
  try {
    await pk.start();
    load.start();
    withdrawals.start();
    const faults = await runFaults(load, rotation, lag, ctx, [...viewers, ...anchors, ...pk.users()], broker);
    await load.stop();
    await withdrawals.stop();
    await pk.stop();
    log(`withdrawals by anchors during the run: ${JSON.stringify(withdrawals.counts)}`);
    log(`PK load: ${JSON.stringify(pk.counts)}, pkIds ${pk.audited().pkIds.join(', ')}`);
    const gifts = load.accepted();
    log(`load stopped: ${load.attempts.length} attempts, ${gifts.length} accepted; waiting for quiet`);
    await waitSettled(
      ds,
      gifts.map((g) => g.requestId),
    );
    console.table(faults);
    const result = await auditGifts({
      ds,
      redis,
      keyPrefix: prefix,
      gifts,
      requestIdLike: ['%:c-%'],
      observers,
      pk: pk.audited(),
      // "Redis gone, its data lost" takes the running PK's hash (and the sweeper's entry) with it: that PK keeps
      // its t_living_pk row, running, and no bar to judge (PkLoad starts the next).
      pkStateLossAllowed: pk.roomIds().length,
      sentCounts: true, // GiftLoad: benchGiftCount (but for the poor viewers' triplets)
      // The poor viewers' refusals after the last fault, not anyone else's (a stale cached balance, say).
      judgedLate: (g) => rotation.lateSenders.has(g.senderId),
    });
    const faultsRan = faults.length === FAULTS && faults.every((f) => f.recoverSeconds > 0);
    const all = verdict([
      ...result.checks,
      check('every request answered definitely (200 or a refusal)', load.undecided() === 0, {
        undecided: load.undecided(),
      }),
      check('every fault injected and recovered', faultsRan, { faults: faults.length, planned: FAULTS }),
      check('no process died on its own', stack.crashed().length === 0, { crashedOnTheirOwn: stack.crashed().length }),
      pk.coverageCheck(),
      // Each poor viewer sent after the last fault is refused once, to a socket in place since before the gift.
      check(
        "refusals after the last fault judged (5557 pairs): the poor viewers' triplets all sent, half of them judged",
        rotation.afterFaults > 0 &&
          rotation.sentInTime && // then every one of them is in lateSenders
          result.figures.failurePairsJudgedLate * 2 >= rotation.afterFaults,
        {
          failurePairsJudgedLate: result.figures.failurePairsJudgedLate,
          poorTripletsAfterFaults: rotation.afterFaults,
          poorSendersAfterFaults: rotation.lateSenders.size,
          allSentWithin30s: rotation.sentInTime ? 1 : 0,
        },
      ),
      check('withdrawals made and reviewed during the run', withdrawals.counts.reviewed > 0, {
        withdrawalsMade: withdrawals.counts.made,
        withdrawalsReviewed: withdrawals.counts.reviewed,
        withdrawalsRefused: withdrawals.counts.refused,
        withdrawalCallsFailed: withdrawals.counts.failed,
      }),
    ]);
    printAudit('chaos', all);
    return all.ok;
  } finally {
    await load.stop(0);
    await withdrawals.stop();
    await pk.stop();
    await lag.close();
    await observers.close();
  }
}

const FAULTS = 8;

async function runFaults(
  load: GiftLoad,
  rotation: SenderRotation,
  lag: ConsumerLagSampler,
  ctx: { stack: StackProcesses; ds: DataSource; redis: RedisClient; dbProxy: TcpProxy; redisProxy: TcpProxy },
  users: Viewer[],
  broker: ReturnType<typeof chaosBroker>,
): Promise<FaultRow[]> {
  const { stack, ds, redis, dbProxy, redisProxy } = ctx;
  /** Seconds from `since` until a gift sent now is settled (the path works again end to end). */
  const recovery = async (since: number): Promise<number> => {
    for (;;) {
      const probeStart = load.accepted().length;
      await sleep(500);
      const fresh = load
        .accepted()
        .slice(probeStart)
        .map((g) => g.requestId);
      if (fresh.length > 0) {
        const [{ n }] = await ds.query('SELECT COUNT(*) AS n FROM t_qiyu_currency_trade WHERE request_id IN (?)', [
          fresh,
        ]);
        if (Number(n) > 0) return (Date.now() - since) / 1_000;
      }
      if (Date.now() - since > 180_000) throw new Error('no recovery within 3 minutes');
    }
  };
  const faults: FaultRow[] = [];
  const inject = async (
    fault: string,
    act: () => Promise<void>,
    restore: () => Promise<void>,
    note = '',
  ): Promise<void> => {
    const before = load.attempts.length;
    const t0 = Date.now();
    log(`fault: ${fault}`);
    lag.start();
    await act();
    rotation.release(1);
    await sleep(FAULT_HOLD_MS);
    await restore();
    const recoverSeconds = await recovery(t0);
    const peak = lag.stop();
    rotation.release(1);
    const clientErrors = load.attempts.slice(before).filter((s) => s.status === 0 || s.status >= 500).length;
    faults.push({
      fault,
      heldMs: Date.now() - t0,
      clientErrors,
      recoverSeconds: Number(recoverSeconds.toFixed(1)),
      peakConsumerLag: peak.peak,
      lagSamples: `${peak.samples} ok, ${peak.failed} failed`,
      note,
    });
    log(
      `  recovered after ${recoverSeconds.toFixed(1)} s, ${clientErrors} client error(s), peak send_gift lag ${peak.peak}`,
    );
  };

  await sleep(3_000);
  // im-core first: its restart closes every observer socket, and gifts sent before their new login are not judged.
  for (const app of ['im-core', 'gift-service', 'bank-service', 'im-router', 'api-gateway']) {
    await inject(
      `kill -9 ${app}, restart`,
      () => stack.kill9(app),
      () => stack.restart(app),
    );
  }
  await inject(
    'Redis gone, its data lost',
    async () => {
      await redisProxy.down();
      await redis.flushdb();
    },
    async () => {
      await redisProxy.up();
      // Logins live in Redis: the tokens went with the data; the clients log in again.
      await writeTokens(redis, ENV.REDIS_KEY_PREFIX, users);
    },
    'logins and IM bindings are lost with it: clients log in again',
  );
  await inject(
    `Kafka broker stopped, started again${broker.ownState ? ' (chaos’ own broker)' : ''}`,
    async () => {
      const pid = Number(readFileSync(broker.pidFile, 'utf8').trim());
      process.kill(pid, 'SIGTERM');
      while (isAlive(pid)) await sleep(200);
    },
    async () => {
      await execFileAsync('bash', [join(ROOT, 'scripts/infra'), 'up'], { cwd: ROOT });
    },
  );
  await inject(
    'database refuses connections',
    () => dbProxy.down(),
    () => dbProxy.up(),
  );
  // Past the last fault every observer socket is in place: the rest of the poor viewers' refusals are judged.
  rotation.releaseRest();
  // A few seconds at most (a triplet in 3 x 5/4 of RATE's ticks); a load that stopped sending fails the check below.
  const deadline = Date.now() + 30_000;
  while (!rotation.drained() && Date.now() < deadline) await sleep(200);
  rotation.sentInTime = rotation.drained();
  log(
    `after the last fault: ${rotation.afterFaults} poor viewers' triplets released (each refused at settlement once)` +
      (rotation.sentInTime ? '' : ', NOT all sent within 30 s'),
  );
  return faults;
}

/** Until every accepted id has its gift trade (or 3 minutes), then 2 s more. */
async function waitSettled(ds: DataSource, ids: string[]): Promise<void> {
  const unique = [...new Set(ids)];
  const deadline = Date.now() + 180_000;
  while (unique.length > 0) {
    let n = 0;
    for (let i = 0; i < unique.length; i += 5_000) {
      const [row] = await ds.query(
        'SELECT COUNT(*) AS n FROM t_qiyu_currency_trade WHERE type = 2 AND direction = 1 AND request_id IN (?)',
        [unique.slice(i, i + 5_000)],
      );
      n += Number(row.n);
    }
    if (n >= unique.length || Date.now() > deadline) break;
    await sleep(500);
  }
  await sleep(2_000);
}

async function main(): Promise<void> {
  const outDir = join(process.cwd(), 'bench-output');
  mkdirSync(outDir, { recursive: true });
  const broker = chaosBroker();
  if (broker.ownState) log(`Kafka: no broker of scripts/infra to stop; starting chaos' own at ${broker.brokers[0]}`);
  const stopOwnBroker = (): void => {
    if (!broker.ownState) return;
    execFileSync('bash', [join(ROOT, 'scripts/infra'), 'down'], { stdio: 'ignore', cwd: ROOT });
    rmSync(broker.ownState, { recursive: true, force: true });
  };
  execFileSync('bash', [join(ROOT, 'scripts/infra'), 'up'], { stdio: ['ignore', 'ignore', 'inherit'], cwd: ROOT });
  const realDb = validateEnv(DatabaseEnv, { ...process.env, DB_NAME: ENV.DB_NAME });
  const realRedis = validateEnv(RedisEnv, { ...process.env, REDIS_DB: String(REDIS_DB) });
  const dbProxy = new TcpProxy(DB_PROXY, { host: realDb.DB_HOST, port: realDb.DB_PORT });
  const redisProxy = new TcpProxy(REDIS_PROXY, { host: realRedis.REDIS_HOST, port: realRedis.REDIS_PORT });
  await dbProxy.up();
  await redisProxy.up();
  const stack = new StackProcesses(ENV, join(outDir, `chaos-logs-${id}`));
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void stack.stop().finally(() => (stopOwnBroker(), process.exit(130))));
  const redis = createRedisClient(realRedis);
  let ds: DataSource | undefined;
  let failed = false;
  try {
    // Synchronous (blocks this process, and so the proxies): straight to the database.
    stack.prepare({ DB_PORT: String(realDb.DB_PORT) });
    stack.startAll(PORTS, { 'gift-service': { LOG_LEVEL: process.env.BENCH_GIFT_LOG_LEVEL ?? 'warn' } });
    await stack.waitHealthy();
    ds = await new DataSource(buildDataSourceOptions(realDb, {}, await detectServerFlavor(realDb))).initialize();
    const viewers = await seedViewers(ds, redis, ENV.REDIS_KEY_PREFIX, {
      count: 200,
      rooms: 20,
      firstUser: 7_000_000,
      coins: (i) => (i % 4 === 0 ? POOR_COINS : 100_000),
    });
    const poor = new Set(viewers.filter((_, i) => i % 4 === 0).map((v) => v.userId));
    const ownRoomOf = new Map(viewers.map((v) => [v.anchorId, v.roomId]));
    log('stack up, 200 viewers in 20 rooms');

    // ---------- fuzz ----------
    log(
      `fuzz: ${FUZZ_REQUESTS} generated bad requests, bad WebSocket frames, 200 concurrent starts, bad configurations`,
    );
    const f = await fuzz(viewers, ownRoomOf, (userId) => issueImToken(redis, ENV.REDIS_KEY_PREFIX, userId));
    const downAfterFuzz = stack.crashed();
    // One list of rows: the table prints them and the verdict is their conjunction, so they cannot diverge.
    const fuzzRows = [
      { check: 'bad requests sent', value: f.requests, ok: f.requests >= FUZZ_REQUESTS },
      { check: '5xx or no answer', value: f.fiveXx.length, ok: f.fiveXx.length === 0 },
      { check: 'answers that are not the envelope', value: f.notEnvelope.length, ok: f.notEnvelope.length === 0 },
      { check: 'bad WebSocket frames; node still answers', value: f.wsFrames, ok: f.wsAlive },
      {
        check: '200 concurrent starts: passed / limited',
        value: `${f.rateLimit.ok} / ${f.rateLimit.limited}`,
        ok: f.rateLimit.ok === 1 && f.rateLimit.limited === 199,
      },
      {
        check: 'bad configuration refused with the variable named',
        value: f.badConfig.filter((b) => b.refused).length,
        ok: f.badConfig.every((b) => b.refused),
      },
      { check: 'processes down', value: downAfterFuzz.join(', ') || 'none', ok: downAfterFuzz.length === 0 },
    ];
    console.table(fuzzRows);
    console.log(`fuzz answers by status: ${JSON.stringify(f.byStatus)}`);
    for (const b of f.badConfig)
      console.log(`  ${b.app} with a bad ${b.variable}: ${b.refused ? 'refused' : 'NOT refused'}: ${b.message}`);
    if (f.fiveXx.length) console.log(`  5xx samples: ${JSON.stringify(f.fiveXx.slice(0, 5))}`);
    if (f.notEnvelope.length) console.log(`  non-envelope samples: ${JSON.stringify(f.notEnvelope.slice(0, 5))}`);
    const fuzzOk = fuzzRows.every((r) => r.ok);
    console.log(`fuzz: ${fuzzOk ? 'OK' : 'FAILED'}`);
    failed ||= !fuzzOk;
    if (FUZZ_ONLY) return;

    // ---------- chaos ----------
    failed = !(await chaos({ stack, ds, redis, dbProxy, redisProxy }, viewers, poor, broker)) || failed;
  } catch (err: unknown) {
    failed = true;
    console.error(err);
  } finally {
    await stack.stop();
    await ds?.destroy();
    await dbProxy.down();
    await redisProxy.down();
    await redis.flushdb().catch(() => undefined);
    redis.disconnect();
    await dropDatabase(realDb).catch(() => undefined);
    stopOwnBroker();
    console.log(`chaos: ${failed ? 'FAILED' : 'OK'}`);
    process.exitCode = failed ? 1 : 0;
  }
}

/** Runs a process to its end without blocking this event loop (the proxies live in it). */
function runToExit(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

if (process.argv.includes('--cluster')) {
  // The scaled-out run (bench/chaos-cluster.ts): its own engines, ports and prefixes.
  import('./chaos-cluster')
    .then(({ runClusterChaos }) => runClusterChaos(SHORT))
    .then(
      (ok) => (process.exitCode = ok ? 0 : 1),
      (err: unknown) => {
        console.error(err);
        process.exitCode = 1;
      },
    );
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
