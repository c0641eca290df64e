import examples from './openapi-examples.json' with { type: 'json' };
import type { TSchema } from '@sinclair/typebox';
import { UPSTREAM_LABEL } from '../upstreams/types.ts';
import type { MountRoute } from '../catalog/mount.ts';

/**
 * OpenAPI path items for the proxy routes, written from the route table. The relay checks query
 * parameters itself (only on cache misses, see QuerySchema), so Elysia never sees the query schemas
 * and cannot generate these; the docs plugin merges them into /swagger/json.
 */
interface Operation {
  tags: string[];
  summary: string;
  description: string;
  operationId: string;
  parameters: { name: string; in: 'path' | 'query'; required: boolean; description?: string; schema: Record<string, unknown> }[];
  responses: Record<string, { description: string; content?: Record<string, { schema: object; example?: unknown }> }>;
}

/** Example answers (excerpts of our fixtures, scripts/openapi-examples.ts), by endpoint id. */
const EXAMPLES = examples as Record<string, unknown>;

/** Path items for the routes of one mount; `tag` groups them in the UI (default: the upstream's name). */
export function proxyPathItems(routes: readonly MountRoute[], tag?: string): Record<string, { get: Operation }> {
  const items: Record<string, { get: Operation }> = {};
  for (const route of routes) {
    items[route.path.replace(/:(\w+)/g, '{$1}')] = {
      get: {
        tags: [tag ?? UPSTREAM_LABEL[route.upstream]],
        summary: route.summary,
        description: describe(route),
        operationId: route.id,
        parameters: [...parametersOf(route.params, 'path'), ...parametersOf(route.query, 'query')],
        responses: responsesFor(route),
      },
    };
  }
  return items;
}

function parametersOf(schema: { properties: Record<string, TSchema>; required?: string[] } | undefined, where: 'path' | 'query'): Operation['parameters'] {
  if (!schema) return [];
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([name, property]) => {
    // Plain JSON: TypeBox marks its schemas with symbols, which do not belong in the document.
    const { description, ...rest } = JSON.parse(JSON.stringify(property)) as { description?: string } & Record<string, unknown>;
    return { name, in: where, required: where === 'path' || required.has(name), description, schema: rest };
  });
}

function describe(route: MountRoute): string {
  const example = route.upstreamPath(Object.fromEntries(Object.keys(route.params?.properties ?? {}).map((name) => [name, `{${name}}`])));
  const lines = [
    `Proxies ${route.upstream === 'tmdb' ? 'TMDB v3' : 'TVDB v4'} \`${decodeURIComponent(example)}\`. Cache family: **${route.family}**.`,
    route.forwardQuery === false ? 'Query parameters are ignored.' : 'Only the query parameters listed here are forwarded (and keyed); others, `api_key` included, are dropped.',
  ];
  if (route.description) lines.push(route.description);
  return lines.join('\n\n');
}

function responsesFor(route: MountRoute): Operation['responses'] {
  const example = EXAMPLES[route.endpoint.id];
  if (example === undefined) return RESPONSES;
  return { ...RESPONSES, 200: { description: RESPONSES[200]?.description ?? '', content: { 'application/json': { schema: { type: 'object' }, example } } } };
}

const ERROR = { type: 'object', properties: { error: { type: 'string' }, upstream: { type: 'string' }, message: { type: 'string' } }, required: ['error'] };
const json = (description: string, schema: object = ERROR) => ({ description, content: { 'application/json': { schema } } });

const RESPONSES: Operation['responses'] = {
  200: json('The upstream JSON, byte for byte. Headers: x-cache (HIT, MISS, STALE, COALESCED), age, cache-control, etag.', { type: 'object' }),
  304: { description: 'Not modified (If-None-Match matched the etag)' },
  400: json('Invalid path or query parameter; nothing was sent upstream'),
  401: json('RELAY_ACCESS_KEYS is set and no valid key was given'),
  404: json('Not found upstream (the upstream body, cached briefly)', { type: 'object' }),
  429: json('This client is over CLIENT_RATE_LIMIT (Retry-After says when to come back)'),
  502: json("Upstream unreachable, invalid, or it rejected the relay's credentials"),
  503: json('Upstream not configured, or temporarily held back (Retry-After)'),
  504: json('Upstream timed out'),
};
