/**
 * Merges work items that arrive close together into one run: kafkajs hands each partition's batch to
 * its own handler call, so with 12 partitions a fetch yields 12 small batches at once; settled one by
 * one they would cost 12 bank transactions. Items submitted while fewer than `maxConcurrent` runs are
 * going, or within `windowMs` of the first waiting one, share a run (up to `maxItems` messages); each
 * submitter's promise settles with its run. A partition submits its next batch only after the previous
 * one settled, so per-partition order holds across runs.
 */
export class BatchCoalescer<T> {
  private waiting: { item: T; size: number; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private waitingSize = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = 0;

  constructor(
    private readonly run: (items: T[]) => Promise<void>,
    private readonly options: { windowMs: number; maxItems: number; maxConcurrent: number },
  ) {}

  submit(item: T, size: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, size, resolve, reject });
      this.waitingSize += size;
      if (this.waitingSize >= this.options.maxItems) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.windowMs);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.waiting.length === 0) return;
    if (this.running >= this.options.maxConcurrent) {
      // Busy: the waiting items go with the next run that finishes (they keep accumulating meanwhile).
      return;
    }
    const taken: typeof this.waiting = [];
    let size = 0;
    while (this.waiting.length > 0 && (taken.length === 0 || size + this.waiting[0].size <= this.options.maxItems)) {
      const next = this.waiting.shift()!;
      size += next.size;
      taken.push(next);
    }
    this.waitingSize -= size;
    this.running += 1;
    this.run(taken.map((t) => t.item))
      .then(
        () => taken.forEach((t) => t.resolve()),
        (err: unknown) => taken.forEach((t) => t.reject(err)),
      )
      .finally(() => {
        this.running -= 1;
        if (this.waiting.length > 0) this.flush();
      });
    if (this.waiting.length > 0 && this.waitingSize >= this.options.maxItems) this.flush();
  }
}
