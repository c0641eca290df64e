import { UpstreamFailure } from './errors.ts';
import type { TokenShare } from './tvdb-token-share.ts';
import type { UpstreamResponse } from './types.ts';

/** TVDB tokens last about a month; without a readable `exp` we assume the 28 days clients use. */
const FALLBACK_LIFETIME_MS = 28 * 24 * 3_600_000;
/** Log in again this long before `exp`, so no request ever travels with a token about to lapse. */
const RENEW_BEFORE_EXP_MS = 24 * 3_600_000;
/** After the key is rejected, wait this long before asking /login again: no login storm. */
const REJECTED_LOGIN_BACKOFF_MS = 30_000;
/** After any other failed login (5xx, timeout, a body without a token), wait this long. */
const FAILED_LOGIN_BACKOFF_MS = 5_000;
/** While another relay of the fleet logs in, wait this long at most for its token. */
const FLEET_LOGIN_WAIT_MS = 5_000;

export type LoginCall = () => Promise<UpstreamResponse>;

interface Token {
  value: string;
  renewAt: number;
  expiresAt: number;
}

/**
 * Holds the TVDB JWT. One login at a time (single flight) however many requests wait. Inside the
 * renewal window (the last day before `exp`) the current token keeps serving while one background
 * login replaces it, so a failing /login never fails a request that still has a valid token.
 * `invalidate(token)` drops a token only if it is still the current one, so a burst of 401s for the
 * same stale token causes exactly one new login. Failed logins back off (30 s for a rejected key,
 * 5 s otherwise) instead of being retried by every request.
 */
export class TvdbTokenManager {
  private current: Token | null = null;
  private pending: Promise<string> | null = null;
  private retryAt = 0;
  private lastFailure: UpstreamFailure | null = null;
  /** The last token TVDB refused: never taken from the fleet again. */
  private refused: string | null = null;
  logins = 0;
  /** Tokens taken from the fleet instead of logging in. */
  adopted = 0;

  constructor(
    private readonly login: LoginCall,
    private readonly now: () => number,
    /** With a fleet: one login for every relay (see tvdb-token-share.ts). */
    private readonly share: TokenShare | null = null,
    /** Told of every failed login, with how long the next one waits. */
    private readonly onFailure: ((failure: UpstreamFailure, backoffMs: number) => void) | null = null,
  ) {}

  token(): Promise<string> {
    const now = this.now();
    const current = this.current;
    if (current && now < current.renewAt) return Promise.resolve(current.value);
    if (current && now < current.expiresAt) {
      this.renewInBackground();
      return Promise.resolve(current.value);
    }
    if (this.pending) return this.pending;
    if (this.lastFailure && now < this.retryAt) return Promise.reject(this.lastFailure);
    return this.startLogin();
  }

  /** Forget `token` after the upstream refused it (only if nobody has replaced it meanwhile). */
  invalidate(token: string): void {
    if (this.current?.value === token) this.current = null;
    this.refused = token;
    void this.share?.drop(token);
  }

  get hasToken(): boolean {
    return this.current !== null && this.now() < this.current.expiresAt;
  }

  private startLogin(): Promise<string> {
    this.pending = this.loginOnce().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  private renewInBackground(): void {
    if (this.pending || this.now() < this.retryAt) return;
    // A failure is recorded by loginOnce; the current token keeps serving until its exp.
    this.startLogin().catch(() => {});
  }

  private async loginOnce(): Promise<string> {
    const fromFleet = await this.fleetToken();
    if (fromFleet !== null) return fromFleet;
    const lock = this.share ? await this.share.lock() : 'unavailable';
    try {
      if (lock === null) {
        // Another relay is logging in for the fleet: take its token when it lands.
        // Real time, not the injected clock: this is a wait, not a freshness decision.
        const deadline = performance.now() + FLEET_LOGIN_WAIT_MS;
        while (performance.now() < deadline) {
          await Bun.sleep(100);
          const landed = await this.fleetToken();
          if (landed !== null) return landed;
        }
      }
      return await this.loginHere();
    } finally {
      if (lock !== null && lock !== 'unavailable') await this.share?.unlock(lock);
    }
  }

  /** A usable token from the fleet (not refused, not due for renewal), adopted as ours; else null. */
  private async fleetToken(): Promise<string | null> {
    if (!this.share) return null;
    const token = await this.share.read();
    const now = this.now();
    if (token === null || token === this.refused || token === this.current?.value || renewTime(token, now) <= now) return null;
    this.current = { value: token, renewAt: renewTime(token, now), expiresAt: jwtExpiry(token) ?? now + FALLBACK_LIFETIME_MS };
    this.lastFailure = null;
    this.adopted++;
    return token;
  }

  private async loginHere(): Promise<string> {
    this.logins++;
    try {
      const response = await this.login();
      if (response.status === 401 || response.status === 403 || response.status === 400) {
        // 400 is "pin required": also a credential problem, and retrying will not fix it.
        throw this.failed(new UpstreamFailure('tvdb', 'auth_rejected', "Upstream rejected the relay's credentials"), REJECTED_LOGIN_BACKOFF_MS);
      }
      const value = response.status === 200 ? readToken(response.body) : null;
      if (!value) throw this.failed(new UpstreamFailure('tvdb', 'login_failed', 'TVDB login failed'), FAILED_LOGIN_BACKOFF_MS);
      const now = this.now();
      this.current = { value, renewAt: renewTime(value, now), expiresAt: jwtExpiry(value) ?? now + FALLBACK_LIFETIME_MS };
      this.lastFailure = null;
      await this.share?.write(value, this.current.expiresAt - now);
      return value;
    } catch (error) {
      if (error === this.lastFailure) throw error;
      // Timeouts, connection errors, a paused upstream: back off the same way.
      const failure = error instanceof UpstreamFailure ? error : new UpstreamFailure('tvdb', 'login_failed', 'TVDB login failed');
      throw this.failed(failure, FAILED_LOGIN_BACKOFF_MS);
    }
  }

  private failed(failure: UpstreamFailure, backoffMs: number): UpstreamFailure {
    this.lastFailure = failure;
    this.retryAt = this.now() + backoffMs;
    this.onFailure?.(failure, backoffMs);
    return failure;
  }
}

function readToken(body: Uint8Array): string | null {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(body)) as { data?: { token?: unknown } };
    const token = parsed.data?.token;
    return typeof token === 'string' && token.length > 0 ? token : null;
  } catch {
    return null;
  }
}

/** When to log in again: a day before the JWT's `exp` (or halfway, for short-lived tokens). */
export function renewTime(token: string, now: number): number {
  const exp = jwtExpiry(token);
  if (exp === null || exp <= now) return now + FALLBACK_LIFETIME_MS - RENEW_BEFORE_EXP_MS;
  const lifetime = exp - now;
  return now + Math.max(0, lifetime - Math.min(RENEW_BEFORE_EXP_MS, lifetime / 2));
}

/** The `exp` claim in ms, or null when the token is not a readable JWT. */
export function jwtExpiry(token: string): number | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' && Number.isFinite(claims.exp) ? claims.exp * 1000 : null;
  } catch {
    return null;
  }
}
