import { UpstreamFailure } from './errors.ts';
import type { UpstreamResponse } from './types.ts';

/** TVDB tokens last about a month; without a readable `exp` we assume the 28 days clients use. */
const FALLBACK_LIFETIME_MS = 28 * 24 * 3_600_000;
/** Log in again this long before `exp`, so no request ever travels with a token about to lapse. */
const RENEW_BEFORE_EXP_MS = 24 * 3_600_000;
/** After the key is rejected, wait this long before asking /login again: no login storm. */
const REJECTED_LOGIN_BACKOFF_MS = 30_000;

export type LoginCall = () => Promise<UpstreamResponse>;

interface Token {
  value: string;
  renewAt: number;
}

/**
 * Holds the TVDB JWT. One login at a time (single flight) however many requests wait; renews before
 * expiry; `invalidate(token)` drops a token only if it is still the current one, so a burst of 401s
 * for the same stale token causes exactly one new login.
 */
export class TvdbTokenManager {
  private current: Token | null = null;
  private pending: Promise<string> | null = null;
  private rejectedUntil = 0;
  logins = 0;

  constructor(
    private readonly login: LoginCall,
    private readonly now: () => number,
  ) {}

  token(): Promise<string> {
    const current = this.current;
    if (current && this.now() < current.renewAt) return Promise.resolve(current.value);
    if (this.pending) return this.pending;
    if (this.now() < this.rejectedUntil) {
      return Promise.reject(new UpstreamFailure('tvdb', 'auth_rejected', "Upstream rejected the relay's credentials"));
    }
    this.pending = this.loginOnce().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  /** Forget `token` after the upstream refused it (only if nobody has replaced it meanwhile). */
  invalidate(token: string): void {
    if (this.current?.value === token) this.current = null;
  }

  get hasToken(): boolean {
    return this.current !== null && this.now() < this.current.renewAt;
  }

  private async loginOnce(): Promise<string> {
    this.logins++;
    const response = await this.login();
    if (response.status === 401 || response.status === 403 || response.status === 400) {
      // 400 is "pin required": also a credential problem, and retrying will not fix it.
      this.rejectedUntil = this.now() + REJECTED_LOGIN_BACKOFF_MS;
      throw new UpstreamFailure('tvdb', 'auth_rejected', "Upstream rejected the relay's credentials");
    }
    const value = response.status === 200 ? readToken(response.body) : null;
    if (!value) throw new UpstreamFailure('tvdb', 'login_failed', 'TVDB login failed');
    this.current = { value, renewAt: renewTime(value, this.now()) };
    return value;
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
