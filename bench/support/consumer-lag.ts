/**
 * The lag of one consumer group on one topic (messages written but not committed by the group), sampled
 * every `everyMs` while a fault is on (chaos, cluster chaos): `start()`, then `stop()` returns the peak and
 * how many samples answered. A sample that fails (the broker is down) or is still running is skipped.
 */
import { createKafkaClient } from '@live/kafka';
import { Admin, logLevel } from 'kafkajs';

export interface LagSample {
  peak: number;
  samples: number;
  failed: number;
}

export class ConsumerLagSampler {
  private admin: Admin | null = null;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private current: LagSample = { peak: 0, samples: 0, failed: 0 };

  constructor(
    private readonly brokers: string[],
    private readonly groupId: string,
    private readonly topic: string,
    private readonly everyMs = 500,
  ) {}

  /** Messages of `topic` not yet committed by `groupId`, summed over the partitions. */
  async lag(): Promise<number> {
    if (!this.admin) {
      const kafka = createKafkaClient({
        clientId: 'chaos-lag',
        brokers: this.brokers,
        logLevel: logLevel.NOTHING,
        retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 400 },
        connectionTimeoutMs: 1_000,
        requestTimeoutMs: 2_000,
      });
      this.admin = kafka.admin();
      await this.admin.connect();
    }
    const ends = await this.admin.fetchTopicOffsets(this.topic);
    const [committed] = await this.admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] });
    const done = new Map(committed.partitions.map((p) => [p.partition, Number(p.offset)]));
    return ends.reduce((sum, p) => {
      const c = done.get(p.partition) ?? -1;
      return sum + Math.max(0, Number(p.high) - (c < 0 ? Number(p.low) : c));
    }, 0);
  }

  start(): void {
    this.current = { peak: 0, samples: 0, failed: 0 };
    this.timer = setInterval(() => void this.sample(), this.everyMs);
  }

  stop(): LagSample {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return { ...this.current };
  }

  async close(): Promise<void> {
    this.stop();
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = null;
  }

  private async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const lag = await this.lag();
      this.current.samples += 1;
      this.current.peak = Math.max(this.current.peak, lag);
    } catch {
      this.current.failed += 1;
      // A broken admin connection is rebuilt at the next sample.
      await this.admin?.disconnect().catch(() => undefined);
      this.admin = null;
    } finally {
      this.busy = false;
    }
  }
}
