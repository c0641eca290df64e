import { createHash, timingSafeEqual } from 'node:crypto';

/** Paths anyone may call, key or not: liveness checks and the API docs. */
export function isPublicPath(pathname: string): boolean {
  return pathname === '/health' || pathname === '/swagger' || pathname.startsWith('/swagger/');
}

/**
 * Optional access keys (RELAY_ACCESS_KEYS). A key may come as `Authorization: Bearer <key>`, as
 * `x-relay-key`, or as the `api_key` query parameter (what TMDB clients already send). Compared on
 * SHA-256 digests with timingSafeEqual, so neither content nor length leaks through timing.
 */
export class AccessKeys {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.map(digest);
  }

  allows(request: Request, url: URL): boolean {
    const presented = presentedKey(request, url);
    if (presented === null) return false;
    const candidate = digest(presented);
    let match = false;
    for (const known of this.digests) match = timingSafeEqual(candidate, known) || match;
    return match;
  }
}

function presentedKey(request: Request, url: URL): string | null {
  const authorization = request.headers.get('authorization');
  if (authorization?.startsWith('Bearer ')) return authorization.slice(7).trim();
  const header = request.headers.get('x-relay-key');
  if (header) return header.trim();
  return url.searchParams.get('api_key');
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
