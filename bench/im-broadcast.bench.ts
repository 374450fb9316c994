/**
 * im-core room broadcast vs a bare `ws` broadcast loop, measured in one run on this machine.
 *
 *   npm run bench:im [-- --sockets 5000 --messages 40 --per-tick 10]
 *
 * ours: one im-core node (its production module), `sockets` clients logged in to one room by IM token,
 *       each message pushed through the same code the PUSH_TO_ROOM RPC runs; clients ack every message
 *       (as real clients do), which the node also has to read.
 * bare: a plain ws server with the same number of clients, sending one pre-serialized string to each.
 * For each message: time from the send call to the LAST socket's receipt; then p50/p99 and deliveries/s.
 * The clients run in a worker thread (the other core) in both runs; in ours they ack, as real clients do.
 * Then `per-tick` messages pushed in one tick (as one push RPC of a gift batch brings a room several
 * effects), to clients reading one frame per message (1003, an ack each) and to clients that announced
 * batch frames (1006: one frame and one ack per tick). Each row also gives the CPU of the server's
 * thread (im-core, or the bare loop) per delivery.
 */
import { startApp } from '@live/common';
import { GiftEffectData, IM_MAGIC, ImBizCode, ImFrameCode } from '@live/contracts';
import { GatewayRedisKeys } from '@live/redis';
import { createTestRedis } from '@live/testing';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { WebSocketServer } from 'ws';
import { ImCoreModule } from '../apps/im-core/src/im-core.module';
import { ImPushService } from '../apps/im-core/src/push/im-push.service';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
  return v;
}

interface Figures {
  p50: number;
  p99: number;
  deliveriesPerSecond: number;
  /** CPU of this thread (the server's: im-core or the bare loop) per delivery, µs. */
  cpuUsPerDelivery: number;
}

const ROOM = 4242;

/** The effect pushed as message `seq`; `seq` rides along for the client workers (im-clients.worker.ts reads data.seq). */
function effect(seq: number): GiftEffectData {
  const data = {
    requestId: `m-${seq}`,
    giftId: 1,
    giftName: 'Rose',
    svgaUrl: '',
    senderId: 1,
    receiverId: 2,
    roomId: ROOM,
    combo: 1,
    count: 1,
    seq,
  };
  return data;
}

/** `n` clients in a worker thread; `done(seq)` resolves once every socket received message `seq`. */
class ClientPool {
  private readonly worker = new Worker(join(__dirname, 'im-clients.worker.js'));
  private readonly waiting = new Map<number, () => void>();

  static async open(label: string, urls: string[], ack: boolean): Promise<ClientPool> {
    const pool = new ClientPool();
    await new Promise<void>((resolve, reject) => {
      pool.worker.on('error', reject);
      pool.worker.on('message', (m: { type: string; open?: number; seq?: number }) => {
        if (m.type === 'progress') console.log(`  ${label}: ${m.open}/${urls.length} sockets open`);
        if (m.type === 'opened') resolve();
        if (m.type === 'done' && m.seq !== undefined) {
          pool.waiting.get(m.seq)?.();
          pool.waiting.delete(m.seq);
        }
      });
      pool.worker.postMessage({ type: 'open', urls, ack, expected: urls.length });
    });
    return pool;
  }

  done(seq: number): Promise<void> {
    return new Promise((resolve) => this.waiting.set(seq, resolve));
  }

  async close(): Promise<void> {
    this.worker.postMessage({ type: 'close' });
    await new Promise((r) => setTimeout(r, 200));
    await this.worker.terminate();
  }
}

/**
 * Sends `messages` in rounds of `perRound` (pushed in the same tick), one round after the other; a round
 * is done when every socket got its last message (each socket gets them in order). Latency per round.
 */
