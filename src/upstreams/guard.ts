import { UpstreamFailure } from './errors.ts';
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
  /** Requests waiting for a slot at most. */
  maxQueue: number;
  /** Upper bound on a pause taken from an upstream Retry-After. */
  retryAfterCapMs: number;
  /** Consecutive failures (timeouts, connection errors, 5xx) that open the breaker. */
  breakerThreshold: number;
  /** How long an open breaker refuses calls before letting one probe through. */
  breakerCooldownMs: number;
  now?: () => number;
}

export type BreakerState = 'closed' | 'open' | 'half_open';
export type RejectionReason = 'paused' | 'breaker_open' | 'queue_full' | 'queue_timeout';

/** Pause when a 429 comes without a usable Retry-After. */
const DEFAULT_429_PAUSE_MS = 5_000;

interface Waiter {
  resolve: () => void;
  reject: (error: UpstreamFailure) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Shields one upstream: a token bucket (rate and burst), a cap on concurrent requests with a bounded
 * wait queue, a pause after 429 for the upstream's Retry-After, and a circuit breaker that fails fast
 * while the upstream is down. Everything it refuses becomes UpstreamFailure('unavailable') with a
 * Retry-After, which the cache answers with a stale copy when it has one.
 */
export class UpstreamGuard {
  private readonly now: () => number;
  private tokens: number;
  private refilledAt: number;
  private active = 0;
  private readonly queue: Waiter[] = [];
  private pumpTimer: ReturnType<typeof setTimeout> | null = null;
  private pausedUntil = 0;
  private breaker: BreakerState = 'closed';
  private consecutiveFailures = 0;
  private openUntil = 0;
  private probeInFlight = false;
  pauses = 0;
  breakerOpenings = 0;
  readonly rejections: Record<RejectionReason, number> = { paused: 0, breaker_open: 0, queue_full: 0, queue_timeout: 0 };

  constructor(private readonly options: GuardOptions) {
    this.now = options.now ?? Date.now;
    this.tokens = options.burst;
    this.refilledAt = this.now();
  }

  async run(task: () => Promise<UpstreamResponse>): Promise<UpstreamResponse> {
    const probe = this.admit();
    try {
      await this.acquire();
    } catch (error) {
      if (probe) this.probeInFlight = false;
      throw error;
    }
    try {
      const response = await task();
      this.observe(response);
      return response;
    } catch (error) {
      if (error instanceof UpstreamFailure && (error.kind === 'timeout' || error.kind === 'unreachable' || error.kind === 'reset')) {
        this.recordFailure();
      }
      throw error;
    } finally {
      if (probe) this.probeInFlight = false;
      this.active--;
      this.pump();
    }
  }

  /** Refuses at once while paused or while the breaker is open; returns true for a half-open probe. */
  private admit(): boolean {
    const now = this.now();
    if (now < this.pausedUntil) throw this.refuse('paused', this.pausedUntil - now, 'paused after a 429 from upstream');
    if (this.breaker === 'open') {
      if (now < this.openUntil) throw this.refuse('breaker_open', this.openUntil - now, 'upstream failing; circuit open');
      this.breaker = 'half_open';
    }
    if (this.breaker === 'half_open') {
      if (this.probeInFlight) throw this.refuse('breaker_open', 1_000, 'upstream failing; probing');
      this.probeInFlight = true;
      return true;
    }
    return false;
  }

