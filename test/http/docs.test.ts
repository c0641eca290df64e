/** The OpenAPI document and the Swagger UI, served offline from assets inside the relay. */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { TMDB_V3_ROUTES, TVDB_V4_ROUTES } from '../../src/catalog/mounts/dropin.ts';
import { MYDIA_ROUTES } from '../../src/catalog/mounts/mydia.ts';
import { startRelay, type RelayUnderTest } from '../support/relay.ts';

let relay: RelayUnderTest;
beforeAll(async () => {
  relay = await startRelay('in-process', { env: {} });
});
afterAll(async () => {
  await relay.stop();
});

interface Operation {
  tags?: string[];
  summary?: string;
  description?: string;
  parameters?: { name: string; in: string; required?: boolean; schema?: { pattern?: string } }[];
}
type OpenApi = { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, Operation> | undefined> };

describe('OpenAPI at /swagger/json', () => {
  let doc: OpenApi;
  beforeAll(async () => {
    doc = (await (await relay.get('/swagger/json')).json()) as OpenApi;
  });

  test('documents every proxy route with its tag, summary, path and query parameters', () => {
    expect(doc.info.title).toBe('metadata-relay');
    for (const route of MYDIA_ROUTES) {
      const path = route.path.replace(/:(\w+)/g, '{$1}');
      const operation = doc.paths[path]?.get;
      expect(operation, path).toBeDefined();
      expect(operation?.tags).toEqual([route.upstream === 'tmdb' ? 'TMDB' : 'TVDB']);
      expect(operation?.summary).toBe(route.summary);
      const names = new Set((operation?.parameters ?? []).map((p) => `${p.in}:${p.name}`));
      for (const param of Object.keys(route.params?.properties ?? {})) expect(names.has(`path:${param}`), `${path} ${param}`).toBe(true);
      for (const param of Object.keys(route.query.properties)) expect(names.has(`query:${param}`), `${path} ?${param}`).toBe(true);
    }
  });

  test('documents both drop-in surfaces, generated from the tables, grouped by tag', () => {
    for (const [routes, tag] of [[TMDB_V3_ROUTES, 'TMDB v3 drop-in'], [TVDB_V4_ROUTES, 'TVDB v4 drop-in']] as const) {
      expect(routes.length).toBeGreaterThan(50);
      for (const route of routes) {
        const operation = doc.paths[route.path.replace(/:(\w+)/g, '{$1}')]?.get;
        expect(operation?.tags, route.path).toEqual([tag]);
        expect(operation?.summary).toBe(route.summary);
      }
    }
    expect(doc.paths['/v4/login']?.post).toBeDefined();
    expect(doc.paths['/3/account/{account_id}']).toBeUndefined();
  });

  test('path and query schemas carry their constraints', () => {
    const movie = doc.paths['/tmdb/movies/{id}']?.get;
    expect(movie?.parameters?.find((p) => p.name === 'id')?.schema?.pattern).toBe('^(0|[1-9][0-9]{0,9})$');
    const search = doc.paths['/tmdb/movies/search']?.get;
    expect(search?.parameters?.find((p) => p.name === 'query')?.required).toBe(true);
    expect(search?.parameters?.find((p) => p.name === 'page')?.required).toBe(false);
  });

  test('system routes are documented; assets and HEAD/405 twins are not', () => {
    expect(doc.paths['/health']?.get).toBeDefined();
    expect(doc.paths['/stats']?.get).toBeDefined();
    expect(doc.paths['/metrics']?.get).toBeDefined();
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/swagger'))).toBe(false);
  });
});

describe('Swagger UI at /swagger', () => {
  test('loads its JS and CSS from the relay itself, never from a CDN', async () => {
    const page = await (await relay.get('/swagger')).text();
    expect(page).toContain('/swagger/assets/swagger-ui-bundle.js');
    expect(page).toContain('/swagger/assets/swagger-ui.css');
    expect(page).not.toMatch(/(src|href)="https?:\/\//);
    const js = await relay.get('/swagger/assets/swagger-ui-bundle.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect((await js.text()).length).toBeGreaterThan(500_000);
    const css = await relay.get('/swagger/assets/swagger-ui.css', { headers: { 'accept-encoding': 'identity' } });
    expect(css.headers.get('content-type')).toContain('text/css');
    expect((await relay.get('/swagger/assets/nope.js')).status).toBe(404);
  });
});
