import { describeError } from '@live/common';
import { Logger } from '@nestjs/common';
import { Consumer, EachBatchPayload } from 'kafkajs';

interface QueuedOffset {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * A BatchConsumer's offset commits: a finished batch's next offset is queued, and one request carries every
 * partition queued together.
 *
 *  - interval 0: the partitions that finished in the same tick (the batches of one coalesced run: 12
 *    partitions, say) are committed at once, in one OffsetCommit request, and each batch waits for it;
 *  - interval above 0: a batch does not wait; one request every intervalMs commits what finished meanwhile,
 *    and the queue is also sent at stop (while the member still holds its partitions) and when the group
 *    starts to rebalance. A failed request keeps its offsets for the next one. A crash redelivers at most
 *    an interval's batches, which the handlers (idempotent) take as they take a crash mid-batch; an offset
 *    is queued only after its handler resolved, so nothing is skipped.
 */
export class OffsetCommits {
  /** Offsets waiting for the next request, by `topic|partition`. */
  private readonly queue = new Map<string, QueuedOffset>();
  private nextTick: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Timed requests, one after the other (never rejects). */
  private sending: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(
    private readonly consumer: Consumer,
    private readonly intervalMs: number,
    private readonly logger: Logger,
    private readonly groupId: string,
  ) {}

  /** Whether kafkajs' own auto-commit stays on: it would send a request after every batch. */
  get kafkajsAutoCommit(): boolean {
    return this.intervalMs === 0;
  }

  /**
   * A batch finished: its partition's next offset. Interval 0: resolves once the request carrying it
   * succeeded (a failure rejects every partition in it: their batches are redelivered, which the handlers
   * tolerate). Above 0: at once, or, while stopping, once committed through this batch's payload (kafkajs
   * no longer takes the consumer's commits then, but the payload still reaches the group).
   */
  finished(payload: EachBatchPayload, topic: string, partition: number, offset: string): Promise<void> {
    this.queue.set(`${topic}|${partition}`, { topic, partition, offset });
    if (this.intervalMs > 0) {
      if (this.stopping) return this.send('stop', (o) => payload.commitOffsetsIfNecessary({ topics: byTopic(o) }));
      this.schedule();
      return Promise.resolve();
    }
    this.nextTick ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      const topics = byTopic([...this.queue.values()]);
      this.queue.clear();
      this.nextTick = null;
      return payload.commitOffsetsIfNecessary({ topics });
    });
    return this.nextTick;
  }

  /** The member is stopping (still in its group): what is queued is sent now; a batch finishing later commits at once. */
  stop(): Promise<void> {
    this.stopping = true;
    if (this.intervalMs === 0) return Promise.resolve(); // nothing waits: each batch committed as it finished
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    return this.send('stop', (o) => this.consumer.commitOffsets(o));
  }

  /** The group starts to rebalance: the queue is sent before the partitions move (best effort: kafkajs rejoins meanwhile). */
  rebalancing(): void {
    if (this.intervalMs > 0) void this.send('rebalance', (o) => this.consumer.commitOffsets(o));
  }

  /**
   * The member joined with this assignment: a queued offset of a partition now another member's is dropped
   * (committed late it could move that member's offset back: a redelivery, harmless but pointless).
   */
  joined(assignment: Record<string, number[]>): void {
    for (const [key, o] of this.queue) if (!(assignment[o.topic] ?? []).includes(o.partition)) this.queue.delete(key);
  }

  /**
   * Sends every queued offset in one request, after the one before it. A failure is logged and its offsets go
   * back to the queue (unless a later one of the same partition came meanwhile) for the next request: their
   * batches are redelivered only if this member loses the partitions (a restart, a rebalance) first.
   */
  private send(
    why: 'timer' | 'stop' | 'rebalance',
    request: (offsets: QueuedOffset[]) => Promise<unknown>,
  ): Promise<void> {
    this.sending = this.sending.then(async () => {
      if (this.queue.size === 0) return;
      const offsets = [...this.queue.values()];
      this.queue.clear();
      try {
        await request(offsets);
      } catch (err: unknown) {
        for (const o of offsets) {
          const key = `${o.topic}|${o.partition}`;
          if (!this.queue.has(key)) this.queue.set(key, o);
        }
        this.logger.warn(
          `${this.groupId}: commit (${why}) of ${offsets.length} partition(s) failed: ${describeError(err)}; kept for the next one (their batches come again if this member loses them first)`,
        );
        if (!this.stopping) this.schedule();
      }
    });
    return this.sending;
  }

  /** The queue is sent intervalMs from now, unless a request is already due. */
  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.send('timer', (o) => this.consumer.commitOffsets(o));
    }, this.intervalMs);
  }
}

/** Offsets as a commit request takes them: by topic. */
function byTopic(offsets: QueuedOffset[]): { topic: string; partitions: { partition: number; offset: string }[] }[] {
  const topics = new Map<string, { partition: number; offset: string }[]>();
  for (const o of offsets)
    topics.set(o.topic, [...(topics.get(o.topic) ?? []), { partition: o.partition, offset: o.offset }]);
  return [...topics].map(([topic, partitions]) => ({ topic, partitions }));
}
