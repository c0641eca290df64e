import type { TmdbCredential } from '../config.ts';
import { UpstreamFailure } from './errors.ts';
import type { Lane } from './queue.ts';
import type { GuardedTransport } from './transport.ts';
import type { UpstreamClient, UpstreamResponse } from './types.ts';

export interface TmdbClientOptions {
  credential: TmdbCredential | null;
  baseUrl: string;
  transport: GuardedTransport;
}

/** TMDB v3: a v3 key travels as `api_key`, a read access token as a Bearer header. */
export class TmdbClient implements UpstreamClient {
  readonly name = 'tmdb' as const;
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

  get meter() {
    return this.options.transport.meter;
  }

  get guard() {
    return this.options.transport.guard;
  }

  get(path: string, query: string, lane: Lane = 'foreground', client = ''): Promise<UpstreamResponse> {
    if (!this.configured) return Promise.reject(UpstreamFailure.notConfigured('tmdb'));
    const search = [query, this.keySuffix].filter(Boolean).join('&');
    return this.options.transport.send({
      method: 'GET',
      url: `${this.options.baseUrl}${path}${search ? `?${search}` : ''}`,
      headers: this.headers,
    }, lane, client);
  }
}
