import { createHash, timingSafeEqual } from 'node:crypto';

/** Paths anyone may call, key or not: liveness checks and the API docs. */
export function isPublicPath(pathname: string): boolean {
  return pathname === '/health' || pathname === '/swagger' || pathname.startsWith('/swagger/');
}

/**
 * Optional access keys (RELAY_ACCESS_KEYS). A key may come as `Authorization: Bearer <key>`, as
 * `x-relay-key`, or as the `api_key` query parameter (what TMDB clients already send). Any of those
 * places holding a valid key will do: a drop-in client may send its own TMDB token as Bearer and the
 * relay key as `api_key`. Compared on SHA-256 digests with timingSafeEqual, so neither content nor
 * length leaks through timing.
 */
export class AccessKeys {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.map(digest);
  }

  allows(request: Request, url: URL): boolean {
    let match = false;
    for (const presented of presentedKeys(request, url)) match = this.known(presented) || match;
    return match;
  }

  private known(presented: string): boolean {
    const candidate = digest(presented);
    let match = false;
    for (const known of this.digests) match = timingSafeEqual(candidate, known) || match;
    return match;
  }
}

function presentedKeys(request: Request, url: URL): string[] {
  const keys: string[] = [];
  const authorization = request.headers.get('authorization');
  if (authorization !== null) {
    const bearer = /^bearer\s+(.+)$/i.exec(authorization.trim());
    if (bearer?.[1]) keys.push(bearer[1].trim());
  }
  const header = request.headers.get('x-relay-key');
  if (header) keys.push(header.trim());
  const query = url.searchParams.get('api_key');
  if (query) keys.push(query);
  return keys;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
