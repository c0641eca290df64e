import type { RedisConnection } from '../../fleet/redis.ts';

export type InvalidationTarget = { key: string } | { record: string };
export type InvalidationAction = 'expire' | 'delete';

export interface Invalidation {
  target: InvalidationTarget;
  action: InvalidationAction;
}

/**
 * Carries invalidations to every relay of the fleet, so an expire or delete on one machine holds in
 * every memory. The log is a Redis stream (bounded, with an expiry) that each relay reads from where it
 * left off, every second and at once when a pub/sub nudge arrives: pub/sub only makes it faster, a
 * relay that missed a nudge still reads the stream. A relay ignores what it wrote itself.
 */
const STREAM_MAX = 10_000;
const STREAM_TTL_MS = 7 * 86_400_000;
const POLL_MS = 1_000;

export class InvalidationBus {
  readonly relayId = crypto.randomUUID();
  private readonly stream: string;
  private readonly channel: string;
  private lastId: string | null = null;
  private reading: Promise<void> | null = null;
  private readonly timer: ReturnType<typeof setInterval>;
  published = 0;
  received = 0;

  constructor(
    private readonly redis: RedisConnection,
    prefix: string,
    private readonly apply: (invalidation: Invalidation) => void,
  ) {
    this.stream = `${prefix}invalidations`;
    this.channel = `${prefix}invalidate`;
    redis.subscribe(this.channel, () => void this.read());
    this.timer = setInterval(() => void this.read(), POLL_MS);
    this.timer.unref();
    void this.read();
  }

  async publish(invalidation: Invalidation): Promise<boolean> {
    const target = 'key' in invalidation.target ? `k:${invalidation.target.key}` : `r:${invalidation.target.record}`;
    try {
      await this.redis.command('XADD', [this.stream, 'MAXLEN', '~', STREAM_MAX, '*', 'from', this.relayId, 'target', target, 'action', invalidation.action]);
      await this.redis.command('PEXPIRE', [this.stream, STREAM_TTL_MS]);
      await this.redis.publish(this.channel, '1');
      this.published++;
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    clearInterval(this.timer);
  }

  private read(): Promise<void> {
    if (this.reading) return this.reading;
    this.reading = this.readOnce().finally(() => {
      this.reading = null;
    });
    return this.reading;
  }

  private async readOnce(): Promise<void> {
    try {
      if (this.lastId === null) {
        // Start from the end: what happened before this relay started is not in its memory anyway.
        const last = (await this.redis.command('XREVRANGE', [this.stream, '+', '-', 'COUNT', 1])) as [string, string[]][] | null;
        this.lastId = last?.[0]?.[0] ?? '0-0';
        return;
      }
      for (;;) {
        const answer = (await this.redis.command('XREAD', ['COUNT', 500, 'STREAMS', this.stream, this.lastId])) as Record<string, [string, string[]][]> | [string, [string, string[]][]][] | null;
        const entries = streamEntries(answer, this.stream);
        if (entries.length === 0) return;
        for (const [id, fields] of entries) {
          this.lastId = id;
          const invalidation = parse(fields, this.relayId);
          if (invalidation !== null) {
            this.received++;
            this.apply(invalidation);
          }
        }
        if (entries.length < 500) return;
      }
    } catch {
      // Redis unreachable: the next poll tries again.
    }
  }
}

/** XREAD answers as a map (RESP3) or as pairs (RESP2); both become [id, fields][]. */
function streamEntries(answer: unknown, stream: string): [string, string[]][] {
  if (answer === null || typeof answer !== 'object') return [];
  if (Array.isArray(answer)) {
    const found = answer.find((pair) => Array.isArray(pair) && pair[0] === stream) as [string, [string, string[]][]] | undefined;
    return found?.[1] ?? [];
  }
  return ((answer as Record<string, [string, string[]][]>)[stream]) ?? [];
}

function parse(fields: string[], self: string): Invalidation | null {
  const value = (name: string) => {
    const at = fields.indexOf(name);
    return at === -1 || at % 2 === 1 ? undefined : fields[at + 1];
  };
  if (value('from') === self) return null;
  const target = value('target');
  const action = value('action');
  if (target === undefined || (action !== 'expire' && action !== 'delete')) return null;
  if (target.startsWith('k:')) return { target: { key: target.slice(2) }, action };
  if (target.startsWith('r:')) return { target: { record: target.slice(2) }, action };
  return null;
}
