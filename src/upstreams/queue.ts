import type { UpstreamFailure } from './errors.ts';

/**
 * Who is waiting for an upstream slot. Client misses wait in the foreground lane; work nobody is
 * waiting on (stale-while-revalidate refreshes, change-feed polls) waits in the background lane,
 * which is only served when no foreground request waits, so background work never delays a client.
 */
export type Lane = 'foreground' | 'background';

export interface Waiter {
  readonly lane: Lane;
  /** The client a foreground waiter is for (its identity, as for client limits); '' when unknown. */
  readonly client: string;
  resolve(): void;
  reject(error: UpstreamFailure): void;
  timer: ReturnType<typeof setTimeout> | null;
}

/**
 * The two lanes. The foreground lane is a fair queue: one FIFO per client, served round-robin, so a
 * client flooding misses waits behind its own requests, not in front of everyone else's. When the
 * lane is full, a newcomer from a client with fewer waiters than the busiest one takes the busiest
 * client's newest place (that waiter is refused), so a flood cannot lock the others out either.
 * The background lane is a plain FIFO.
 *
 * A waiter stands for one upstream fetch, named after the client that started it; clients that join
 * that fetch (coalescing) share its place, and its refusal. Rare enough not to track every joiner.
 */
export class LaneQueue {
  private readonly perClient = new Map<string, Waiter[]>();
  /** Clients with waiters, in the order they are served next. */
  private readonly turns: string[] = [];
  private foregroundLength = 0;
  private readonly background: Waiter[] = [];

  constructor(private readonly capacity: Readonly<Record<Lane, number>>) {}

  length(lane?: Lane): number {
    if (lane === 'foreground') return this.foregroundLength;
    if (lane === 'background') return this.background.length;
    return this.foregroundLength + this.background.length;
  }

  isFull(lane: Lane): boolean {
    return this.length(lane) >= this.capacity[lane];
  }

  /**
   * Waiters served before a new foreground waiter of `client`: in round-robin, one per client and
   * round until its turn, so a light client is near the front however long the flood's queue is.
   */
  aheadOf(client: string): number {
    const own = this.perClient.get(client)?.length ?? 0;
    let ahead = own;
    for (const [other, waiters] of this.perClient) if (other !== client) ahead += Math.min(waiters.length, own + 1);
    return ahead;
  }

  /**
   * Whether a foreground waiter of `client` can get a place: there is room, or a busier client gives
   * up its newest place (returned, to be refused by the caller).
   */
  makeRoom(client: string): { room: boolean; displaced: Waiter | null } {
    if (!this.isFull('foreground')) return { room: true, displaced: null };
    const own = this.perClient.get(client)?.length ?? 0;
    let busiest: string | null = null;
    let most = own + 1;
    for (const [other, waiters] of this.perClient) {
      if (waiters.length > most) {
        busiest = other;
        most = waiters.length;
      }
    }
    if (busiest === null) return { room: false, displaced: null };
    const displaced = this.perClient.get(busiest)?.at(-1) ?? null;
    if (displaced !== null) this.remove(displaced);
    return { room: displaced !== null, displaced };
  }

  push(waiter: Waiter): void {
    if (waiter.lane === 'background') {
      this.background.push(waiter);
      return;
    }
    let waiters = this.perClient.get(waiter.client);
    if (waiters === undefined) {
      this.perClient.set(waiter.client, (waiters = []));
      this.turns.push(waiter.client);
    }
    waiters.push(waiter);
    this.foregroundLength++;
  }

  remove(waiter: Waiter): boolean {
    if (waiter.lane === 'background') return removeFrom(this.background, waiter);
    const waiters = this.perClient.get(waiter.client);
    if (waiters === undefined || !removeFrom(waiters, waiter)) return false;
    this.foregroundLength--;
    if (waiters.length === 0) this.forget(waiter.client);
    return true;
  }

  /** The next waiter to serve: the next client's oldest foreground one, else the oldest background one if allowed. */
  shift(backgroundAllowed: boolean): Waiter | undefined {
    const client = this.turns.shift();
    if (client !== undefined) {
      const waiters = this.perClient.get(client) as Waiter[];
      const waiter = waiters.shift() as Waiter;
      this.foregroundLength--;
      if (waiters.length === 0) this.perClient.delete(client);
      else this.turns.push(client); // its next waiter goes after everyone else's turn
      return waiter;
    }
    return backgroundAllowed ? this.background.shift() : undefined;
  }

  /** Removes and returns everyone (both lanes). */
  drain(): Waiter[] {
    const everyone = [...[...this.perClient.values()].flat(), ...this.background.splice(0)];
    this.perClient.clear();
    this.turns.length = 0;
    this.foregroundLength = 0;
    return everyone;
  }

  private forget(client: string): void {
    this.perClient.delete(client);
    const at = this.turns.indexOf(client);
    if (at !== -1) this.turns.splice(at, 1);
  }
}

function removeFrom(waiters: Waiter[], waiter: Waiter): boolean {
  const at = waiters.indexOf(waiter);
  if (at === -1) return false;
  waiters.splice(at, 1);
  return true;
}
