import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KAFKA_TOPIC_SPECS } from '@live/contracts';
import { createTestKafka, SeqEvent, SeqTopics, TestKafka, uniqueName, waitUntil } from '@live/testing';
import { Test, TestingModule } from '@nestjs/testing';
import { Admin, ConfigResourceTypes, Consumer, Kafka } from 'kafkajs';

type ITopicMetadataResponse = Awaited<ReturnType<Admin['fetchTopicMetadata']>>;
import { BatchConsumer } from './kafka-batch.consumer';
import { KAFKA } from './kafka.constants';
import { KafkaNames } from './kafka-names';
import { KafkaProducerService } from './kafka-producer.service';
import { ensureTopics, withReplication } from './kafka-topics.util';
import { KafkaModule } from './kafka.module';

// The apps' Kafka code on a real 3-broker KRaft cluster (scripts/kafka-cluster with its own state
// directory and ports: brokers 29792..29794, controllers 29892..29894, unless KAFKA_CLUSTER_SPEC_BASE_PORT
// says otherwise): topics replicated 3 times with min.insync.replicas 2, and an acks=all producer and a
// consumer group that ride out the kill -9 of a partition leader without losing an acknowledged message.
const ROOT = join(__dirname, '..', '..', '..');
const BASE_PORT = process.env.KAFKA_CLUSTER_SPEC_BASE_PORT ?? '29792';
const STATE = mkdtempSync(join(tmpdir(), 'live-gift-kafka-cluster-spec-'));
const BROKERS = [0, 1, 2].map((i) => `127.0.0.1:${Number(BASE_PORT) + i}`);

/** Runs scripts/kafka-cluster; rejects with its output (the reason) when it fails. */
function cluster(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [join(ROOT, 'scripts', 'kafka-cluster'), ...args],
      {
        cwd: ROOT,
        env: { ...process.env, LIVE_GIFT_INFRA_STATE: STATE, KAFKA_CLUSTER_BASE_PORT: BASE_PORT },
        timeout: 240_000,
      },
      (err, stdout, stderr) =>
        err
          ? reject(new Error(`scripts/kafka-cluster ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`))
          : resolve(stdout),
    );
  });
}

/** The __consumer_offsets partition of a group: abs(Java String.hashCode(groupId)) % partitions, as Kafka computes it. */
function offsetsPartitionOf(groupId: string, partitions: number): number {
  let hash = 0;
  for (let i = 0; i < groupId.length; i++) hash = (Math.imul(31, hash) + groupId.charCodeAt(i)) | 0;
  return (hash === -2147483648 ? 0 : Math.abs(hash)) % partitions; // Kafka's Utils.abs
}

