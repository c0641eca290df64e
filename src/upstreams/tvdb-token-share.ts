import type { RedisConnection } from '../fleet/redis.ts';

/**
 * One TVDB login for the whole fleet: the token lives in Redis (with an expiry at its own `exp`), a
 * relay that needs one reads it there first, and only the relay holding the login lock calls /login.
 * Everything here fails soft: without Redis each relay logs in for itself, as it would alone.
 */
export interface TokenShare {
  /** The fleet's current token, or null (none, or Redis unreachable). */
  read(): Promise<string | null>;
  write(token: string, ttlMs: number): Promise<void>;
  /** Forgets `token` if it is still the fleet's (TVDB refused it). */
  drop(token: string): Promise<void>;
  /** A lock token when this relay may log in for the fleet; null when another relay is; 'unavailable' without Redis. */
  lock(): Promise<string | null | 'unavailable'>;
  unlock(lock: string): Promise<void>;
}

const DELETE_IF = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const LOGIN_LOCK_MS = 15_000;

export class RedisTokenShare implements TokenShare {
  private readonly tokenKey: string;
  private readonly lockKey: string;

  constructor(
    private readonly redis: RedisConnection,
    prefix: string,
  ) {
    this.tokenKey = `${prefix}tvdb:token`;
    this.lockKey = `${prefix}tvdb:login`;
  }

  async read(): Promise<string | null> {
    try {
      return await this.redis.call((c) => c.get(this.tokenKey));
    } catch {
      return null;
    }
  }

  async write(token: string, ttlMs: number): Promise<void> {
    if (ttlMs <= 0) return;
    await this.redis.call((c) => c.set(this.tokenKey, token, 'PX', String(Math.floor(ttlMs)))).catch(() => {});
  }

  async drop(token: string): Promise<void> {
    await this.redis.eval(DELETE_IF, [this.tokenKey], [token]).catch(() => {});
  }

  async lock(): Promise<string | null | 'unavailable'> {
    const token = crypto.randomUUID();
    try {
      return (await this.redis.call((c) => c.set(this.lockKey, token, 'NX', 'PX', String(LOGIN_LOCK_MS)))) === 'OK' ? token : null;
    } catch {
      return 'unavailable';
    }
  }

  async unlock(lock: string): Promise<void> {
    await this.redis.eval(DELETE_IF, [this.lockKey], [lock]).catch(() => {});
  }
}
