import { CircuitBreaker, type BreakerState, type BreakerTicket } from './breaker.ts';
import { UpstreamFailure } from './errors.ts';
import { LaneQueue, type Lane, type Waiter } from './queue.ts';
import type { SharedBudget } from './shared-budget.ts';
import { TokenBucket } from './token-bucket.ts';
import { UPSTREAM_LABEL, type UpstreamName, type UpstreamResponse } from './types.ts';

export interface GuardOptions {
  upstream: UpstreamName;
  /** Sustained upstream requests per second (token bucket refill rate). */
  ratePerSecond: number;
  /** Requests that may go at once after a quiet spell (bucket size). */
  burst: number;
  /** Upstream requests in flight at most. */
  maxConcurrent: number;
  /** Longest a request may wait for a slot; a longer predicted wait is refused at once. */
  maxQueueWaitMs: number;
  /** Requests waiting for a slot at most (foreground lane). */
  maxQueue: number;
  /** Upper bound on a pause taken from an upstream Retry-After. */
  retryAfterCapMs: number;
  /** Consecutive failures (timeouts, connection errors, 5xx) that open the breaker. */
  breakerThreshold: number;
  /** How long an open breaker refuses calls before letting one probe through. */
  breakerCooldownMs: number;
  now?: () => number;
  /** Told when the breaker changes state. */
  onBreakerChange?: (state: BreakerState, previous: BreakerState) => void;
  /** A budget shared with the other relays of a fleet, on top of this machine's own. */
  shared?: SharedBudget | null;
  /** Told when a pause after a 429 starts (with its length) and when it is over. */
  onPause?: (event: 'started' | 'ended', ms: number) => void;
}

export type { BreakerState, Lane };
export type RejectionReason = 'paused' | 'breaker_open' | 'queue_full' | 'queue_timeout';

/** Pause when a 429 comes without a usable Retry-After. */
const DEFAULT_429_PAUSE_MS = 5_000;
/** Background work waits in a short queue of its own; past it the work is dropped, never a client. */
const BACKGROUND_QUEUE_MAX = 64;

/**
 * Shields one upstream. Composes a token bucket (rate and burst), a cap on concurrent requests with a
 * two-lane bounded wait queue, a pause after 429 for the upstream's Retry-After, and a circuit
 * breaker that fails fast while the upstream is down. Everything it refuses becomes
 * UpstreamFailure('unavailable') with a Retry-After, which the cache answers with a stale copy when
 * it has one.
 *
 * Background work (lane 'background') is served only when no client waits, may use at most half of
 * the concurrent slots, and leaves a quarter of the burst to clients.
 */
export class UpstreamGuard {
  private readonly now: () => number;
  private readonly bucket: TokenBucket;
  readonly breaker: CircuitBreaker;
  private readonly queue: LaneQueue;
  private readonly backgroundMaxConcurrent: number;
  private readonly backgroundReserve: number;
  private readonly active: Record<Lane, number> = { foreground: 0, background: 0 };
  private pumpTimer: ReturnType<typeof setTimeout> | null = null;
  private pauseTimer: ReturnType<typeof setTimeout> | null = null;
  private pausedUntil = 0;
  private pausedSince = 0;
  /**
   * After a pause, one call goes first and the rest wait for its answer: 'due' until that probe is
   * admitted, 'in_flight' while it runs. Without it, every client that waited out the pause would
   * hit the upstream in the same millisecond and earn the next 429.
   */
  private pauseProbe: 'none' | 'due' | 'in_flight' = 'none';
  /** Which call is the probe now: an older probe's late answer must not end a newer one's turn. */
  private pauseProbeId = 0;
  pauses = 0;
  /** Calls that waited for the fleet's shared budget. */
  sharedWaits = 0;
  readonly rejections: Record<RejectionReason, number> = { paused: 0, breaker_open: 0, queue_full: 0, queue_timeout: 0 };

