import { UpstreamFailure } from './errors.ts';
import type { Lane } from './queue.ts';
import type { GuardedTransport } from './transport.ts';
import { TvdbTokenManager } from './tvdb-token.ts';
import type { TokenShare } from './tvdb-token-share.ts';
import type { UpstreamClient, UpstreamResponse } from './types.ts';

export interface TvdbClientOptions {
  apiKey: string | null;
  pin: string | null;
  baseUrl: string;
  transport: GuardedTransport;
  now: () => number;
  /** With a fleet: the token is shared (one login for every relay). */
  tokenShare?: TokenShare | null;
  /** Told of every failed login (for the operator's log). */
  onLoginFailure?: (failure: UpstreamFailure, backoffMs: number) => void;
}

/**
 * TheTVDB v4: Bearer JWT from POST /login. A data request that meets 401 is retried exactly once
 * with a fresh token; a second 401 is returned as it is (and mapped to 502 by the caller).
 */
export class TvdbClient implements UpstreamClient {
  readonly name = 'tvdb' as const;
  readonly tokens: TvdbTokenManager;

  constructor(private readonly options: TvdbClientOptions) {
    this.tokens = new TvdbTokenManager(() => this.login(), options.now, options.tokenShare ?? null, options.onLoginFailure ?? null);
  }

  get configured(): boolean {
    return this.options.apiKey !== null;
  }

  get meter() {
    return this.options.transport.meter;
  }

  get guard() {
    return this.options.transport.guard;
  }

  async get(path: string, query: string, lane: Lane = 'foreground', client = ''): Promise<UpstreamResponse> {
    if (!this.configured) throw UpstreamFailure.notConfigured('tvdb');
    const url = `${this.options.baseUrl}${path}${query ? `?${query}` : ''}`;
    const first = await this.tokens.token();
    const response = await this.send(url, first, lane, client);
    if (response.status !== 401) return response;
    this.tokens.invalidate(first);
    return this.send(url, await this.tokens.token(), lane, client);
  }

  private send(url: string, token: string, lane: Lane, client: string): Promise<UpstreamResponse> {
    return this.options.transport.send({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } }, lane, client);
  }

  private login(): Promise<UpstreamResponse> {
    const body: { apikey: string; pin?: string } = { apikey: this.options.apiKey ?? '' };
    if (this.options.pin) body.pin = this.options.pin;
    return this.options.transport.send({
      method: 'POST',
      url: `${this.options.baseUrl}/login`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }
}
