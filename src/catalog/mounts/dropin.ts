import type { Endpoint } from '../endpoint.ts';
import { mountRoute, type MountRoute } from '../mount.ts';
import { TMDB_ENDPOINTS } from '../tmdb.ts';
import { TVDB_ENDPOINTS } from '../tvdb.ts';

/**
 * The drop-in surfaces: every catalog endpoint under the upstream's own path, so any TMDB or TVDB
 * client can point its base URL at the relay (`https://relay/3`, `https://relay/v4`). Route ids carry
 * the surface (`3:tmdb.movie`), so metrics tell the surfaces apart while the cache does not: a request
 * is keyed by its upstream path, whichever surface it came in by.
 */
function dropIn(prefix: string, endpoints: readonly Endpoint[]): MountRoute[] {
  return endpoints.map((endpoint) => {
    const rename: Record<string, string> = {};
    // Router parameter names are identifiers: `{season-type}` becomes `:seasonType`.
    const path = prefix + endpoint.template.replace(/\{([^}]+)\}/g, (_, name: string) => {
      const routerName = name.replace(/-([a-z])/g, (__, c: string) => c.toUpperCase());
      if (routerName !== name) rename[routerName] = name;
      return `:${routerName}`;
    });
    return mountRoute({ id: `${prefix.slice(1)}:${endpoint.id}`, path, endpoint, rename });
  });
}

export const TMDB_V3_PREFIX = '/3';
export const TVDB_V4_PREFIX = '/v4';
export const TMDB_V3_ROUTES: readonly MountRoute[] = dropIn(TMDB_V3_PREFIX, TMDB_ENDPOINTS);
export const TVDB_V4_ROUTES: readonly MountRoute[] = dropIn(TVDB_V4_PREFIX, TVDB_ENDPOINTS);
