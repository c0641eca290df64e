import { Elysia } from 'elysia';
import { keyOf, loggableKey, recordId, type Origin } from '../cache/key.ts';
import { parseQuery, QueryError } from '../cache/keys.ts';
import type { InvalidationTarget, Resolver } from '../cache/resolver.ts';
import type { MemoryTier } from '../cache/tiers/memory.ts';
import type { ResolvedPath } from '../catalog/resolve-path.ts';
import type { Logger } from '../log.ts';
import { contextOf } from '../observability/request-context.ts';
import type { AccessKeys } from './access.ts';
import { bearerOf } from './access.ts';
import { keySubject } from './relay-tokens.ts';
import type { RequestRejections } from './rejections.ts';
import { jsonError } from './render.ts';

export interface AdminDeps {
  keys: AccessKeys;
  resolver: Resolver;
  memory: MemoryTier;
  resolvePath: (pathname: string) => ResolvedPath | null;
  maxQueryParams: number;
  logger: Logger;
  rejections: RequestRejections;
  now: () => number;
}

/** What an operator names: a record (`{"upstream":"tmdb","type":"movie","id":550}`) or a relay path. */
interface Named {
  target: InvalidationTarget;
  /** For the answer and the audit line. */
  label: string;
}

const RECORD_TYPE = /^[a-z_]{1,32}$/;

/**
 * The operator's routes (only with RELAY_ADMIN_KEYS; separate from access keys):
 * - `POST /admin/purge`: every variant of a record (all languages, appends, sub-resources) leaves every
 *   tier and every relay of the fleet;
 * - `POST /admin/refresh`: the record's cached entries are fetched again, in the background;
 * - `GET /admin/record?upstream=&type=&id=` (or `?path=`): which keys are cached for it.
 * Each call writes one audit line.
 */
export function adminRoutes(deps: AdminDeps) {
  const { resolver, logger } = deps;

  const authorized = (request: Request): string | null => {
    const presented = bearerOf(request) ?? request.headers.get('x-admin-key')?.trim() ?? null;
    const key = presented === null ? null : deps.keys.match(presented);
    return key === null ? null : keySubject(key);
  };

  const audit = (request: Request, admin: string, action: string, named: Named, keys: readonly string[]) => {
    logger.warn('admin', { action, target: named.label, keys_affected: keys.length, admin, request_id: contextOf(request)?.id });
  };

  const named = (input: Record<string, unknown>): Named | string => {
    if (typeof input.path === 'string') {
      const raw = input.path;
      const mark = raw.indexOf('?');
      const resolved = deps.resolvePath(mark === -1 ? raw : raw.slice(0, mark));
      if (resolved === null) return `no relay route matches ${JSON.stringify(raw.slice(0, 200))}`;
      let query = '';
      try {
        query = mark === -1 ? '' : parseQuery(raw.slice(mark + 1), deps.maxQueryParams, resolved.route.endpoint.allowed).text;
      } catch (error) {
        return error instanceof QueryError ? error.message : 'bad query';
      }
      const origin: Origin = resolved.route.origin(resolved.params, query);
      // A path about a record stands for the whole record; any other for its one entry.
      const record = origin.records[0];
      // The label goes into the audit line, which (like every log line) never carries a query.
      return record === undefined ? { target: { key: keyOf(origin) }, label: loggableKey(keyOf(origin)) } : { target: { record }, label: record };
    }
    const { upstream, type, id } = input;
    if ((upstream !== 'tmdb' && upstream !== 'tvdb') || typeof type !== 'string' || !RECORD_TYPE.test(type)) {
      return 'name a record ({"upstream":"tmdb"|"tvdb","type":"movie","id":550}) or a relay path ({"path":"/3/movie/550"})';
    }
    if (!((typeof id === 'number' && Number.isSafeInteger(id) && id > 0) || (typeof id === 'string' && /^[0-9a-f]{1,24}$/.test(id)))) return 'id must be a positive number';
    const record = recordId(upstream, type, id);
    return { target: { record }, label: record };
  };

  const withTarget = async (request: Request, read: () => Promise<Record<string, unknown>>, act: (admin: string, target: Named) => Promise<Response>) => {
    const admin = authorized(request);
    if (admin === null) {
      deps.rejections.unauthorized++;
      const context = contextOf(request);
      if (context) context.reason = 'admin_unauthorized';
      return jsonError(401, 'Unauthorized', { message: 'Admin routes need an admin key: Authorization: Bearer <key> or x-admin-key' });
    }
    let input: Record<string, unknown>;
    try {
      input = await read();
    } catch {
      return jsonError(400, 'Malformed request', { message: 'The body must be JSON' });
    }
    const target = named(input);
    if (typeof target === 'string') return jsonError(400, 'Invalid target', { message: target });
    return act(admin, target);
  };

  const body = (request: Request) => async () => {
    const parsed: unknown = JSON.parse(await request.text());
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  };

  return new Elysia({ name: 'admin-routes' })
    .post(
      '/admin/purge',
      ({ request }) =>
        withTarget(request, body(request), async (admin, target) => {
          const keys = await resolver.invalidate(target.target, 'delete');
          audit(request, admin, 'purge', target, keys);
          return Response.json({ action: 'purge', target: target.label, keys, count: keys.length });
        }),
      { parse: 'none', detail: { hide: true } },
    )
    .post(
      '/admin/refresh',
      ({ request }) =>
        withTarget(request, body(request), async (admin, target) => {
          const keys = await resolver.keysOf(target.target);
          for (const key of keys) void resolver.refresh(key, { force: true }).catch(() => {});
          audit(request, admin, 'refresh', target, keys);
          return Response.json({ action: 'refresh', target: target.label, keys, count: keys.length }, { status: 202 });
        }),
      { parse: 'none', detail: { hide: true } },
    )
    .get(
      '/admin/record',
      ({ request }) =>
        withTarget(
          request,
          async () => Object.fromEntries(new URL(request.url).searchParams),
          async (admin, target) => {
            const keys = await resolver.keysOf(target.target);
            const now = deps.now();
            const entries = keys.map((key) => {
              const entry = deps.memory.peek(key);
              return {
                key,
                in_memory: entry !== undefined,
                ...(entry
                  ? {
                      status: entry.status,
                      stored_at: new Date(entry.storedAt).toISOString(),
                      fresh_for_seconds: Math.max(0, Math.round((entry.freshUntil - now) / 1000)),
                      stale_until: new Date(entry.staleUntil).toISOString(),
                    }
                  : {}),
              };
            });
            audit(request, admin, 'record', target, keys);
            return Response.json({ target: target.label, keys: entries, count: entries.length });
          },
        ),
      { detail: { hide: true } },
    );
}
