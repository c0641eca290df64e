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
  private knownBytes = 0;

  /** Bounded in bytes (URL and key text), outside CACHE_MAX_BYTES: 8 MiB by default. */
  constructor(
    private readonly cache: ResponseStore,
    private readonly now: () => number,
    private readonly maxBytes = 8 * 1024 * 1024,
  ) {}

  /**
   * Called by the proxy handler when `url` was routed and validated to `key` and the cache holds an
   * entry for it (a hit, or a fill that just succeeded), so a flood of unique URLs that never fill
   * anything cannot crowd the table. When full, the table starts over: the hot set refills at once.
   */
  remember(url: string, routeId: string, key: string): void {
    if (this.known.has(url)) return;
    const bytes = 2 * (url.length + key.length) + 64;
    if (this.knownBytes + bytes > this.maxBytes) {
      this.known.clear();
      this.knownBytes = 0;
    }
    this.known.set(url, { routeId, key });
    this.knownBytes += bytes;
  }

  /** URLs known, for tests and /stats. */
  get size(): number {
    return this.known.size;
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
