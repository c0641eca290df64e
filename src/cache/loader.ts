import type { Lane } from '../upstreams/queue.ts';
import type { UpstreamClient, UpstreamName } from '../upstreams/types.ts';
import { admit, type AdmissionRules } from './admission.ts';
import type { CacheEntry } from './entry.ts';
import type { Origin } from './key.ts';
import type { OriginLoader } from './resolver.ts';

/** Loads an origin from its upstream client and admits the answer: the loader is derived from the origin alone. */
export class UpstreamLoader implements OriginLoader {
  constructor(
    private readonly clients: Readonly<Record<UpstreamName, UpstreamClient>>,
    private readonly rules: AdmissionRules,
    private readonly now: () => number,
    /** Told of every failed load (the operator's log hears of rejected credentials from here). */
    private readonly onFailure: ((upstream: UpstreamName, error: unknown) => void) | null = null,
  ) {}

  async load(origin: Origin, lane: Lane, client = ''): Promise<CacheEntry> {
    try {
      const response = await this.clients[origin.upstream].get(origin.path, origin.query, lane, client);
      return admit(origin, response, this.rules, this.now());
    } catch (error) {
      this.onFailure?.(origin.upstream, error);
      throw error;
    }
  }

  ready(upstream: UpstreamName): boolean {
    const client = this.clients[upstream];
    return client.configured && !client.guard.holdingBack;
  }
}