async function measure(
  messages: number,
  sockets: number,
  pool: ClientPool,
  send: (seq: number) => void,
  perRound = 1,
): Promise<Figures> {
  const latencies: number[] = [];
  const t0 = process.hrtime.bigint();
  const cpu0 = process.threadCpuUsage();
  for (let first = 1; first <= messages; first += perRound) {
    const last = Math.min(messages, first + perRound - 1);
    const done = pool.done(last);
    const start = process.hrtime.bigint();
    for (let seq = first; seq <= last; seq++) send(seq);
    await done;
    latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const cpu = process.threadCpuUsage(cpu0);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  return {
    p50: pct(50),
    p99: pct(99),
    deliveriesPerSecond: (messages * sockets) / seconds,
    cpuUsPerDelivery: (cpu.user + cpu.system) / (messages * sockets),
  };
}

interface OursOptions {
  /** Clients ack (and the node resends what is not acked). */
  ack: boolean;
  /** Clients announce batch frames (`batch=1`). */
  batch?: boolean;
  /** Messages pushed in one tick. */
  perTick?: number;
}

async function benchOurs(sockets: number, messages: number, port: number, opts: OursOptions): Promise<Figures> {
  const { ack, batch = false, perTick = 1 } = opts;
  const redis = await createTestRedis();
  Object.assign(process.env, {
    REDIS_KEY_PREFIX: redis.prefix,
    LOG_LEVEL: 'warn',
    IM_CORE_NODE_ID: 'bench-node',
    IM_CORE_WS_PORT: String(port),
    IM_CORE_RPC_PORT: String(port + 1),
    IM_HEARTBEAT_TIMEOUT_MS: '600000',
    // Without acks nothing would ever be acked: no resends then, so only the push path is measured.
    IM_RESEND_MAX: ack ? '3' : '0',
  });
  const app = await startApp({
    app: 'im-core',
    module: ImCoreModule,
    http: { host: '127.0.0.1', port },
    rpc: { host: '127.0.0.1', port: port + 1 },
  });
  try {
    const keys = new GatewayRedisKeys(redis.prefix);
    const tokens = Array.from({ length: sockets }, () => randomBytes(24).toString('base64url'));
    await Promise.all(tokens.map((t, i) => redis.redis.set(keys.imToken(t), String(1_000_000 + i), 'EX', 3_600)));
    const pool = await ClientPool.open(
      'im-core',
      tokens.map((t) => `ws://127.0.0.1:${port}/ws?token=${t}&roomId=${ROOM}${batch ? '&batch=1' : ''}`),
      ack,
    );
    // Wait until every socket is logged in and in the room.
    const push = app.get(ImPushService);
    // A new msgId each round: a node writes a msgId at most once per room.
    for (let round = 0; push.pushToRoom(`warm-up-${round}`, ROOM, ImBizCode.GIFT_SUCCESS, effect(0)) < sockets; round++)
      await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));
    const figures = await measure(
      messages,
      sockets,
      pool,
      (seq) => push.pushToRoom(`m-${seq}`, ROOM, ImBizCode.GIFT_SUCCESS, effect(seq)),
      perTick,
    );
    await pool.close();
    return figures;
  } finally {
    await app.close();
    await redis.cleanup();
  }
}

async function benchBare(sockets: number, messages: number): Promise<Figures> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const port = (wss.address() as { port: number }).port;
  try {
    const pool = await ClientPool.open(
      'bare ws',
      Array.from({ length: sockets }, () => `ws://127.0.0.1:${port}/`),
      false,
    );
    while (wss.clients.size < sockets) await new Promise((r) => setTimeout(r, 50));
    const figures = await measure(messages, sockets, pool, (seq) => {
      const frame = JSON.stringify({
        magic: IM_MAGIC,
        code: ImFrameCode.BIZ,
        len: 0,
        body: { msgId: `m-${seq}`, appId: 10001, userId: 0, bizCode: 5556, data: effect(seq) },
      });
      for (const c of wss.clients) c.send(frame);
    });
    await pool.close();
    return figures;
  } finally {
    wss.close();
  }
}

async function main(): Promise<void> {
  const sockets = arg('sockets', 5_000);
  const messages = arg('messages', 40);
  const perTick = arg('per-tick', 10);
  // Below the ephemeral range (32768+), where the client sockets take their local ports.
  const port = 21_000 + Math.floor(Math.random() * 4_000) * 2;
  console.log(`bare ws broadcast loop: ${sockets} sockets, ${messages} messages`);
  const bare = await benchBare(sockets, messages);
  console.log(
    `im-core room broadcast, push path only: ${sockets} sockets, ${messages} messages (clients do not ack, no resends)`,
  );
  const push = await benchOurs(sockets, messages, port, { ack: false });
  console.log(
    `im-core room broadcast, full protocol: ${sockets} sockets, ${messages} messages (every client acks every message)`,
  );
  const full = await benchOurs(sockets, messages, port + 2, { ack: true });
  console.log(`im-core, ${perTick} messages per tick, one frame (1003) and one ack per message`);
  const singles = await benchOurs(sockets, messages, port + 4, { ack: true, perTick });
  console.log(`im-core, ${perTick} messages per tick, batch frames (1006): one frame and one ack per tick`);
  const batched = await benchOurs(sockets, messages, port + 6, { ack: true, perTick, batch: true });
  const row = (path: string, f: Figures) => ({
    path,
    p50ms: f.p50.toFixed(1),
    p99ms: f.p99.toFixed(1),
    deliveriesPerSecond: Math.round(f.deliveriesPerSecond),
    vsBare: `${((f.deliveriesPerSecond / bare.deliveriesPerSecond) * 100).toFixed(0)}%`,
    serverCpuUsPerDelivery: f.cpuUsPerDelivery.toFixed(2),
  });
  const rows = [
    row('bare ws loop (baseline)', bare),
    row('im-core pushToRoom (no acks)', push),
    row('im-core pushToRoom + acks', full),
    row(`im-core ${perTick}/tick, 1003 + acks`, singles),
    row(`im-core ${perTick}/tick, 1006 batch + acks`, batched),
  ];
  console.table(rows);
  console.log(
    `im-core push path = ${rows[1].vsBare} of the bare loop; with every delivery acked (twice the frames on both ends) = ${rows[2].vsBare}`,
  );
  console.log(
    `${perTick} messages per tick: im-core CPU per delivery ${rows[3].serverCpuUsPerDelivery} µs with a frame and an ack per message, ${rows[4].serverCpuUsPerDelivery} µs with batch frames (${(batched.cpuUsPerDelivery / singles.cpuUsPerDelivery).toFixed(2)}x)`,
  );
  console.log(JSON.stringify({ bench: 'im-broadcast', sockets, messages, perTick, rows }));
}

main()
  .then(() => process.exit(0))
  .catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
