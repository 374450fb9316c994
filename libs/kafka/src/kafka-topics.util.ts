import { Logger } from '@nestjs/common';
import { waitFor, WaitForOptions } from '@live/common';
import { Admin, ConfigResourceTypes, ITopicConfig, ITopicMetadata, Kafka } from 'kafkajs';

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  /** Default -1: the broker's default.replication.factor. */
  replicationFactor?: number;
  /** Topic configs, e.g. `{ 'retention.ms': '604800000' }`. */
  configEntries?: Record<string, string>;
}

export interface EnsureTopicsResult {
  created: string[];
  /** Topics that were already there, with their partition counts and replication factors (never changed here). */
  existing: { topic: string; numPartitions: number; replicationFactor: number }[];
}

/** How the apps' topics are replicated (KafkaEnv: KAFKA_REPLICATION_FACTOR, KAFKA_MIN_INSYNC_REPLICAS). */
export interface TopicReplication {
  replicationFactor: number;
  minInsyncReplicas: number;
}

/** The specs with the replication factor and min.insync.replicas put on each (a spec's own configEntries win). */
export function withReplication(specs: readonly TopicSpec[], replication: TopicReplication): TopicSpec[] {
  return specs.map((spec) => ({
    ...spec,
    replicationFactor: replication.replicationFactor,
    configEntries: { 'min.insync.replicas': String(replication.minInsyncReplicas), ...spec.configEntries },
  }));
}

const logger = new Logger('KafkaTopics');

/**
 * Creates the topics that do not exist yet, then waits until every partition of every listed topic has a
 * leader; leaves existing topics alone. Every step waits for the broker (waitFor: backoff up to the
 * start-up deadline, a log line saying what it waits for): right after a broker's first start, or right
 * after a topic was created by another process, metadata answers "This server does not host this
 * topic-partition" for a moment, and start-up must ride that out, not fail on it.
 * An existing topic with fewer partitions than asked is only reported (warning): adding partitions
 * moves keys to other partitions, which breaks per-key order, so that stays an operator's decision.
 * So is one with fewer replicas than asked (created by a single-broker profile, say): it loses
 * acknowledged messages with a broker, and reassigning replicas is an operator's job.
 * Safe to call from several processes at once (a concurrent creation counts as existing).
 */
export async function ensureTopics(
  kafka: Kafka,
  specs: readonly TopicSpec[],
  wait: WaitForOptions = {},
): Promise<EnsureTopicsResult> {
  const result: EnsureTopicsResult = { created: [], existing: [] };
  if (specs.length === 0) return result;
  const admin = kafka.admin();
  await waitFor('the Kafka broker (admin connection)', () => admin.connect(), wait);
  try {
    const known = new Set(await waitFor('the Kafka topic list', () => admin.listTopics(), wait));
    for (const spec of specs.filter((s) => !known.has(s.topic))) {
      // One topic per call: kafkajs reports "already exists" for a single topic as `false`, not an error.
      // The leaders are awaited below, for created and existing topics alike (kafkajs' own wait throws
      // on the transient "does not host this topic-partition").
      const created = await waitFor(
        `creating topic ${spec.topic}`,
        () => admin.createTopics({ waitForLeaders: false, topics: [toCreateRequest(spec)] }),
        wait,
      );
      if (created) result.created.push(spec.topic);
    }
    if (result.created.length > 0) logger.log(`created topics: ${result.created.join(', ')}`);
    const topics = specs.map((s) => s.topic);
    const metadata = await waitFor(
      `a leader for every partition of ${topics.join(', ')}`,
      () => leadersOf(admin, topics),
      wait,
    );
    for (const t of metadata.topics) {
      if (!result.created.includes(t.name)) result.existing.push(checkExisting(t, specs));
    }
    await checkConfigs(
      admin,
      result.existing.map((e) => e.topic),
      specs,
    ).catch((err: Error) => logger.warn(`could not read the existing topics' configs: ${err.message}`));
    return result;
  } finally {
    await admin.disconnect();
  }
}

/** An existing topic as it is, with a warning for each shortfall against its spec. */
function checkExisting(t: ITopicMetadata, specs: readonly TopicSpec[]): EnsureTopicsResult['existing'][number] {
  const spec = specs.find((s) => s.topic === t.name);
  const numPartitions = t.partitions.length;
  const replicationFactor = Math.min(...t.partitions.map((p) => p.replicas.length));
  if (numPartitions < (spec?.numPartitions ?? 0)) {
    logger.warn(
      `topic ${t.name} has ${numPartitions} partitions, ${spec?.numPartitions} wanted: left as is (adding partitions reorders keys)`,
    );
  }
  if (spec?.replicationFactor !== undefined && replicationFactor < spec.replicationFactor) {
    logger.warn(
      `topic ${t.name} has replication factor ${replicationFactor}, ${spec.replicationFactor} wanted: left as is ` +
        `(it can lose acknowledged messages with a broker; reassign its replicas, e.g. kafka-reassign-partitions)`,
    );
  }
  return { topic: t.name, numPartitions, replicationFactor };
}

