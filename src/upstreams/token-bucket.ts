/**
 * A token bucket: `burst` tokens at most, refilled at `ratePerSecond`. Refilled lazily on every read,
 * so it needs no timer of its own.
 */
export class TokenBucket {
  private level: number;
  private refilledAt: number;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly now: () => number,
  ) {
    this.level = burst;
    this.refilledAt = now();
  }

  /** Tokens available now (fractional). */
  get tokens(): number {
    this.refill();
    return this.level;
  }

  /** Takes one token when at least `1 + reserve` are available; `reserve` keeps some for others. */
  tryTake(reserve = 0): boolean {
    this.refill();
    if (this.level < 1 + reserve) return false;
    this.level -= 1;
    return true;
  }

  /** Milliseconds until `count` tokens (beyond what is there now) will have been refilled. */
  msUntil(count: number): number {
    this.refill();
    return (Math.max(0, count - this.level) / this.ratePerSecond) * 1000;
  }

  private refill(): void {
    const now = this.now();
    const elapsed = now - this.refilledAt;
    if (elapsed <= 0) return;
    this.level = Math.min(this.burst, this.level + (elapsed * this.ratePerSecond) / 1000);
    this.refilledAt = now;
  }
}
