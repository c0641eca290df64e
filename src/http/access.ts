import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Optional access keys (RELAY_ACCESS_KEYS). A key may come as `Authorization: Bearer <key>`, as
 * `x-relay-key`, or as the `api_key` query parameter (what TMDB clients already send). Any of those
 * places holding a valid key will do: a drop-in client may send its own TMDB token as Bearer and the
 * relay key as `api_key`. Compared on SHA-256 digests with timingSafeEqual, so neither content nor
 * length leaks through timing.
 */
export class AccessKeys {
  private readonly keys: { key: string; digest: Buffer }[];

  constructor(keys: readonly string[]) {
    this.keys = keys.map((key) => ({ key, digest: digest(key) }));
  }

  allows(request: Request, url: URL): boolean {
    let match = false;
    for (const presented of presentedKeys(request, url)) match = this.match(presented) !== null || match;
    return match;
  }

  /** The configured key equal to `presented`, or null; every key is compared, so timing says nothing. */
  match(presented: string): string | null {
    const candidate = digest(presented);
    let found: string | null = null;
    for (const { key, digest: known } of this.keys) if (timingSafeEqual(candidate, known)) found = key;
    return found;
  }
}

/** The token of an `Authorization: Bearer <token>` header (the scheme in any case), or null. */
export function bearerOf(request: Request): string | null {
  const authorization = request.headers.get('authorization');
  if (authorization === null) return null;
  return /^bearer\s+(.+)$/i.exec(authorization.trim())?.[1]?.trim() ?? null;
}

function presentedKeys(request: Request, url: URL): string[] {
  const keys: string[] = [];
  const bearer = bearerOf(request);
  if (bearer) keys.push(bearer);
  const header = request.headers.get('x-relay-key');
  if (header) keys.push(header.trim());
  const query = url.searchParams.get('api_key');
  if (query) keys.push(query);
  return keys;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