/**
 * A warning for each existing topic whose configs are less safe than its spec's (left as is: an operator's
 * `kafka-configs --alter` decides): min.insync.replicas below the spec's (acks=all is then acknowledged by
 * fewer brokers than configured, and lost with them); a shorter retention (messages may go before they are
 * consumed); a size bound where the spec has none (it drops unconsumed messages), or none or a larger one
 * where the spec bounds the size (e.g. a parked topic created before it had one), larger segments than a
 * bounded spec's; another cleanup policy. What an operator made safer (a longer retention) is not warned about.
 */
async function checkConfigs(admin: Admin, topics: string[], specs: readonly TopicSpec[]): Promise<void> {
  const wanted = new Map<string, Record<string, string>>();
  for (const spec of specs) {
    if (spec.configEntries && Object.keys(spec.configEntries).length > 0 && topics.includes(spec.topic))
      wanted.set(spec.topic, spec.configEntries);
  }
  if (wanted.size === 0) return;
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [...wanted].map(([name, entries]) => ({
      type: ConfigResourceTypes.TOPIC,
      name,
      configNames: Object.keys(entries),
    })),
  });
  for (const r of resources) {
    const entries = wanted.get(r.resourceName) ?? {};
    for (const [configName, want] of Object.entries(entries)) {
      const actual = r.configEntries.find((e) => e.configName === configName)?.configValue;
      const problem = configShortfall(configName, actual, want);
      if (problem)
        logger.warn(
          `topic ${r.resourceName} has ${configName} ${actual}, ${want} wanted: left as is (${problem}; ` +
            `kafka-configs --bootstrap-server <broker> --alter --entity-type topics --entity-name ${r.resourceName} ` +
            `--add-config ${configName}=${want})`,
        );
    }
  }
}

/** Why an existing topic's config value is less safe than the wanted one, or undefined when it is not. */
export function configShortfall(name: string, actual: string | undefined, want: string): string | undefined {
  const [have, wanted] = [Number(actual), Number(want)];
  // -1: no bound. A bound where none is wanted, or a looser one (or none) where one is.
  const looser = (): boolean => wanted !== -1 && (have === -1 || have > wanted);
  switch (name) {
    case 'min.insync.replicas':
      return have < wanted ? 'acks=all then waits for fewer brokers' : undefined;
    case 'retention.ms':
      return have !== -1 && (wanted === -1 || have < wanted) ? 'messages may go before they are consumed' : undefined;
    case 'retention.bytes':
      if (wanted === -1) return have === -1 ? undefined : 'a size bound drops messages not yet consumed';
      return looser() ? 'the topic can grow past its bound' : undefined;
    case 'segment.bytes':
    case 'segment.ms':
      return looser() ? 'old messages are kept longer than the retention says' : undefined;
    default:
      return actual === want ? undefined : "not the system's setting";
  }
}

function toCreateRequest(spec: TopicSpec): ITopicConfig {
  return {
    topic: spec.topic,
    numPartitions: spec.numPartitions,
    replicationFactor: spec.replicationFactor ?? -1,
    configEntries: Object.entries(spec.configEntries ?? {}).map(([name, value]) => ({ name, value })),
  };
}

/** The topics' metadata once every partition has a leader; throws (to be retried) naming those that do not. */
async function leadersOf(admin: Admin, topics: string[]): Promise<{ topics: ITopicMetadata[] }> {
  const metadata = await admin.fetchTopicMetadata({ topics });
  const missingTopics = topics.filter((t) => !metadata.topics.some((m) => m.name === t && m.partitions.length > 0));
  if (missingTopics.length > 0) throw new Error(`no metadata yet for ${missingTopics.join(', ')}`);
  const leaderless = metadata.topics.flatMap((t) =>
    t.partitions.filter((p) => p.leader < 0 || p.partitionErrorCode !== 0).map((p) => `${t.name}/${p.partitionId}`),
  );
  if (leaderless.length > 0)
    throw new Error(
      `${leaderless.length} partition(s) without a leader yet (${leaderless.slice(0, 3).join(', ')}${leaderless.length > 3 ? ', ...' : ''})`,
    );
  return metadata;
}
