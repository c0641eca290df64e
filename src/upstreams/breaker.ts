/**
 * A circuit breaker: after `threshold` consecutive failures it opens for `cooldownMs`, refusing every
 * call; then one probe is let through (half-open), and the probe's outcome closes or re-opens it.
 *
 * Each admitted call holds a ticket. Outcomes of calls admitted before the breaker opened (stragglers)
 * are ignored once it is open: only the probe may close it, so a slow success that was already in
 * flight cannot skip the cool-down. Used for each upstream and, later, for a failing cache tier.
 */
export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerTicket {
  /** Openings seen when the call was admitted. */
  readonly generation: number;
  readonly probe: boolean;
}

export interface BreakerOptions {
  threshold: number;
  cooldownMs: number;
  now: () => number;
  /** Told of every state change (for logs and metrics). */
  onChange?: (state: BreakerState, previous: BreakerState) => void;
}

export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private consecutiveFailures = 0;
  private openUntil = 0;
  private probeInFlight = false;
  /** Tickets carry it: bumped by every opening and every reset, so older calls are stragglers. */
  private generation = 0;
  /** Times it opened (reported). */
  openings = 0;

  constructor(private readonly options: BreakerOptions) {}

  /** A ticket for a call that may go now, or the milliseconds to wait before asking again. */
  admit(): BreakerTicket | number {
    if (this.current === 'open') {
      const waitMs = this.openUntil - this.options.now();
      if (waitMs > 0) return waitMs;
      this.transition('half_open');
    }
    if (this.current === 'half_open') {
      if (this.probeInFlight) return 1_000;
      this.probeInFlight = true;
      return { generation: this.generation, probe: true };
    }
    return { generation: this.generation, probe: false };
  }

  /** Closes the breaker at once: something else (a health check) showed the target is back. */
  reset(): void {
    this.consecutiveFailures = 0;
    this.probeInFlight = false;
    if (this.current !== 'closed') {
      this.generation++; // outcomes of calls admitted before this are stragglers now
      this.transition('closed');
    }
  }

  /** The call never reached its target (e.g. refused by a queue): a probe slot is freed. */
  release(ticket: BreakerTicket): void {
    if (ticket.probe && ticket.generation === this.generation) this.probeInFlight = false;
  }

  success(ticket: BreakerTicket): void {
    if (this.isStraggler(ticket)) return;
    if (ticket.probe) this.probeInFlight = false;
    this.consecutiveFailures = 0;
    if (this.current !== 'closed') this.transition('closed');
  }

  failure(ticket: BreakerTicket): void {
    if (this.isStraggler(ticket)) return;
    if (ticket.probe) this.probeInFlight = false;
    this.consecutiveFailures++;
    if (ticket.probe || this.consecutiveFailures >= this.options.threshold) this.open();
  }

  /** True while calls are refused outright (open, cool-down not over). */
  get refusing(): boolean {
    return this.current === 'open' && this.options.now() < this.openUntil;
  }

  /** Milliseconds left in the cool-down (0 when not open). */
  get remainingMs(): number {
    return this.current === 'open' ? Math.max(0, this.openUntil - this.options.now()) : 0;
  }

  /** The state as a reader should see it: an open breaker past its cool-down is half-open. */
  get state(): BreakerState {
    return this.current === 'open' && !this.refusing ? 'half_open' : this.current;
  }

  get failures(): number {
    return this.consecutiveFailures;
  }

  /** An outcome from a call admitted before the current opening, or a non-probe while not closed. */
  private isStraggler(ticket: BreakerTicket): boolean {
    if (ticket.generation !== this.generation) return true;
    return this.current !== 'closed' && !ticket.probe;
  }

  private open(): void {
    this.openings++;
    this.generation++;
    this.probeInFlight = false;
    this.openUntil = this.options.now() + this.options.cooldownMs;
    this.transition('open');
  }

  private transition(next: BreakerState): void {
    const previous = this.current;
    this.current = next;
    if (previous !== next) this.options.onChange?.(next, previous);
  }
}
