/**
 * What the cluster chaos run asks the Kafka cluster (kafkajs admin): which broker leads most partitions
 * of a topic, whether every replica is back in sync, and the consumer lag of a group, sampled every
 * 500 ms (the peak during each fault is what the run prints).
 */
import { createKafkaClient } from '@live/kafka';
import { Admin, logLevel } from 'kafkajs';

export class KafkaWatch {
  private readonly admin: Admin;
  private timer: NodeJS.Timeout | null = null;
  private peak = 0;
  private lastLag = 0;
  private busy = false;

  constructor(
    brokers: string,
    private readonly topic: string,
    private readonly groupId: string,
  ) {
    const kafka = createKafkaClient({
      clientId: 'cluster-chaos',
      brokers: brokers.split(',').map((b) => b.trim()),
      logLevel: logLevel.NOTHING,
      retry: { retries: 2, initialRetryTime: 100 },
      requestTimeoutMs: 2_000,
      connectionTimeoutMs: 1_000,
    });
    this.admin = kafka.admin();
  }

  async connect(): Promise<void> {
    await this.admin.connect();
  }

  /** Leader broker id of each partition of the topic (asked again for up to 10 s while a broker does not know it yet). */
  async leaders(): Promise<number[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        const meta = await this.admin.fetchTopicMetadata({ topics: [this.topic] });
        return meta.topics[0].partitions.map((p) => p.leader);
      } catch (err: unknown) {
        if (attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** The broker that leads the most partitions of the topic, and how many it leads. */
  async busiestLeader(): Promise<{ broker: number; leads: number; partitions: number }> {
    const leaders = await this.leaders();
    const count = new Map<number, number>();
    for (const l of leaders) count.set(l, (count.get(l) ?? 0) + 1);
    const [broker, leads] = [...count].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
    return { broker, leads, partitions: leaders.length };
  }

  /** Whether every partition of the topic has all its replicas in sync (a restarted broker caught up). */
  async inSync(): Promise<boolean> {
    const meta = await this.admin.fetchTopicMetadata({ topics: [this.topic] });
    return meta.topics[0].partitions.every((p) => p.isr.length === p.replicas.length && p.leader >= 0);
  }

  /** Messages of the topic the group has not committed yet. */
  async lag(): Promise<number> {
    const [ends, committed] = await Promise.all([
      this.admin.fetchTopicOffsets(this.topic),
      this.admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] }),
    ]);
    const done = new Map(committed[0]?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
    return ends.reduce((sum, e) => {
      const c = done.get(e.partition) ?? -1;
      return sum + Math.max(0, Number(e.high) - (c >= 0 ? c : Number(e.low)));
    }, 0);
  }

  /** Samples the lag every 500 ms (a sample that fails while a broker is down is skipped). */
  startSampling(): void {
    this.timer = setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      this.lag()
        .then((l) => {
          this.lastLag = l;
          this.peak = Math.max(this.peak, l);
        })
        .catch(() => undefined)
        .finally(() => (this.busy = false));
    }, 500);
  }

  /** The highest lag sampled since the last call; starts the next window at the current lag. */
  takePeak(): number {
    const p = this.peak;
    this.peak = this.lastLag;
    return p;
  }

  current(): number {
    return this.lastLag;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.admin.disconnect().catch(() => undefined);
  }
}
