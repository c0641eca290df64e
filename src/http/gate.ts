import type { AccessKeys } from './access.ts';
import { isPublicPath } from './access.ts';
import type { RequestRejections } from './rejections.ts';
import { jsonError } from './respond.ts';

export interface GateOptions {
  maxUrlLength: number;
  accessKeys: AccessKeys | null;
  rejections: RequestRejections;
}

/** Checks every request before any routing: URL length, then the access key when keys are set. */
export type Gate = (request: Request) => Response | undefined;

export function createGate({ maxUrlLength, accessKeys, rejections }: GateOptions): Gate {
  return (request) => {
    // Bounded before routing: nothing below ever sees an absurd URL.
    if (request.url.length > maxUrlLength) {
      rejections.uri_too_long++;
      return jsonError(414, 'URI too long', { max_length: maxUrlLength });
    }
    if (accessKeys === null) return undefined;
    const url = new URL(request.url);
    if (isPublicPath(url.pathname) || accessKeys.allows(request, url)) return undefined;
    rejections.unauthorized++;
    return jsonError(
      401,
      'Unauthorized',
      { message: 'This relay needs an access key: Authorization: Bearer <key>, x-relay-key, or api_key' },
      { 'www-authenticate': 'Bearer realm="metadata-relay"' },
    );
  };
}
