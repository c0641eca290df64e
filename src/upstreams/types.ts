import type { UpstreamGuard } from './guard.ts';
import type { UpstreamMeter } from './meter.ts';
import type { Lane } from './queue.ts';

export type UpstreamName = 'tmdb' | 'tvdb';

export const UPSTREAM_LABEL: Record<UpstreamName, string> = { tmdb: 'TMDB', tvdb: 'TVDB' };

/** An upstream answer, body already decoded from any content-encoding: exactly the bytes of the JSON. */
export interface UpstreamResponse {
  status: number;
  contentType: string;
  body: Uint8Array<ArrayBuffer>;
  /**
   * The body as the upstream sent it, when it came gzip-encoded (and decoded cleanly): the cache
   * keeps these bytes instead of compressing the body again.
   */
  gzipBody?: Uint8Array<ArrayBuffer>;
  /** Raw `Retry-After` header, when the upstream sent one. */
  retryAfter: string | null;
}

/** What every upstream client offers the cache: a GET of a path with an already canonical query. */
export interface UpstreamClient {
  readonly name: UpstreamName;
  readonly configured: boolean;
  readonly meter: UpstreamMeter;
  readonly guard: UpstreamGuard;
  /**
   * `path` starts with '/', `query` is encoded and has no leading '?' (may be ''). `lane`: whether a
   * client waits for this (foreground) or not (background: refreshes, feeds). `client`: who waits,
   * for the fair share of the upstream budget.
   */
  get(path: string, query: string, lane?: Lane, client?: string): Promise<UpstreamResponse>;
}