  constructor(private readonly options: GuardOptions) {
    this.now = options.now ?? Date.now;
    this.bucket = new TokenBucket(options.ratePerSecond, options.burst, this.now);
    this.breaker = new CircuitBreaker({
      threshold: options.breakerThreshold,
      cooldownMs: options.breakerCooldownMs,
      now: this.now,
      onChange: options.onBreakerChange,
    });
    this.queue = new LaneQueue({ foreground: options.maxQueue, background: Math.min(BACKGROUND_QUEUE_MAX, Math.max(1, options.maxQueue)) });
    this.backgroundMaxConcurrent = Math.max(1, Math.floor(options.maxConcurrent / 2));
    this.backgroundReserve = Math.floor(options.burst / 4);
  }

  /** `client`: who a foreground call is for (see LaneQueue's fair share); '' when nobody in particular. */
  async run(task: () => Promise<UpstreamResponse>, lane: Lane = 'foreground', client = ''): Promise<UpstreamResponse> {
    const { ticket, pauseProbe: probeId } = this.admit();
    const pauseProbe = probeId !== 0;
    const queuedAt = this.now();
    try {
      await this.acquire(lane, client);
    } catch (error) {
      this.breaker.release(ticket);
      if (pauseProbe && this.isCurrentProbe(probeId)) this.pauseProbe = 'due'; // never sent: the next call probes instead
      throw error;
    }
    try {
      await this.reserveShared(queuedAt);
      const response = await task();
      this.observe(response, ticket, probeId);
      return response;
    } catch (error) {
      if (error instanceof UpstreamFailure && isOutage(error)) this.breaker.failure(ticket);
      else this.breaker.release(ticket);
      // A probe that failed otherwise than by 429 ends the pause: the breaker judges outages.
      if (pauseProbe && this.isCurrentProbe(probeId)) this.pauseProbe = 'none';
      throw error;
    } finally {
      this.active[lane]--;
      this.pump();
    }
  }

  /** With a fleet: waits for the shared budget, or refuses when that wait would pass the queue's. */
  private async reserveShared(queuedAt: number): Promise<void> {
    const shared = this.options.shared;
    if (!shared) return;
    const waitMs = await shared.reserve(Math.max(0, this.options.maxQueueWaitMs - (this.now() - queuedAt)));
    if (waitMs === null) throw this.refuse('queue_full', 1_000, 'fleet request budget exhausted');
    if (waitMs > 0) {
      this.sharedWaits++;
      await Bun.sleep(waitMs);
    }
  }

  /**
   * True while nothing may be sent: paused after a 429, or the breaker open. Callers with optional
   * work (a background refresh) check this first instead of queueing work that would be refused.
   */
  get holdingBack(): boolean {
    return this.now() < this.pausedUntil || this.pauseProbe === 'in_flight' || this.breaker.refusing;
  }

  /**
   * Refuses at once while paused, while the call after a pause is still out, or while the breaker is
   * open. The ticket marks a half-open probe; `pauseProbe` the first call after a pause.
   */
  private admit(): { ticket: BreakerTicket; pauseProbe: number } {
    const now = this.now();
    if (now < this.pausedUntil) throw this.refuse('paused', this.pausedUntil - now, 'paused after a 429 from upstream');
    if (this.pauseProbe === 'in_flight') throw this.refuse('paused', 1_000, 'probing after a 429 from upstream');
    const ticket = this.breaker.admit();
    if (typeof ticket === 'number') {
      throw this.refuse('breaker_open', ticket, this.breaker.refusing ? 'upstream failing; circuit open' : 'upstream failing; probing');
    }
    if (this.pauseProbe !== 'due') return { ticket, pauseProbe: 0 };
    this.pauseProbe = 'in_flight';
    return { ticket, pauseProbe: ++this.pauseProbeId };
  }

  private isCurrentProbe(id: number): boolean {
    return this.pauseProbe === 'in_flight' && id === this.pauseProbeId;
  }

