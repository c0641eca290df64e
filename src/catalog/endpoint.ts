import { t } from 'elysia';
import type { TObject, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { QueryScope } from '../cache/keys.ts';
import type { BodyRecord, Origin } from '../cache/key.ts';
import type { RouteFamily } from '../cache/policy.ts';
import type { UpstreamName } from '../upstreams/types.ts';
import { querySchemaFor } from './params.ts';

/**
 * One upstream endpoint, as data: its path template with typed parameters, the query parameters it
 * takes, its cache family, and the records its answers are about. Every public route (Mydia's
 * aliases, and any other mount) is a view onto one of these.
 */
export interface EndpointDef {
  /** Stable id for logs and metrics, e.g. "tmdb.movie". */
  id: string;
  /** Upstream path below the base URL, `{name}` for parameters: `/movie/{movie_id}`. */
  template: string;
  /** Schema of each template parameter. */
  params?: Record<string, TSchema>;
  /** Query parameters forwarded (and part of the key); anything else is dropped. */
  query?: readonly string[];
  /** Of those, the ones that must be present. */
  required?: readonly string[];
  /** Per-endpoint constraints for a name whose meaning differs between endpoints. */
  overrides?: Record<string, TSchema>;
  family: RouteFamily;
  settles?: boolean;
  /** Record templates filled from the path parameters: `tmdb:movie:{movie_id}`. */
  records?: readonly string[];
  /** Records read from the answer (e.g. a TVDB season names its series). */
  bodyRecords?: readonly BodyRecord[];
  summary: string;
}

export interface QueryProblem {
  message: string;
  expected?: string;
}

export interface Endpoint extends QueryScope {
  readonly id: string;
  readonly upstream: UpstreamName;
  readonly template: string;
  readonly paramNames: readonly string[];
  /** Path parameter schemas keyed by template name. */
  readonly params: Readonly<Record<string, TSchema>>;
  /** The query parameters as one object schema (documentation, validation). */
  readonly query: TObject;
  readonly family: RouteFamily;
  readonly settles: boolean;
  readonly summary: string;
  /** The encoded upstream path for validated parameters. */
  upstreamPath(params: Readonly<Record<string, string>>): string;
  /** The origin of a request with validated parameters and its canonical query text. */
  origin(params: Readonly<Record<string, string>>, query: string): Origin;
  /** null when the (decoded, already restricted) query satisfies the endpoint, else what is wrong. */
  queryProblem(params: Readonly<Record<string, string>>): QueryProblem | null;
}

const PLACEHOLDER = /\{([A-Za-z_-]+)\}/g;

/** What a catalog row gives beyond its template, family and summary; the id is derived unless named. */
export type EndpointRow = Omit<EndpointDef, 'id' | 'template' | 'family' | 'summary'> & { id?: string };

/**
 * The row factory of one upstream's catalog. Ids name the endpoint in logs and metrics and are made
 * from the template's fixed parts: `/movie/{movie_id}/credits` -> `tmdb.movie.credits`.
 */
export function endpointTable(upstream: UpstreamName) {
  return (template: string, family: RouteFamily, summary: string, row: EndpointRow = {}): Endpoint =>
    defineEndpoint(upstream, { id: row.id ?? idOf(upstream, template), template, family, summary, ...row });
}

function idOf(upstream: UpstreamName, template: string): string {
  return `${upstream}.${template.split('/').filter((part) => part !== '' && !part.startsWith('{')).join('.')}`;
}

export function defineEndpoint(upstream: UpstreamName, def: EndpointDef): Endpoint {
  const parts = def.template.split(/(\{[A-Za-z_-]+\})/);
  const paramNames = [...def.template.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
  for (const name of paramNames) if (!def.params?.[name]) throw new Error(`${def.id}: no schema for {${name}}`);
  const fill = (template: string, values: Readonly<Record<string, string>>) =>
    template.replace(PLACEHOLDER, (_, name: string) => encodeURIComponent(values[name] ?? ''));
  const upstreamPath = (values: Readonly<Record<string, string>>) =>
    parts.map((part) => (part.startsWith('{') ? encodeURIComponent(values[part.slice(1, -1)] ?? '') : part)).join('');

  const names = def.query ?? [];
  const required = new Set(def.required ?? []);
  const properties: Record<string, TSchema> = {};
  for (const name of names) {
    const schema = def.overrides?.[name] ?? querySchemaFor(upstream, name);
    properties[name] = required.has(name) ? schema : t.Optional(schema);
  }
  const query = t.Object(properties, { additionalProperties: false });
  const check: TypeCheck<TSchema> = TypeCompiler.Compile(query);
  const family = def.family;
  const settles = def.settles === true;

  return {
    id: def.id,
    upstream,
    template: def.template,
    paramNames,
    params: def.params ?? {},
    query,
    allowed: new Set(names),
    family,
    settles,
    summary: def.summary,
    upstreamPath,
    origin: (params, queryText) => ({
      upstream,
      path: upstreamPath(params),
      query: queryText,
      family,
      settles,
      records: (def.records ?? []).map((template) => fill(template, params)),
      ...(def.bodyRecords ? { bodyRecords: def.bodyRecords } : {}),
    }),
    queryProblem: (params) => {
      if (check.Check(params)) return null;
      const first = check.Errors(params).First();
      const name = first?.path.replace(/^\//, '').split('/')[0] ?? '';
      const expected = (first?.schema as { description?: string } | undefined)?.description;
      return { message: name ? `Invalid query parameter '${name}'` : 'Invalid query', ...(expected ? { expected } : {}) };
    },
  };
}
