import { openapi } from '@elysiajs/openapi';
import { Elysia } from 'elysia';
// Embedded into the compiled binary, so the docs work offline and load nothing from a CDN.
import swaggerBundlePath from 'swagger-ui-dist/swagger-ui-bundle.js' with { type: 'file' };
import swaggerCssPath from 'swagger-ui-dist/swagger-ui.css' with { type: 'file' };
import { VERSION } from '../version.ts';
import { proxyPathItems } from './openapi-paths.ts';
import type { MountRoute } from '../catalog/mount.ts';
import { acceptsGzip, jsonError, methodNotAllowed } from './render.ts';

const ASSET_PREFIX = '/swagger/assets';

const ASSETS: Record<string, { path: string; type: string }> = {
  'swagger-ui-bundle.js': { path: swaggerBundlePath, type: 'text/javascript; charset=utf-8' },
  'swagger-ui.css': { path: swaggerCssPath, type: 'text/css; charset=utf-8' },
};

const DESCRIPTION = [
  'A caching relay for the TMDB v3 and TheTVDB v4 APIs. Answers carry the upstream JSON unchanged;',
  'the relay adds its own credentials, so callers send none.',
  '',
  '`x-cache` tells what happened: HIT (fresh from cache), MISS (fetched), STALE (served while refreshing',
  'or while the upstream fails), COALESCED (joined a fetch already in flight).',
  '',
  'This product uses the TMDB API but is not endorsed or certified by TMDB. Metadata from TheTVDB.',
].join('\n');

/** OpenAPI JSON at /swagger/json and the Swagger UI at /swagger, with its assets served by us. */
/** A mount as the docs show it: its routes under one tag. */
export interface DocumentedMount {
  routes: readonly MountRoute[];
  tag?: { name: string; description: string };
}

/** With access keys on, the ways a key may be sent, so the Swagger UI can authorize "Try it out". */
const SECURITY = {
  components: {
    securitySchemes: {
      bearer: { type: 'http' as const, scheme: 'bearer', description: 'An access key (RELAY_ACCESS_KEYS) as Authorization: Bearer' },
      relayKey: { type: 'apiKey' as const, in: 'header', name: 'x-relay-key', description: 'An access key in x-relay-key' },
      apiKey: { type: 'apiKey' as const, in: 'query', name: 'api_key', description: 'An access key in api_key (where TMDB clients put theirs)' },
    },
  },
  security: [{ bearer: [] }, { relayKey: [] }, { apiKey: [] }] as Record<string, string[]>[],
};

export function docsRoutes(mounts: readonly DocumentedMount[], extraPaths: Record<string, unknown> = {}, options: { accessKeys: boolean } = { accessKeys: false }) {
  const compressed = new Map<string, Uint8Array>();
  return new Elysia({ name: 'docs-routes' })
    .use(
      openapi({
        path: '/swagger',
        specPath: '/swagger/json',
        provider: 'swagger-ui',
        documentation: {
          ...(options.accessKeys ? SECURITY : {}),
          info: { title: 'metadata-relay', version: VERSION, description: DESCRIPTION },
          paths: Object.assign({}, ...mounts.map((mount) => proxyPathItems(mount.routes, mount.tag?.name)), extraPaths),
          tags: [
            { name: 'TMDB', description: 'TMDB v3, under the paths Mydia uses' },
            { name: 'TVDB', description: 'TheTVDB v4 (the relay logs in and holds the token)' },
            ...mounts.flatMap((mount) => (mount.tag ? [mount.tag] : [])),
            { name: 'System', description: 'Health and counters' },
          ],
        },
        swagger: {
          cdn: `${ASSET_PREFIX}/swagger-ui-bundle.js`,
          theme: `${ASSET_PREFIX}/swagger-ui.css`,
          autoDarkMode: false,
        },
      }),
    )
    .get(
      `${ASSET_PREFIX}/:name`,
      async ({ params, request }) => {
        const asset = Object.hasOwn(ASSETS, params.name) ? ASSETS[params.name] : undefined;
        if (!asset) return jsonError(404, 'Not found', { docs: '/swagger' });
        const headers: Record<string, string> = {
          'content-type': asset.type,
          'cache-control': `public, max-age=86400`,
          vary: 'accept-encoding',
        };
        if (!acceptsGzip(request.headers.get('accept-encoding'))) return new Response(Bun.file(asset.path), { headers });
        let body = compressed.get(params.name);
        if (!body) {
          body = Bun.gzipSync(new Uint8Array(await Bun.file(asset.path).arrayBuffer()));
          compressed.set(params.name, body);
        }
        return new Response(body, { headers: { ...headers, 'content-encoding': 'gzip' } });
      },
      { detail: { hide: true } },
    )
    .all('/swagger', () => methodNotAllowed(['GET', 'HEAD']), { detail: { hide: true } })
    .all('/swagger/json', () => methodNotAllowed(['GET', 'HEAD']), { detail: { hide: true } });
}
