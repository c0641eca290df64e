import type { Endpoint } from './endpoint.ts';
import { TMDB_ENDPOINTS } from './tmdb.ts';
import { TVDB_ENDPOINTS } from './tvdb.ts';

/** Every upstream endpoint the relay can reach, by id. */
export const ENDPOINTS: readonly Endpoint[] = [...TMDB_ENDPOINTS, ...TVDB_ENDPOINTS];

const byId = new Map(ENDPOINTS.map((endpoint) => [endpoint.id, endpoint]));
if (byId.size !== ENDPOINTS.length) throw new Error('catalog: duplicate endpoint id');

export function endpoint(id: string): Endpoint {
  const found = byId.get(id);
  if (!found) throw new Error(`catalog: no endpoint ${id}`);
  return found;
}
