import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Tokens the relay issues at `POST /v4/login` to TVDB clients: a JWT (HS256) with `iss`, `sub`, `iat`
 * and `exp`, so client libraries that read `exp` keep working. Nothing of the relay's own TVDB token
 * is in it. The signing key is derived from the relay's configured secrets, so every machine of a fleet
 * (and the relay after a restart) accepts the tokens the others issued; changing a key revokes them.
 */
export const RELAY_TOKEN_TTL_MS = 30 * 86_400_000;

export type TokenCheck = { ok: true; subject: string; expiresAt: number } | { ok: false; reason: 'malformed' | 'signature' | 'expired' };

export class RelayTokens {
  private readonly key: Buffer;

  constructor(
    secrets: readonly string[],
    private readonly now: () => number,
    private readonly ttlMs = RELAY_TOKEN_TTL_MS,
  ) {
    // No secret at all (an open relay with no keys): a key of this process only.
    const material = secrets.length > 0 ? secrets.join('\u0000') : randomBytes(32).toString('hex');
    this.key = createHash('sha256').update('metadata-relay relay-token v1\u0000').update(material).digest();
  }

  /** A token for `subject` (an access key's fingerprint, or "open"). */
  issue(subject: string): string {
    const iat = Math.floor(this.now() / 1000);
    const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const payload = base64url(JSON.stringify({ iss: 'metadata-relay', sub: subject, iat, exp: iat + Math.floor(this.ttlMs / 1000) }));
    return `${header}.${payload}.${this.sign(`${header}.${payload}`)}`;
  }

  verify(token: string): TokenCheck {
    const parts = token.split('.');
    if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]+$/.test(part))) return { ok: false, reason: 'malformed' };
    const [header, payload, signature] = parts as [string, string, string];
    const expected = Buffer.from(this.sign(`${header}.${payload}`));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature' };
    let claims: { sub?: unknown; exp?: unknown };
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= this.now()) return { ok: false, reason: 'expired' };
    return typeof claims.sub === 'string' ? { ok: true, subject: claims.sub, expiresAt: claims.exp * 1000 } : { ok: false, reason: 'malformed' };
  }

  private sign(input: string): string {
    return createHmac('sha256', this.key).update(input).digest('base64url');
  }
}

/** The subject a token carries for an access key: a fingerprint, never the key. */
export function keySubject(key: string): string {
  return `key:${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}
