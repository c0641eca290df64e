import type { RedisConnection } from '../../fleet/redis.ts';

export type WaitOutcome = 'filled' | 'failed' | 'released' | 'timeout';

/**
 * Fleet-wide single flight: of all the relays that miss a key at once, the one that wins
 * `SET <lock> <token> NX PX <ms>` fetches it, writes it to the shared tier, and announces the fill;
 * the others wait for the announcement (pub/sub) or, because pub/sub can go silent after a reconnect,
 * notice by polling that the lock is gone. A holder that dies only costs the lock's PX: then a waiter
 * takes over. Locks are released only by their owner (compare-and-delete).
 */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const POLL_MS = 40;

export class FillLocks {
  private readonly channel: string;
  private readonly waiting = new Map<string, Set<(outcome: WaitOutcome) => void>>();
  waits = 0;
  takeovers = 0;

  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
    /** How long a lock lives: longer than the holder's queue wait plus upstream timeout. */
    readonly lockMs: number,
  ) {
    this.channel = `${prefix}fill`;
    redis.subscribe(this.channel, (message) => this.announced(message));
  }

  private lockKey(key: string): string {
    return `${this.prefix}l:${key}`;
  }

  /** A token when this relay may fetch for the fleet; null when another relay holds the lock; 'unavailable' when Redis cannot say. */
  async acquire(key: string): Promise<string | null | 'unavailable'> {
    const token = crypto.randomUUID();
    try {
      const won = await this.redis.call((c) => c.set(this.lockKey(key), token, 'NX', 'PX', String(this.lockMs)));
      return won === 'OK' ? token : null;
    } catch {
      return 'unavailable';
    }
  }

  /** Releases a lock this relay holds (never another's) and tells the waiters how it went. */
  async release(key: string, token: string, outcome: 'filled' | 'failed'): Promise<void> {
    try {
      await this.redis.eval(RELEASE, [this.lockKey(key)], [token]);
      await this.redis.publish(this.channel, `${outcome === 'filled' ? 'f' : 'x'}\t${key}`);
    } catch {
      // The lock expires on its own; waiters poll.
    }
  }

  /** Waits until the holder announces, the lock is gone, or `timeoutMs` passes. */
  wait(key: string, timeoutMs: number): Promise<WaitOutcome> {
    this.waits++;
    return new Promise((resolve) => {
      let done = false;
      const finish = (outcome: WaitOutcome) => {
        if (done) return;
        done = true;
        clearTimeout(deadline);
        clearInterval(poll);
        const set = this.waiting.get(key);
        set?.delete(finish);
        if (set?.size === 0) this.waiting.delete(key);
        if (outcome === 'released' || outcome === 'timeout') this.takeovers++;
        resolve(outcome);
      };
      let set = this.waiting.get(key);
      if (set === undefined) this.waiting.set(key, (set = new Set()));
      set.add(finish);
      const deadline = setTimeout(() => finish('timeout'), timeoutMs);
      const poll = setInterval(() => {
        this.redis.call((c) => c.exists(this.lockKey(key))).then(
          (exists) => {
            if (!exists) finish('released');
          },
          () => {},
        );
      }, POLL_MS);
    });
  }

  private announced(message: string): void {
    const tab = message.indexOf('\t');
    const key = message.slice(tab + 1);
    const outcome: WaitOutcome = message.startsWith('f') ? 'filled' : 'failed';
    for (const finish of [...(this.waiting.get(key) ?? [])]) finish(outcome);
  }
}