  /** Nothing queued may go: paused, or the breaker open. (The probe after a pause may wait its turn.) */
  private get refusingQueued(): boolean {
    return this.now() < this.pausedUntil || this.breaker.refusing;
  }

  private mayStart(lane: Lane): boolean {
    const { maxConcurrent } = this.options;
    if (this.active.foreground + this.active.background >= maxConcurrent) return false;
    if (lane === 'foreground') return this.bucket.tokens >= 1;
    return this.active.background < this.backgroundMaxConcurrent && this.bucket.tokens >= 1 + this.backgroundReserve;
  }

  private start(lane: Lane): void {
    this.bucket.tryTake();
    this.active[lane]++;
  }

  private acquire(lane: Lane, client: string): Promise<void> | void {
    const nobodyAhead = this.queue.length('foreground') === 0 && (lane === 'foreground' || this.queue.length('background') === 0);
    if (nobodyAhead && this.mayStart(lane)) {
      this.start(lane);
      return;
    }
    // Round-robin between clients: a client's place depends on its own waiters, not on a flood's.
    const ahead = lane === 'foreground' ? this.queue.aheadOf(client) : this.queue.length();
    const predictedMs = this.bucket.msUntil(ahead + 1 + (lane === 'background' ? this.backgroundReserve : 0));
    if (predictedMs > this.options.maxQueueWaitMs) throw this.refuse('queue_full', Math.max(predictedMs, 1_000), 'request budget exhausted');
    if (lane === 'background' && this.queue.isFull('background')) throw this.refuse('queue_full', 1_000, 'request budget exhausted');
    if (lane === 'foreground') {
      const { room, displaced } = this.queue.makeRoom(client);
      if (!room) throw this.refuse('queue_full', Math.max(predictedMs, 1_000), 'request budget exhausted');
      if (displaced !== null) {
        if (displaced.timer) clearTimeout(displaced.timer);
        displaced.reject(this.refuse('queue_full', 1_000, 'request budget exhausted (fair share)'));
      }
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { lane, client, resolve, reject, timer: null };
      waiter.timer = setTimeout(() => {
        if (this.queue.remove(waiter)) reject(this.refuse('queue_timeout', 1_000, 'request budget exhausted'));
      }, this.options.maxQueueWaitMs);
      this.queue.push(waiter);
      this.pump();
    });
  }

  /** Hands free slots and tokens to waiters (foreground first); wakes itself for the next token. */
  private pump(): void {
    if (this.queue.length() > 0 && this.refusingQueued) {
      // Paused after a 429, or the breaker opened while they waited: nobody queued may go now.
      for (const waiter of this.queue.drain()) {
        if (waiter.timer) clearTimeout(waiter.timer);
        waiter.reject(this.refuseHeldBack());
      }
      return;
    }
    for (;;) {
      const lane: Lane | null = this.queue.length('foreground') > 0 ? 'foreground' : this.queue.length('background') > 0 ? 'background' : null;
      if (lane === null || !this.mayStart(lane)) break;
      const waiter = this.queue.shift(true) as Waiter;
      if (waiter.timer) clearTimeout(waiter.timer);
      this.start(waiter.lane);
      waiter.resolve();
    }
    const waiting = this.queue.length('foreground') > 0 ? 'foreground' : this.queue.length('background') > 0 ? 'background' : null;
    if (waiting !== null && this.pumpTimer === null) {
      const needed = waiting === 'background' ? 1 + this.backgroundReserve : 1;
      const waitMs = Math.ceil(this.bucket.msUntil(needed));
      // Waiting for a slot rather than a token: finishing requests pump again.
      if (waitMs <= 0) return;
      this.pumpTimer = setTimeout(() => {
        this.pumpTimer = null;
        this.pump();
      }, waitMs);
    }
  }

  private refuseHeldBack(): UpstreamFailure {
    const now = this.now();
    if (now < this.pausedUntil) return this.refuse('paused', this.pausedUntil - now, 'paused after a 429 from upstream');
    if (this.pauseProbe === 'in_flight') return this.refuse('paused', 1_000, 'probing after a 429 from upstream');
    return this.refuse('breaker_open', this.breaker.remainingMs, 'upstream failing; circuit open');
  }

  private observe(response: UpstreamResponse, ticket: BreakerTicket, probeId: number): void {
    // The probe after a pause answered without a 429: the budget resumes (pump wakes the queue).
    if (probeId !== 0 && response.status !== 429 && this.isCurrentProbe(probeId)) this.pauseProbe = 'none';
    if (response.status === 429) {
      const pauseMs = Math.min(this.options.retryAfterCapMs, parseRetryAfter(response.retryAfter, this.now()) ?? DEFAULT_429_PAUSE_MS);
      this.pause(pauseMs, probeId !== 0 && this.isCurrentProbe(probeId));
      this.breaker.success(ticket); // the upstream is alive, only busy
      throw new UpstreamFailure(this.options.upstream, 'unavailable', `${UPSTREAM_LABEL[this.options.upstream]} rate limit reached; retry later`, Math.ceil(pauseMs / 1000));
    }
    if (response.status >= 500) this.breaker.failure(ticket);
    else this.breaker.success(ticket);
  }

  /** `byProbe`: the 429 is the probe's own answer; a straggler's 429 leaves a probe in flight to decide. */
  private pause(pauseMs: number, byProbe: boolean): void {
    const now = this.now();
    const wasPaused = now < this.pausedUntil;
    this.pausedUntil = Math.max(this.pausedUntil, now + pauseMs);
    if (byProbe || this.pauseProbe !== 'in_flight') this.pauseProbe = 'due';
    this.pauses++;
    if (!wasPaused) {
      this.pausedSince = now;
      this.options.onPause?.('started', pauseMs);
    }
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = setTimeout(() => {
      this.pauseTimer = null;
      this.options.onPause?.('ended', this.now() - this.pausedSince);
    }, Math.max(0, this.pausedUntil - now));
    this.pauseTimer.unref();
  }

  private refuse(reason: RejectionReason, retryAfterMs: number, message: string): UpstreamFailure {
    this.rejections[reason]++;
    return new UpstreamFailure(
      this.options.upstream,
      'unavailable',
      `${UPSTREAM_LABEL[this.options.upstream]}: ${message}`,
      Math.max(1, Math.ceil(retryAfterMs / 1000)),
    );
  }

  /** Stops the pump timer and refuses everyone still waiting (the relay is closing). */
  close(): void {
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    this.pumpTimer = null;
    for (const waiter of this.queue.drain()) {
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.reject(this.refuse('queue_full', 1_000, 'relay shutting down'));
    }
  }

  snapshot() {
    const now = this.now();
    return {
      tokens: Math.floor(this.bucket.tokens * 100) / 100,
      in_flight: this.active.foreground + this.active.background,
      in_flight_background: this.active.background,
      queue_depth: this.queue.length('foreground'),
      queue_depth_background: this.queue.length('background'),
      breaker: this.breaker.state,
      consecutive_failures: this.breaker.failures,
      breaker_openings: this.breaker.openings,
      paused_for_ms: Math.max(0, this.pausedUntil - now),
      pause_probe: this.pauseProbe,
      pauses: this.pauses,
      shared_budget: this.options.shared ? { waits: this.sharedWaits } : null,
      rejections: { ...this.rejections },
    };
  }
}

/** Failures that say the upstream is down or unreachable (what the breaker counts). */
function isOutage(error: UpstreamFailure): boolean {
  return error.kind === 'timeout' || error.kind === 'unreachable' || error.kind === 'reset';
}

/** Retry-After as delay-seconds or an HTTP-date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}