  private acquire(): Promise<void> | void {
    this.refill();
    if (this.queue.length === 0 && this.active < this.options.maxConcurrent && this.tokens >= 1) {
      this.tokens -= 1;
      this.active++;
      return;
    }
    const predictedMs = (Math.max(0, this.queue.length + 1 - this.tokens) / this.options.ratePerSecond) * 1000;
    if (this.queue.length >= this.options.maxQueue || predictedMs > this.options.maxQueueWaitMs) {
      throw this.refuse('queue_full', Math.max(predictedMs, 1_000), 'request budget exhausted');
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const at = this.queue.indexOf(waiter);
          if (at !== -1) this.queue.splice(at, 1);
          reject(this.refuse('queue_timeout', 1_000, 'request budget exhausted'));
        }, this.options.maxQueueWaitMs),
      };
      this.queue.push(waiter);
      this.pump();
    });
  }

  /** Hands free slots and tokens to waiters in arrival order; wakes itself for the next token. */
  private pump(): void {
    if (this.queue.length > 0 && this.holdingBack()) {
      // Paused after a 429, or the breaker opened while they waited: nobody queued may go now.
      for (const waiter of this.queue.splice(0)) {
        clearTimeout(waiter.timer);
        waiter.reject(this.refuseHeldBack());
      }
      return;
    }
    this.refill();
    while (this.queue.length > 0 && this.active < this.options.maxConcurrent && this.tokens >= 1) {
      const waiter = this.queue.shift() as Waiter;
      clearTimeout(waiter.timer);
      this.tokens -= 1;
      this.active++;
      waiter.resolve();
    }
    if (this.queue.length > 0 && this.tokens < 1 && this.pumpTimer === null) {
      const waitMs = Math.ceil(((1 - this.tokens) / this.options.ratePerSecond) * 1000);
      this.pumpTimer = setTimeout(() => {
        this.pumpTimer = null;
        this.pump();
      }, waitMs);
    }
  }

  private holdingBack(): boolean {
    const now = this.now();
    return now < this.pausedUntil || (this.breaker === 'open' && now < this.openUntil);
  }

  private refuseHeldBack(): UpstreamFailure {
    const now = this.now();
    return now < this.pausedUntil
      ? this.refuse('paused', this.pausedUntil - now, 'paused after a 429 from upstream')
      : this.refuse('breaker_open', this.openUntil - now, 'upstream failing; circuit open');
  }

  private refill(): void {
    const now = this.now();
    const elapsed = now - this.refilledAt;
    if (elapsed <= 0) return;
    this.tokens = Math.min(this.options.burst, this.tokens + (elapsed * this.options.ratePerSecond) / 1000);
    this.refilledAt = now;
  }

  private observe(response: UpstreamResponse): void {
    if (response.status === 429) {
      const pauseMs = Math.min(this.options.retryAfterCapMs, parseRetryAfter(response.retryAfter, this.now()) ?? DEFAULT_429_PAUSE_MS);
      this.pausedUntil = Math.max(this.pausedUntil, this.now() + pauseMs);
      this.pauses++;
      this.recordSuccess(); // the upstream is alive, only busy
      throw new UpstreamFailure(this.options.upstream, 'unavailable', `${UPSTREAM_LABEL[this.options.upstream]} rate limit reached; retry later`, Math.ceil(pauseMs / 1000));
    }
    if (response.status >= 500) this.recordFailure();
    else this.recordSuccess();
  }

  private recordSuccess(): void {
    this.consecutiveFailures = 0;
    this.breaker = 'closed';
  }

  private recordFailure(): void {
    this.consecutiveFailures++;
    if (this.breaker === 'half_open' || this.consecutiveFailures >= this.options.breakerThreshold) {
      if (this.breaker !== 'open') this.breakerOpenings++;
      this.breaker = 'open';
      this.openUntil = this.now() + this.options.breakerCooldownMs;
    }
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

  snapshot() {
    this.refill();
    const now = this.now();
    return {
      tokens: Math.floor(this.tokens * 100) / 100,
      in_flight: this.active,
      queue_depth: this.queue.length,
      breaker: this.breaker === 'open' && now >= this.openUntil ? ('half_open' as const) : this.breaker,
      consecutive_failures: this.consecutiveFailures,
      breaker_openings: this.breakerOpenings,
      paused_for_ms: Math.max(0, this.pausedUntil - now),
      pauses: this.pauses,
      rejections: { ...this.rejections },
    };
  }
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
