import type { Resolver } from '../cache/resolver.ts';
import { SecondChanceMap, type BoundedTableFigures } from '../cache/second-chance-map.ts';
import type { EntryRenderer } from '../http/render.ts';
import type { BodyView } from '../http/views.ts';
import type { RequestContext } from '../observability/request-context.ts';

interface KnownUrl {
  route: string;
  key: string;
  view: BodyView | null;
}

/**
 * The hit path without the router. When the app answers a URL from a cache entry, the pipeline
 * records URL -> key here (from the request's context: the handler never calls us). Later requests
 * for that exact URL with a fresh entry are rendered straight from the cache; anything else (unknown
 * URL, stale or missing entry) goes to the app as before. Measured in BENCHMARKS.md: this is most of
 * the gap between the router and a bare Bun.serve.
 */
export class HitMemo {
  private readonly known: SecondChanceMap<KnownUrl>;

  /** Bounded in bytes (URL and key text), outside CACHE_MAX_BYTES (the relay gives it CACHE_MAX_BYTES/16, at most 8 MiB). */
  constructor(
    private readonly resolver: Resolver,
    private readonly renderer: EntryRenderer,
    private readonly now: () => number,
    maxBytes = 8 * 1024 * 1024,
  ) {
    this.known = new SecondChanceMap(maxBytes);
  }

  /**
   * Learns that `url` was answered from the entry at `key`: only URLs that filled the cache (a hit or
   * a fill that succeeded) get here, so a flood of unique URLs that never fill anything cannot crowd
   * the table. When full, the least recently used URLs make room (a flood of new URLs that do fill
   * the cache pushes out cold URLs, not the hot set).
   */
  learn(url: string, route: string, key: string, view: BodyView | null): void {
    if (this.known.has(url)) return;
    this.known.set(url, { route, key, view }, 2 * (url.length + key.length) + 64);
  }

  get figures(): BoundedTableFigures {
    return this.known.figures;
  }

  /** A fresh cached answer for a known URL, or undefined to take the app. */
  serve(request: Request, context: RequestContext): Response | undefined {
    const known = this.known.get(request.url);
    if (known === undefined) return undefined;
    const method = request.method;
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    const entry = this.resolver.fresh(known.key);
    if (entry === undefined) return undefined;
    context.route = known.route;
    context.answeredFrom = known.key;
    context.view = known.view;
    return this.renderer.render(entry, 'HIT', request, this.now(), context, known.view);
  }
}
