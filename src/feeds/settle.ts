/**
 * Records to mark stale again later. TVDB lists an id in /updates minutes (sometimes an hour) before
 * its data endpoints serve the new body, and an editor often edits a title more than once in a
 * sitting: a record marked at once is marked again after each settle delay, so the relay does not keep
 * the body it refetched too early. Bounded: past `max` pending marks, the oldest are dropped.
 */
export class SettleQueue {
  private readonly due = new Map<string, number[]>();
  private pending = 0;
  dropped = 0;

  constructor(
    private readonly delaysMs: readonly number[],
    private readonly max = 100_000,
  ) {}

  schedule(record: string, markedAt: number): void {
    if (this.delaysMs.length === 0) return;
    const times = this.delaysMs.map((delay) => markedAt + delay);
    const existing = this.due.get(record);
    if (existing !== undefined) {
      this.pending -= existing.length;
      this.due.delete(record); // re-inserted last: Map order is oldest first
    }
    this.due.set(record, times);
    this.pending += times.length;
    while (this.pending > this.max) {
      const [oldest, dropped] = this.due.entries().next().value as [string, number[]];
      this.due.delete(oldest);
      this.pending -= dropped.length;
      this.dropped += dropped.length;
    }
  }

  /** Records with a mark due at `now` (each once per due time). */
  take(now: number): string[] {
    const ready: string[] = [];
    for (const [record, times] of this.due) {
      const left = times.filter((at) => at > now);
      if (left.length === times.length) continue;
      ready.push(record);
      this.pending -= times.length - left.length;
      if (left.length === 0) this.due.delete(record);
      else this.due.set(record, left);
    }
    return ready;
  }

  get size(): number {
    return this.pending;
  }
}
