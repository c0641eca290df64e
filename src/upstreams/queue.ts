import type { UpstreamFailure } from './errors.ts';

/**
 * Who is waiting for an upstream slot. Client misses wait in the foreground lane; work nobody is
 * waiting on (stale-while-revalidate refreshes, change-feed polls) waits in the background lane,
 * which is only served when no foreground request waits, so background work never delays a client.
 */
export type Lane = 'foreground' | 'background';

export interface Waiter {
  readonly lane: Lane;
  resolve(): void;
  reject(error: UpstreamFailure): void;
  timer: ReturnType<typeof setTimeout> | null;
}

export class LaneQueue {
  private readonly lanes: Record<Lane, Waiter[]> = { foreground: [], background: [] };

  constructor(private readonly capacity: Readonly<Record<Lane, number>>) {}

  length(lane?: Lane): number {
    return lane === undefined ? this.lanes.foreground.length + this.lanes.background.length : this.lanes[lane].length;
  }

  isFull(lane: Lane): boolean {
    return this.lanes[lane].length >= this.capacity[lane];
  }

  push(waiter: Waiter): void {
    this.lanes[waiter.lane].push(waiter);
  }

  remove(waiter: Waiter): boolean {
    const lane = this.lanes[waiter.lane];
    const at = lane.indexOf(waiter);
    if (at === -1) return false;
    lane.splice(at, 1);
    return true;
  }

  /** The next waiter to serve: the oldest foreground one, else the oldest background one if `background` allows. */
  shift(backgroundAllowed: boolean): Waiter | undefined {
    const foreground = this.lanes.foreground.shift();
    if (foreground !== undefined) return foreground;
    return backgroundAllowed ? this.lanes.background.shift() : undefined;
  }

  /** Removes and returns everyone (both lanes). */
  drain(): Waiter[] {
    return [...this.lanes.foreground.splice(0), ...this.lanes.background.splice(0)];
  }
}
