import { jsonError } from '../http/render.ts';
import type { RequestRejections } from '../http/rejections.ts';
import type { RequestContext } from '../observability/request-context.ts';
import { isPublicPath, type AccessKeys } from './access.ts';

export interface GateOptions {
  maxUrlLength: number;
  accessKeys: AccessKeys | null;
  rejections: RequestRejections;
}

/** Checks every request before anything else reads it: URL length, Host, then the access key when keys are set. */
export type Gate = (request: Request, context: RequestContext) => Response | undefined;

/**
 * Elysia's router finds the path at the first '/' from index 11 of the URL, assuming a host of at
 * least 4 characters ("http://" + host). With `Host: x` the router and `new URL()` would disagree on
 * the path (a request could look like /swagger/... to the access check and be routed as /tmdb/...),
 * so such requests are refused before anything reads the path.
 */
const MIN_PATH_START = 11;

export function createGate({ maxUrlLength, accessKeys, rejections }: GateOptions): Gate {
  return (request, context) => {
    const url = request.url;
    // Bounded before routing: nothing below ever sees an absurd URL.
    if (url.length > maxUrlLength) {
      rejections.uri_too_long++;
      context.reason = 'uri_too_long';
      return jsonError(414, 'URI too long', { max_length: maxUrlLength });
    }
    if (url.indexOf('/', url.indexOf('//') + 2) < MIN_PATH_START) {
      rejections.invalid_request++;
      context.reason = 'bad_host';
      return jsonError(400, 'Bad Host header', { message: 'The Host header must name a host of at least 4 characters' });
    }
    if (accessKeys === null) return undefined;
    const parsed = new URL(url);
    if (isPublicPath(parsed.pathname) || accessKeys.allows(request, parsed)) return undefined;
    rejections.unauthorized++;
    context.reason = 'unauthorized';
    return jsonError(
      401,
      'Unauthorized',
      { message: 'This relay needs an access key: Authorization: Bearer <key>, x-relay-key, or api_key' },
      { 'www-authenticate': 'Bearer realm="metadata-relay"' },
    );
  };
}
