/** Counts what one upstream was asked and how it went, for /stats and /metrics. */
export class UpstreamMeter {
  calls = 0;
  /** Answers by status class, plus transport failures. */
  readonly outcomes = { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, failed: 0 };
  totalMs = 0;
  /** Told of every call (the metrics histogram listens here). */
  listener: ((status: number | null, ms: number) => void) | null = null;

  record(status: number | null, ms: number): void {
    this.listener?.(status, ms);
    this.calls++;
    this.totalMs += ms;
    if (status === null) this.outcomes.failed++;
    else if (status >= 500) this.outcomes['5xx']++;
    else if (status >= 400) this.outcomes['4xx']++;
    else if (status >= 300) this.outcomes['3xx']++;
    else this.outcomes['2xx']++;
  }
}
