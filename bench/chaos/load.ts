/**
 * Closed-loop load: `concurrency` workers, each sending the next request as soon as the last one is
 * answered, until stopped. Every answer is counted by kind (what the phase expects of it) and status;
 * a request with no HTTP answer at all (refused, reset, timed out) is "lost". Error bodies, and one
 * success body in 50, are scanned for the upstream secrets.
 */
export interface Planned {
  path: string;
  /** What the phase expects of it: 'hot' (cached before the phase), 'miss', 'tvdb', ... */
  kind: string;
  headers?: Record<string, string>;
}

export interface KindCounts {
  statuses: Record<string, number>;
  lost: number;
  maxMs: number;
}

const GZIP = { 'accept-encoding': 'gzip' };
const CLIENT_TIMEOUT_MS = 30_000;

export class Load {
  readonly kinds = new Map<string, KindCounts>();
  total = 0;
  leaks = 0;
  lostErrors: string[] = [];
  private stopped = false;
  private workers: Promise<void>[] = [];
  private sent = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly plan: (i: number) => Planned,
    private readonly secrets: readonly string[],
  ) {}

  start(concurrency: number): this {
    this.stopped = false;
    for (let w = 0; w < concurrency; w++) this.workers.push(this.work());
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.workers.splice(0));
  }

  /** Sends `count` planned requests at once and waits for all of them. */
  async burst(count: number): Promise<void> {
    await Promise.all(Array.from({ length: count }, () => this.one(this.plan(this.sent++))));
  }

  counts(kind: string): KindCounts {
    let counts = this.kinds.get(kind);
    if (counts === undefined) this.kinds.set(kind, (counts = { statuses: {}, lost: 0, maxMs: 0 }));
    return counts;
  }

  /** Answers by status over every kind, with "lost" for requests that got none. */
  answers(): Record<string, number> {
    const all: Record<string, number> = {};
    for (const counts of this.kinds.values()) {
      for (const [status, n] of Object.entries(counts.statuses)) all[status] = (all[status] ?? 0) + n;
      if (counts.lost > 0) all.lost = (all.lost ?? 0) + counts.lost;
    }
    return all;
  }

  get lost(): number {
    let lost = 0;
    for (const counts of this.kinds.values()) lost += counts.lost;
    return lost;
  }

  private async work(): Promise<void> {
    while (!this.stopped) await this.one(this.plan(this.sent++));
  }

  private async one(planned: Planned): Promise<void> {
    const counts = this.counts(planned.kind);
    const t0 = performance.now();
    try {
      const response = await fetch(this.baseUrl + planned.path, { headers: planned.headers ?? GZIP, signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS) });
      const body = await response.text();
      const status = String(response.status);
      counts.statuses[status] = (counts.statuses[status] ?? 0) + 1;
      if ((response.status !== 200 || this.total % 50 === 0) && this.leaked(body, response.headers)) this.leaks++;
    } catch (error) {
      counts.lost++;
      if (this.lostErrors.length < 20) this.lostErrors.push(`${planned.path}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      counts.maxMs = Math.max(counts.maxMs, performance.now() - t0);
      this.total++;
    }
  }

  private leaked(body: string, headers: Headers): boolean {
    const text = body + JSON.stringify([...headers]);
    return this.secrets.some((secret) => text.includes(secret));
  }
}
