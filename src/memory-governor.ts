import { collectNow } from './collector.ts';

/**
 * Keeps the process near its memory target. JavaScriptCore collects when its own heuristics say so,
 * and under churn (every miss allocates an upstream body, a decoded copy, a parse and a gzip) it lets
 * garbage pile up to several times the live data before it does: a 32 MiB cache measured 300 MiB of
 * RSS. So the governor reads RSS twice a second and, when it is above the target, runs one full
 * collection, at most once per `minIntervalMs`. A relay under its target never pays for it; one above
 * it pays a collection (tens of milliseconds with a full cache) at most every two seconds, and less
 * often while collections free little (the interval doubles, up to 30 s: a target set below what the
 * live data needs must not turn into a pause every two seconds forever).
 */
export interface GovernorFigures {
  target_bytes: number;
  collections: number;
  collection_ms_total: number;
  collection_ms_max: number;
}

export interface MemoryGovernorOptions {
  targetBytes: number;
  minIntervalMs?: number;
  checkEveryMs?: number;
  rss?: () => number;
  collect?: () => void;
  /** Told when RSS is still above the target right after a collection, and when it is back under. */
  onPressure?: (state: 'above' | 'under', rssBytes: number) => void;
}

const MAX_INTERVAL_MS = 30_000;

export class MemoryGovernor {
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly rss: () => number;
  private readonly collect: () => void;
  private lastCollection = Number.NEGATIVE_INFINITY;
  private readonly minIntervalMs: number;
  private intervalMs: number;
  private above = false;
  readonly figures: GovernorFigures;

  constructor(private readonly options: MemoryGovernorOptions) {
    this.rss = options.rss ?? (() => process.memoryUsage.rss());
    this.collect = options.collect ?? collectNow;
    this.minIntervalMs = options.minIntervalMs ?? 2_000;
    this.intervalMs = this.minIntervalMs;
    this.figures = { target_bytes: options.targetBytes, collections: 0, collection_ms_total: 0, collection_ms_max: 0 };
    this.timer = setInterval(() => this.check(), options.checkEveryMs ?? 500);
    this.timer.unref();
  }

  /** One look at RSS; collects when above the target and the last collection is old enough. */
  check(now = Date.now()): void {
    const before = this.rss();
    if (before <= this.options.targetBytes) {
      if (this.above) {
        this.above = false;
        this.options.onPressure?.('under', before);
      }
      return;
    }
    if (now - this.lastCollection < this.intervalMs) return;
    this.lastCollection = now;
    const started = performance.now();
    this.collect();
    const ms = performance.now() - started;
    this.figures.collections++;
    this.figures.collection_ms_total = Math.round((this.figures.collection_ms_total + ms) * 10) / 10;
    this.figures.collection_ms_max = Math.max(this.figures.collection_ms_max, Math.round(ms * 10) / 10);
    const after = this.rss();
    this.intervalMs = after > before * 0.95 ? Math.min(MAX_INTERVAL_MS, this.intervalMs * 2) : this.minIntervalMs;
    if (after > this.options.targetBytes && !this.above) {
      this.above = true;
      this.options.onPressure?.('above', after);
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}
