import type { InvalidationAction, InvalidationTarget } from '../cache/resolver.ts';
import type { UpstreamClient, UpstreamResponse } from '../upstreams/types.ts';
import type { FeedCoordination } from './coordination.ts';
import { SettleQueue } from './settle.ts';

/** What a feed does with what changed: the resolver's invalidate (memory, second tier, the fleet). */
export type Invalidate = (target: InvalidationTarget, action: InvalidationAction) => Promise<string[]>;

export interface FeedEvents {
  /** A poll found a gap longer than the upstream keeps changes for (the relay was down too long). */
  onGap?: (feed: string, gapMs: number, keptMs: number) => void;
  onPollError?: (feed: string, error: unknown) => void;
}

export interface FollowerOptions {
  client: UpstreamClient;
  coordination: FeedCoordination;
  invalidate: Invalidate;
  now: () => number;
  pollMs: number;
  settleDelaysMs: readonly number[];
  events?: FeedEvents;
}

export interface FeedStats {
  role: 'leader' | 'standby' | 'off';
  polls: number;
  last_poll_at: string | null;
  last_success_at: string | null;
  watermark: string | null;
  lag_seconds: number | null;
  ids_seen: number;
  entries_marked: number;
  entries_deleted: number;
  settle_marks: number;
  settle_pending: number;
  pages: number;
  errors: number;
  gaps: number;
  backoff_ms: number;
}

/** Polls after a failure wait longer each time (the budget may be spent on clients), up to this. */
const MAX_BACKOFF_MS = 30 * 60_000;

/**
 * The shared part of a change-feed follower: a timer at the poll interval (with back-off after a failed
 * poll), the fleet lease (only the leader polls), the watermark, the settle queue, and the counters.
 * A subclass reads its upstream's feed in `poll(from, now)` and returns where it got to.
 */
export abstract class FeedFollower {
  protected readonly client: UpstreamClient;
  protected readonly invalidate: Invalidate;
  protected readonly now: () => number;
  private readonly coordination: FeedCoordination;
  private readonly pollMs: number;
  private readonly events: FeedEvents;
  protected readonly settle: SettleQueue;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private settleTimer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private backoffMs = 0;
  private role: FeedStats['role'] = 'standby';
  private lastPollAt: number | null = null;
  private lastSuccessAt: number | null = null;
  private watermark: number | null = null;
  protected readonly counts = { polls: 0, idsSeen: 0, marked: 0, deleted: 0, settleMarks: 0, pages: 0, errors: 0, gaps: 0 };

  constructor(
    readonly name: string,
    options: FollowerOptions,
  ) {
    this.client = options.client;
    this.invalidate = options.invalidate;
    this.now = options.now;
    this.coordination = options.coordination;
    this.pollMs = options.pollMs;
    this.events = options.events ?? {};
    this.settle = new SettleQueue(options.settleDelaysMs);
  }

  /**
   * Reads the feed from `from` (the stored watermark; `now` when there is none: what changed before
   * the relay first followed the feed is left to the TTL) and returns the watermark reached.
   */
  protected abstract poll(from: number, now: number): Promise<number>;

  start(): void {
    this.schedule(Math.min(this.pollMs, 1_000));
    this.settleTimer = setInterval(() => void this.markSettled(), Math.min(this.pollMs, 30_000));
    this.settleTimer.unref();
  }

  /** Runs one poll now (leader only), and waits for it. */
  async pollNow(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.tick().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.settleTimer) clearInterval(this.settleTimer);
    await this.running?.catch(() => {});
    await this.coordination.resign(this.name);
  }

  stats(): FeedStats {
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      role: this.role,
      polls: this.counts.polls,
      last_poll_at: iso(this.lastPollAt),
      last_success_at: iso(this.lastSuccessAt),
      watermark: iso(this.watermark),
      lag_seconds: this.watermark === null ? null : Math.max(0, Math.round((this.now() - this.watermark) / 1000)),
      ids_seen: this.counts.idsSeen,
      entries_marked: this.counts.marked,
      entries_deleted: this.counts.deleted,
      settle_marks: this.counts.settleMarks,
      settle_pending: this.settle.size,
      pages: this.counts.pages,
      errors: this.counts.errors,
      gaps: this.counts.gaps,
      backoff_ms: this.backoffMs,
    };
  }

  /** Marks the records of a change: stale at once (refreshed on their next request), or gone. */
  protected async mark(records: readonly string[], action: 'expire' | 'delete', at: number): Promise<void> {
    for (const record of records) {
      const affected = await this.invalidate({ record }, action);
      if (action === 'delete') this.counts.deleted += affected.length;
      else {
        this.counts.marked += affected.length;
        this.settle.schedule(record, at);
      }
    }
  }

  /** An upstream call of the feed, in the background lane: a client miss always goes first. */
  protected async fetchJson(path: string, query: string): Promise<{ status: number; body: unknown; response: UpstreamResponse }> {
    const response = await this.client.get(path, query, 'background');
    let body: unknown = null;
    try {
      body = JSON.parse(new TextDecoder().decode(response.body));
    } catch {
      body = null;
    }
    this.counts.pages++;
    return { status: response.status, body, response };
  }

  protected gap(gapMs: number, keptMs: number): void {
    this.counts.gaps++;
    this.events.onGap?.(this.name, gapMs, keptMs);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.pollNow().finally(() => this.schedule(this.pollMs + this.backoffMs));
    }, delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    // The lease outlives a few polls, so one slow poll does not hand the feed to another relay.
    const leading = await this.coordination.lead(this.name, Math.max(3 * this.pollMs, 3_000));
    this.role = leading ? 'leader' : 'standby';
    if (!leading) return;
    const now = this.now();
    this.lastPollAt = now;
    this.counts.polls++;
    try {
      const stored = await this.coordination.getWatermark(this.name);
      const from = stored ?? now;
      const reached = await this.poll(from, now);
      this.watermark = reached;
      await this.coordination.setWatermark(this.name, reached);
      this.lastSuccessAt = now;
      this.backoffMs = 0;
    } catch (error) {
      this.counts.errors++;
      this.backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(this.pollMs, this.backoffMs * 2));
      this.events.onPollError?.(this.name, error);
    }
  }

  private async markSettled(): Promise<void> {
    for (const record of this.settle.take(this.now())) {
      const affected = await this.invalidate({ record }, 'expire');
      this.counts.settleMarks += affected.length;
    }
  }
}