describe('@live/kafka on a 3-broker KRaft cluster (scripts/kafka-cluster)', () => {
  jest.setTimeout(240_000);
  const saved = { ...process.env };
  let tk: TestKafka;
  let moduleRef: TestingModule;
  let admin: Admin;
  let names: KafkaNames;
  const consumers: BatchConsumer<string, SeqTopics>[] = [];

  beforeAll(async () => {
    await cluster('up');
    Object.assign(process.env, {
      KAFKA_BROKERS: BROKERS.join(','),
      KAFKA_REPLICATION_FACTOR: '3',
      KAFKA_MIN_INSYNC_REPLICAS: '2',
      KAFKA_TOPIC_PREFIX: `${uniqueName('cluster')}.`,
    });
    tk = createTestKafka({ clientId: 'kafka-cluster-int-spec' });
    // The apps' own module with the apps' own topics: creation goes through KafkaEnv and ensureTopics.
    moduleRef = await Test.createTestingModule({
      imports: [KafkaModule.forRoot({ clientId: 'kafka-cluster-int-spec', topics: KAFKA_TOPIC_SPECS })],
    }).compile();
    await moduleRef.init();
    names = moduleRef.get(KafkaNames);
    admin = tk.kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop().catch(() => undefined)));
    await admin?.disconnect();
    await moduleRef?.close();
    process.env = saved;
    await cluster('down').catch((err: unknown) => console.error(err));
    rmSync(STATE, { recursive: true, force: true });
  });

  /** A topic's metadata; retried while a broker answers "does not host this topic-partition" (a new topic, a failover). */
  async function metadataOf(topic: string): Promise<ITopicMetadataResponse> {
    let metadata: ITopicMetadataResponse | null = null;
    await waitUntil(`metadata of ${topic}`, async () => {
      metadata = await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => null);
      return metadata !== null;
    });
    return metadata!;
  }

  /** A fresh group id whose coordinator is `broker` (the leader of the group's __consumer_offsets partition). */
  async function groupCoordinatedBy(broker: number): Promise<string> {
    // A coordinator lookup creates __consumer_offsets (answers "not the coordinator" while it loads).
    await waitUntil('a group coordinator', () =>
      admin.fetchOffsets({ groupId: uniqueName('offsets-topic'), topics: [] }).then(
        () => true,
        () => false,
      ),
    );
    let leaders: Map<number, number> = new Map();
    await waitUntil('__consumer_offsets with a leader per partition', async () => {
      const metadata = await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] }).catch(() => null);
      if (!metadata) return false; // "does not host this topic-partition" while it is being created
      const [offsets] = metadata.topics;
      leaders = new Map(offsets.partitions.map((p) => [p.partitionId, p.leader]));
      return offsets.partitions.length > 0 && offsets.partitions.every((p) => p.leader > 0);
    });
    for (;;) {
      const groupId = uniqueName('cluster-failover');
      if (leaders.get(offsetsPartitionOf(groupId, leaders.size)) === broker) return groupId;
    }
  }

  it("creates every app topic with replication factor 3 and min.insync.replicas 2, on the cluster's three brokers", async () => {
    const topics = KAFKA_TOPIC_SPECS.map((s) => names.topic(s.topic));
    expect(topics).toEqual(expect.arrayContaining([names.topic('send_gift'), names.topic('send_gift.parked')]));
    // A broker that has not caught up on the new topics' metadata answers "does not host this topic-partition",
    // and a replica joins the ISR a moment after creation: wait until every partition has its leader and ISR.
    let metadata: Awaited<ReturnType<Admin['fetchTopicMetadata']>> | null = null;
    await waitUntil('the app topics with a leader and a full ISR on every partition', async () => {
      metadata = await admin.fetchTopicMetadata({ topics }).catch(() => null);
      return (
        metadata !== null &&
        metadata.topics.every(
          (t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader > 0 && p.isr.length === 3),
        )
      );
    });
    for (const t of metadata!.topics) {
      const wanted = KAFKA_TOPIC_SPECS.find((s) => names.topic(s.topic) === t.name)!.numPartitions;
      expect([t.name, t.partitions.length]).toEqual([t.name, wanted]);
      for (const p of t.partitions)
        expect([t.name, p.replicas.sort(), p.isr.sort()]).toEqual([t.name, [1, 2, 3], [1, 2, 3]]);
    }
    // The configs are asked of any broker: one that has the partitions' metadata may still lack the topics'
    // configs (CI once saw "does not host this topic-partition" here), so they are asked again until answered.
    let configs: Awaited<ReturnType<Admin['describeConfigs']>> | null = null;
    await waitUntil("the app topics' configs answered", async () => {
      configs = await admin
        .describeConfigs({
          includeSynonyms: false,
          resources: topics.map((name) => ({
            type: ConfigResourceTypes.TOPIC,
            name,
            configNames: ['min.insync.replicas'],
          })),
        })
        .catch(() => null);
      return configs !== null;
    });
    expect(configs!.resources.map((r) => [r.resourceName, r.configEntries[0].configValue]).sort()).toEqual(
      topics.map((t) => [t, '2']).sort(),
    );
  });

  it('kill -9 of a partition leader that also coordinates the group: acks=all produces succeed again after the election, the group loses nothing', async () => {
    const producer = moduleRef.get<KafkaProducerService<SeqTopics>>(KafkaProducerService);
    const topic = names.topic('failover'); // send() takes the logical name and puts the prefix on
    tk.track({ topics: [topic] });
    await ensureTopics(
      tk.kafka,
      withReplication([{ topic, numPartitions: 6 }], { replicationFactor: 3, minInsyncReplicas: 2 }),
    );

    // The victim leads partition 0 of the topic AND coordinates the consumer group (the worst case).
    const before = await metadataOf(topic);
    const leader = before.topics[0].partitions.find((p) => p.partitionId === 0)!.leader;
    const groupId = await groupCoordinatedBy(leader);

    const consumed = new Set<string>();
    // On the apps' own client (its retry settings) with gift-service's group timeouts (send-gift.consumer.ts).
    const group = new BatchConsumer<string, SeqTopics>(moduleRef.get<Kafka>(KAFKA), {
      groupId,
      topic,
      valueClass: SeqEvent,
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      handler: async (batch) => batch.messages.forEach((m) => m.value && consumed.add(`${m.value.key}:${m.value.seq}`)),
    });
    consumers.push(group);
    // A first join that meets the coordinator still loading the group's __consumer_offsets partition (a new
    // cluster) crashes kafkajs' member: joinAndSync gives up on GROUP_LOAD_IN_PROGRESS instead of retrying it
    // (tulios/kafkajs#1779) and kafkajs restarts the member 200 ms later, before it consumed anything. That
    // crash, before the member first joined, is start-up and judged apart; from the join on, through the
    // failover below, the member must not crash at all.
    let joined = false;
    const crashes: string[] = [];
    const startCrashes: string[] = [];
    (group as unknown as { consumer: Consumer }).consumer.on('consumer.crash', (e) => {
      const { error, restart } = e.payload as { error: Error & { type?: string }; restart: boolean };
      (joined ? crashes : startCrashes).push(`${error.name} ${error.type ?? ''}: ${error.message}, restart ${restart}`);
    });
    await group.start();
    await group.waitForAssignment(60_000);
    joined = true;
    for (const crash of startCrashes)
      expect(crash).toBe(
        "KafkaJSProtocolError GROUP_LOAD_IN_PROGRESS: The coordinator is loading and hence can't process requests for this group, restart true",
      );

    const acked = new Set<string>();
    let seq = 0;
    /** One send of a message per key (12 keys over the 6 partitions); true when the brokers acknowledged it. */
    const produceRound = async (): Promise<boolean> => {
      const round = seq++;
      const messages = Array.from({ length: 12 }, (_, k) => ({ key: `k${k}`, value: { key: `k${k}`, seq: round } }));
      const ok = await producer.send('failover', messages).then(
        () => true,
        () => false,
      );
      if (ok) messages.forEach((m) => acked.add(`${m.key}:${m.value.seq}`));
      return ok;
    };
    for (let i = 0; i < 5; i++) expect(await produceRound()).toBe(true);
    await waitUntil('the first rounds consumed', () => acked.size > 0 && [...acked].every((a) => consumed.has(a)));

    const killedAt = Date.now();
    await cluster('kill', String(leader));

    // Produce until one acks=all round succeeds with the leader gone (the election takes a few seconds);
    // the deadline only keeps an election that never comes from hanging the test.
    let failedRounds = 0;
    await waitUntil(
      'an acks=all round acknowledged with the leader gone',
      async () => (await produceRound()) || (failedRounds++, false),
      60_000,
    );
    const recoveredMs = Date.now() - killedAt;
    for (let i = 0; i < 5; i++) expect(await produceRound()).toBe(true);
    const after = await metadataOf(topic);
    for (const p of after.topics[0].partitions) {
      expect(p.leader).not.toBe(leader);
      expect(p.isr).not.toContain(leader);
      expect(p.isr.length).toBeGreaterThanOrEqual(2);
    }
    // The apps' start-up wait accepts partitions that have a leader but miss a replica.
    await expect(ensureTopics(tk.kafka, [{ topic, numPartitions: 6 }], { deadlineMs: 10_000 })).resolves.toMatchObject({
      existing: [{ topic, numPartitions: 6, replicationFactor: 3 }],
    });
    await waitUntil('every acknowledged message consumed after the failover', () =>
      [...acked].every((a) => consumed.has(a)),
    );
    console.log(
      `leader and group coordinator ${leader} killed: produce failed ${failedRounds} round(s), acks=all again after ${recoveredMs} ms; ` +
        `all ${acked.size} acknowledged messages consumed ${Date.now() - killedAt} ms after the kill`,
    );

    // The member rode the failover out on its retries (CONSUMER_RETRY): no crash, no rejoin of the group.
    expect(crashes).toEqual([]);

    await cluster('start', String(leader));
    await waitUntil(
      `broker ${leader} back in every ISR`,
      async () => (await metadataOf(topic)).topics[0].partitions.every((p) => p.isr.includes(leader)),
      60_000,
    );
    for (let i = 0; i < 5; i++) expect(await produceRound()).toBe(true);
    await waitUntil('every acknowledged message consumed after the restart', () =>
      [...acked].every((a) => consumed.has(a)),
    );
  });
});
