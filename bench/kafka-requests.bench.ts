/**
 * Kafka request economy of the gift path, alone: a producer as the gateway's (KafkaProducerService, one
 * send() per gift from many concurrent requests) and a member as gift-service's (BatchConsumer, 12
 * partitions, a handler that takes `--handler-ms` like a pipeline run), against the shared broker.
 * Prints requests per gift by API (counted by the clients' REQUEST instrumentation events) and the
 * broker's CPU per gift (/proc of the Kafka JVM). Usage:
 *   npm run build && LIVE_GIFT_PROFILE=development node scripts/run-app.js bench/kafka-requests.bench.js \
 *     --rate 1500 --seconds 8 --linger 2 [--commit-interval 1000]
 */
import { BatchConsumer, ConsumedBatch, createKafkaClient, KafkaNames, KafkaProducerService } from '@live/kafka';
import { IsInt, IsString } from 'class-validator';
import { parseArgs } from 'node:util';
import { CompressionTypes, logLevel, Producer } from 'kafkajs';
import { BatchCoalescer } from '../apps/gift-service/src/send-gift/batch-coalescer';
import { listeningPids, processCpuSeconds } from './support/stack-processes';

class BenchMq {
  @IsString() id!: string;
  @IsInt() n!: number;
}
interface Topics {
  gifts: BenchMq;
}

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '1500' },
    seconds: { type: 'string', default: '8' },
    linger: { type: 'string', default: '2' },
    'handler-ms': { type: 'string', default: '15' },
    'max-wait': { type: 'string', default: '' },
    'min-bytes': { type: 'string', default: '' },
    /** The member's commitIntervalMs (gift-service: GIFT_COMMIT_INTERVAL_MS); 0: a commit after every run. */
    'commit-interval': { type: 'string', default: '0' },
    /** Produce with gzip (the service sends uncompressed): what compression would cost or save. */
    gzip: { type: 'boolean', default: false },
    /** host:port of the broker to measure (default: KAFKA_BROKERS' first, else 127.0.0.1:9092). */
    brokers: { type: 'string', default: '' },
  },
});
const rate = Number(args.rate);
const seconds = Number(args.seconds);

/** The broker under test: --brokers, else KAFKA_BROKERS, else the one `scripts/infra up` starts. */
const broker = args.brokers || (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')[0];

/** The pid of the process listening on the broker's port (it must run on this machine). */
function brokerPid(): number {
  const port = Number(broker.split(':').pop());
  const pid = listeningPids([port]).get(port);
  if (pid === undefined) throw new Error(`no process of this machine listens on ${broker}: its CPU cannot be read`);
  return pid;
}

async function main(): Promise<void> {
  const id = `kreq${Date.now().toString(36)}`;
  const names = new KafkaNames(`${id}.`);
  const kafka = createKafkaClient({ brokers: [broker], clientId: id, logLevel: logLevel.ERROR });
  const producer = new KafkaProducerService<Topics>(kafka, {
    names,
    topics: [{ topic: names.topic('gifts'), numPartitions: 12, replicationFactor: 1 }],
    lingerMs: Number(args.linger),
  });
  await producer.onModuleInit();
  const counts = new Map<string, number>();
  const count = (who: string) => (e: { payload: { apiName: string } }) => {
    const key = `${who} ${e.payload.apiName}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  const inner = (producer as unknown as { producer: Producer }).producer;
  inner.on('producer.network.request', count('producer'));
  if (args.gzip) {
    const sendBatch = inner.sendBatch.bind(inner);
    inner.sendBatch = (batch) => sendBatch({ ...batch, compression: CompressionTypes.GZIP });
  }
  let consumed = 0;
  const latencies: number[] = [];
  // As gift-service: the partitions' batches that arrive together make one run.
  const coalescer = new BatchCoalescer<{ messages: { timestamp: string }[] }>(
    async (batches) => {
      await new Promise((r) => setTimeout(r, Number(args['handler-ms'])));
      const now = Date.now();
      for (const b of batches) for (const m of b.messages) latencies.push(now - Number(m.timestamp));
      consumed += batches.reduce((n, b) => n + b.messages.length, 0);
    },
    { windowMs: 2, maxItems: 500, maxConcurrent: 2 },
  );
  const consumer = new BatchConsumer<'gifts', Topics>(kafka, {
    names,
    groupId: 'g',
    topic: 'gifts',
    valueClass: BenchMq,
    partitionsConsumedConcurrently: 12,
    ...(args['max-wait'] ? { maxWaitTimeMs: Number(args['max-wait']) } : {}),
    ...(args['min-bytes'] ? { minBytes: Number(args['min-bytes']) } : {}),
    commitIntervalMs: Number(args['commit-interval']),
    handler: (batch: ConsumedBatch<BenchMq>) => coalescer.submit(batch, batch.messages.length),
  } as never);
  const kc = (consumer as unknown as { consumer: { on: (e: string, f: (e: never) => void) => void } }).consumer;
  kc.on('consumer.network.request', count('consumer'));
  await consumer.start();
  await consumer.waitForAssignment();
  await new Promise((r) => setTimeout(r, 1_500));
  counts.clear();
  latencies.length = 0;

  const pid = brokerPid();
  const cpu0 = processCpuSeconds(pid);
  const self0 = process.cpuUsage();
  const total = rate * seconds;
  const started = Date.now();
  let sent = 0;
  const inflight = new Set<Promise<void>>();
  // A tick of 1 ms sends what the rate owes by now: about rate/1000 concurrent sends each millisecond.
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - started) * rate) / 1000));
    for (; sent < due; sent++) {
      const p = producer.send('gifts', [{ key: `u${sent % 2000}`, value: { id: `${id}-${sent}`, n: sent } }]);
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inflight);
  while (consumed < total) await new Promise((r) => setTimeout(r, 20));
  const cpu1 = processCpuSeconds(pid);
  const self = process.cpuUsage(self0);
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
  const lines = [...counts].sort().map(([k, v]) => `  ${k}: ${v} (${(v / total).toFixed(4)} per gift)`);
  const all = [...counts.values()].reduce((a, b) => a + b, 0);
  console.log(
    `rate ${rate}/s for ${seconds} s, linger ${args.linger} ms${args.gzip ? ', gzip' : ''}, handler ${args['handler-ms']} ms, maxWait ${args['max-wait'] || 'default'}, minBytes ${args['min-bytes'] || 'default'}, commit interval ${args['commit-interval']} ms\n` +
      lines.join('\n') +
      `\n  all: ${all} (${(all / total).toFixed(4)} per gift)\n` +
      `  broker CPU ${(((cpu1 - cpu0) * 1e6) / total).toFixed(0)} us/gift; this process ${((self.user + self.system) / total) | 0} us/gift; ` +
      `produce->consume p50 ${pct(0.5)} ms p99 ${pct(0.99)} ms; wall ${Date.now() - started} ms`,
  );
  await consumer.stop();
  await producer.onApplicationShutdown();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [names.topic('gifts')] }).catch(() => undefined);
  await admin.disconnect();
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
