import { t } from 'elysia';
import type { TObject, TSchema } from '@sinclair/typebox';
import type { Origin } from '../cache/key.ts';
import type { RouteFamily } from '../cache/policy.ts';
import type { UpstreamName } from '../upstreams/types.ts';
import type { Endpoint } from './endpoint.ts';

/**
 * A public route onto a catalog endpoint: its own path and parameter names, values fixed by the
 * route (Mydia's `/tmdb/movies/trending` is `/trending/movie/week`), and whether the caller's query
 * is forwarded at all.
 */
export interface MountRoute {
  /** Route id for logs and metrics (e.g. "tmdb.movie"); the endpoint's id unless the mount names one. */
  readonly id: string;
  /** Router path, `:name` for parameters: `/tmdb/movies/:id`. */
  readonly path: string;
  readonly endpoint: Endpoint;
  readonly upstream: UpstreamName;
  readonly family: RouteFamily;
  /** Public path parameter schemas (undefined when the path has none). */
  readonly params: TObject | undefined;
  /** The query the route documents and forwards (empty when it forwards none). */
  readonly query: TObject;
  readonly forwardQuery: boolean;
  readonly summary: string;
  readonly description?: string;
  /** Template parameters for the public ones (renamed, plus the route's fixed values). */
  bind(params: Readonly<Record<string, string>>): Record<string, string>;
  upstreamPath(params: Readonly<Record<string, string>>): string;
  origin(params: Readonly<Record<string, string>>, query: string): Origin;
}

export interface MountDef {
  id?: string;
  path: string;
  endpoint: Endpoint;
  /** Public parameter -> template parameter, where the names differ. */
  rename?: Record<string, string>;
  /** Template parameters the route fixes. */
  fixed?: Record<string, string>;
  forwardQuery?: boolean;
  summary?: string;
  description?: string;
}

const EMPTY_QUERY = t.Object({}, { additionalProperties: false });

export function mountRoute(def: MountDef): MountRoute {
  const { endpoint } = def;
  const rename = def.rename ?? {};
  const fixed = def.fixed ?? {};
  const publicNames = [...def.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1] as string);
  const properties: Record<string, TSchema> = {};
  for (const name of publicNames) {
    const target = rename[name] ?? name;
    const schema = endpoint.params[target];
    if (!schema) throw new Error(`${def.path}: :${name} maps to no parameter of ${endpoint.template}`);
    properties[name] = schema;
  }
  const bound = new Set([...publicNames.map((name) => rename[name] ?? name), ...Object.keys(fixed)]);
  for (const name of endpoint.paramNames) if (!bound.has(name)) throw new Error(`${def.path}: {${name}} of ${endpoint.template} is not bound`);

  const bind = (params: Readonly<Record<string, string>>) => {
    const values: Record<string, string> = { ...fixed };
    for (const name of publicNames) values[rename[name] ?? name] = params[name] ?? '';
    return values;
  };
  const forwardQuery = def.forwardQuery !== false;
  return {
    id: def.id ?? endpoint.id,
    path: def.path,
    endpoint,
    upstream: endpoint.upstream,
    family: endpoint.family,
    params: publicNames.length > 0 ? t.Object(properties) : undefined,
    query: forwardQuery ? endpoint.query : EMPTY_QUERY,
    forwardQuery,
    summary: def.summary ?? endpoint.summary,
    ...(def.description ? { description: def.description } : {}),
    bind,
    upstreamPath: (params) => endpoint.upstreamPath(bind(params)),
    origin: (params, query) => endpoint.origin(bind(params), query),
  };
}
