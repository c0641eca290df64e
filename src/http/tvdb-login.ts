import { Elysia } from 'elysia';
import type { RequestRejections } from './rejections.ts';
import { keySubject, type RelayTokens } from './relay-tokens.ts';

export interface TvdbLoginDeps {
  tokens: RelayTokens;
  /** With RELAY_ACCESS_KEYS: the key the client sent must be one of them. Null: any key will do. */
  accessKey: ((presented: string) => string | null) | null;
  rejections: RequestRejections;
}

const TVDB_JSON = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
const failure = (status: number, message: string) => new Response(JSON.stringify({ status: 'failure', message, data: null }), { status, headers: TVDB_JSON });

/**
 * `POST /v4/login`, answered by the relay itself in TVDB's own shape: the client's `{"apikey"}` (or
 * `apiKey`, as some clients write it; a `pin` is accepted and ignored) gets a relay token, which later
 * `/v4` calls carry as Bearer. The relay keeps logging in to TVDB with its own key.
 */
export function tvdbLoginRoute(deps: TvdbLoginDeps) {
  return new Elysia({ name: 'tvdb-login' })
    .post(
      '/v4/login',
      async ({ request }) => {
        let body: unknown;
        try {
          body = JSON.parse(await request.text());
        } catch {
          deps.rejections.invalid_request++;
          return failure(400, 'InvalidValueType: the body must be JSON with an apikey');
        }
        const apikey = findKey(body, 'apikey');
        if (typeof apikey !== 'string' || apikey === '') {
          deps.rejections.unauthorized++;
          return failure(401, 'InvalidAPIKey: apikey invalid');
        }
        let subject = 'open';
        if (deps.accessKey !== null) {
          const key = deps.accessKey(apikey);
          if (key === null) {
            deps.rejections.unauthorized++;
            return failure(401, 'InvalidAPIKey: apikey invalid');
          }
          subject = keySubject(key);
        }
        return new Response(JSON.stringify({ status: 'success', data: { token: deps.tokens.issue(subject) } }), { headers: TVDB_JSON });
      },
      { parse: 'none', detail: { hide: true } },
    )
    .all(
      '/v4/login',
      () => {
        deps.rejections.method_not_allowed++;
        return new Response(JSON.stringify({ status: 'failure', message: 'MethodNotAllowed: use POST', data: null }), { status: 405, headers: { ...TVDB_JSON, allow: 'POST' } });
      },
      { detail: { hide: true } },
    );
}

/** A JSON key looked up without regard to case, as TVDB's own server does. */
function findKey(body: unknown, name: string): unknown {
  if (typeof body !== 'object' || body === null) return undefined;
  const entry = Object.entries(body).find(([key]) => key.toLowerCase() === name);
  return entry?.[1];
}
