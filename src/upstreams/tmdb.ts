import type { TmdbCredential } from '../config.ts';
import { UpstreamFailure } from './errors.ts';
import type { UpstreamGuard } from './guard.ts';
import { requestUpstream, type UpstreamRequest } from './http.ts';
import { UpstreamMeter } from './meter.ts';
import type { UpstreamClient, UpstreamResponse } from './types.ts';

export interface TmdbClientOptions {
  credential: TmdbCredential | null;
  baseUrl: string;
  timeoutMs: number;
  /** Rate budget, concurrency cap, 429 pause and circuit breaker for this upstream. */
  guard: UpstreamGuard;
}

/** TMDB v3: a v3 key travels as `api_key`, a read access token as a Bearer header. */
export class TmdbClient implements UpstreamClient {
  readonly name = 'tmdb' as const;
  readonly meter = new UpstreamMeter();
  private readonly keySuffix: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: TmdbClientOptions) {
    const credential = options.credential;
    this.keySuffix = credential?.kind === 'api_key' ? `api_key=${encodeURIComponent(credential.value)}` : '';
    this.headers = credential?.kind === 'bearer' ? { authorization: `Bearer ${credential.value}` } : {};
  }

  get configured(): boolean {
    return this.options.credential !== null;
  }

  get(path: string, query: string): Promise<UpstreamResponse> {
    if (!this.configured) return Promise.reject(UpstreamFailure.notConfigured('tmdb'));
    const search = [query, this.keySuffix].filter(Boolean).join('&');
    return this.guarded({
      upstream: 'tmdb',
      method: 'GET',
      url: `${this.options.baseUrl}${path}${search ? `?${search}` : ''}`,
      headers: this.headers,
      timeoutMs: this.options.timeoutMs,
      meter: this.meter,
    });
  }

  private guarded(request: UpstreamRequest): Promise<UpstreamResponse> {
    return this.options.guard.run(() => requestUpstream(request));
  }

  get guard(): UpstreamGuard {
    return this.options.guard;
  }
}
