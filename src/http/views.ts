import type { CacheEntry } from '../cache/entry.ts';
import type { RequestContext } from '../observability/request-context.ts';

/**
 * How a surface shows a cached entry. The cache holds the upstream's bytes; a view may derive another
 * representation for its clients (made once per entry and variant, then kept beside the entry for up
 * to MAX_VARIANTS variants, so a hit costs a lookup). Mydia's routes have no view: their bytes are the upstream's, exactly.
 */
export interface BodyView {
  readonly name: string;
  show(entry: CacheEntry, request: Request, context: RequestContext | undefined): CacheEntry;
}

/**
 * Variants kept per entry, one per public origin the relay is reached by. They sit outside
 * CACHE_MAX_BYTES, and without PUBLIC_URL the origin comes from the request's Host, which the client
 * chooses: two (an internal and a public name) is what a deployment needs, and all a Host spray can
 * make the relay keep. Past them a variant is made per request, not kept.
 */
const MAX_VARIANTS = 2;

export interface LinksViewOptions {
  /** Upstream base URLs that appear in TVDB's `links` (TVDB's public one, and the configured one). */
  upstreamBases: readonly string[];
  /** The relay's public origin for this request (`https://relay.example.com`). */
  publicOrigin: (request: Request, context: RequestContext | undefined) => string;
  /** Where the surface lives on the relay (`/v4`). */
  mountPath: string;
  gzipLevel: number;
}

/**
 * TVDB answers carry absolute paging links (`https://api4.thetvdb.com/v4/series?page=2`). On the `/v4`
 * surface they are rewritten to the relay's own origin so a client that follows `next` stays on the
 * relay. Only the `links` object is touched; every other byte of the body stays as TVDB sent it.
 */
export class TvdbLinksView implements BodyView {
  readonly name = 'tvdb-links';
  private readonly variants = new WeakMap<CacheEntry, Map<string, CacheEntry> | 'unchanged'>();

  constructor(private readonly options: LinksViewOptions) {}

  show(entry: CacheEntry, request: Request, context: RequestContext | undefined): CacheEntry {
    const known = this.variants.get(entry);
    if (known === 'unchanged') return entry;
    const origin = this.options.publicOrigin(request, context);
    const variant = known?.get(origin);
    if (variant !== undefined) return variant;
    const made = this.rewrite(entry, origin);
    if (made === entry) {
      this.variants.set(entry, 'unchanged');
      return entry;
    }
    const map = known ?? new Map<string, CacheEntry>();
    if (map.size < MAX_VARIANTS) map.set(origin, made);
    this.variants.set(entry, map);
    return made;
  }

  /** The entry with its links on `origin`, or the entry itself when its body has no upstream link. */
  private rewrite(entry: CacheEntry, origin: string): CacheEntry {
    const text = new TextDecoder().decode(Bun.gunzipSync(entry.gzipBody));
    const span = linksSpan(text);
    if (span === null) return entry;
    let links = text.slice(span.start, span.end);
    const target = `${origin}${this.options.mountPath}`;
    for (const base of this.options.upstreamBases) links = links.split(base).join(target);
    if (links === text.slice(span.start, span.end)) return entry;
    const body = new TextEncoder().encode(text.slice(0, span.start) + links + text.slice(span.end));
    const tag = `${Bun.hash(body).toString(36)}-${body.byteLength.toString(36)}`;
    return {
      ...entry,
      gzipBody: Bun.gzipSync(body, { level: this.options.gzipLevel as 1 }),
      identityLength: body.byteLength,
      etag: `"${tag}"`,
      etagGzip: `"${tag}-gz"`,
    };
  }
}

/** Where the top-level `"links":{...}` object of a TVDB envelope is (scanned, so a brace inside a string cannot cut it short). */
function linksSpan(text: string): { start: number; end: number } | null {
  const key = text.lastIndexOf('"links":');
  if (key === -1) return null;
  const open = text.indexOf('{', key);
  if (open === -1) return null;
  let inString = false;
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '}') return { start: open, end: i + 1 };
    else if (c === '{') return null; // links never nest: not the object we look for
  }
  return null;
}
