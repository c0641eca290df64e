import type { ResponseStore } from '../cache/response-cache.ts';
import type { RequestContext } from '../observability/request-context.ts';
import { entryResponse } from './respond.ts';

interface KnownUrl {
  routeId: string;
  key: string;
}

/**
 * The hit path without the router. The first time a URL is served, the full path (Elysia routing,
 * param validation, query canonicalisation) works out its cache key, and the proxy handler records
 * URL -> key here. Later requests for that exact URL with a fresh entry are answered straight from
 * the cache; anything else (unknown URL, stale or missing entry) takes the full path as before.
 * Measured in BENCHMARKS.md: this is most of the gap between the router and a bare Bun.serve.
 */
export class FastPath {
  private readonly known = new Map<string, KnownUrl>();

  constructor(
    private readonly cache: ResponseStore,
    private readonly now: () => number,
    private readonly maxUrls = 20_000,
  ) {}

  /** Called by the proxy handler once `url` has been routed and validated to `key`. */
  remember(url: string, routeId: string, key: string): void {
    if (this.known.has(url)) return;
    if (this.known.size >= this.maxUrls) this.known.clear(); // bounded; the hot set refills at once
    this.known.set(url, { routeId, key });
  }

  /** A fresh cached answer for a known URL, or undefined to take the full path. */
  serve(request: Request, context: RequestContext): Response | undefined {
    const known = this.known.get(request.url);
    if (known === undefined) return undefined;
    const method = request.method;
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    const entry = this.cache.fresh(known.key);
    if (entry === undefined) return undefined;
    context.route = known.routeId;
    return entryResponse(entry, 'HIT', request, this.now(), context);
  }
}
