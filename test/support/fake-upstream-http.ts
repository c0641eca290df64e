/** Types and helpers shared by the fake upstream core and its TMDB/TVDB route handlers. */
import type { Json } from './generate-common.ts';

/** A request as the route handlers see it (already recorded by the core). */
export interface IncomingRequest {
  method: string;
  path: string;
  rawQuery: string;
  /** Decoded; the first value wins when a name repeats. */
  query: Record<string, string>;
  /** Every value of every name, for checks that must see duplicates (e.g. api_key). */
  params: URLSearchParams;
  headers: Record<string, string>;
  body: string;
}

/** An HTTP answer before latency/gzip are applied by the core. */
export interface Answer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

export type RouteHandler = (req: IncomingRequest) => Answer;

export const TMDB_CONTENT_TYPE = 'application/json;charset=utf-8';
export const TVDB_CONTENT_TYPE = 'application/json; charset=UTF-8';

export function answer(status: number, body: Json | string, headers: Record<string, string>): Answer {
  return { status, body: typeof body === 'string' ? body : JSON.stringify(body), headers };
}

export function weakEtag(body: string): string {
  return `W/"${new Bun.CryptoHasher('md5').update(body).digest('hex')}"`;
}

/** `/^\d+$/` as a safe integer, else null. */
export function parseId(segment: string | undefined): number | null {
  if (segment === undefined || !/^\d{1,15}$/.test(segment)) return null;
  return Number(segment);
}

export function splitPath(path: string, base: string): string[] | null {
  if (path !== base && !path.startsWith(`${base}/`)) return null;
  let rest = path.slice(base.length + 1);
  if (rest.endsWith('/')) rest = rest.slice(0, -1);
  return rest.split('/').map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
}

export function bearerToken(headers: Record<string, string>): string | null {
  const value = headers.authorization;
  if (value === undefined) return null;
  const match = /^bearer\s+(.+)$/i.exec(value.trim());
  return match?.[1]?.trim() ?? null;
}

export function base64url(input: string | Uint8Array): string {
  return Buffer.from(input).toString('base64url');
}
