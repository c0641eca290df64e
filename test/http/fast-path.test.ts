/**
 * The router-free hit path (src/http/fast-path.ts) must answer exactly like the full path, and
 * only ever for URLs the full path has routed and validated, with a fresh entry, and after the gate.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startRelay, TestClock, type RelayUnderTest } from '../support/relay.ts';

let fake: FakeUpstream;
let relay: RelayUnderTest;
const clock = new TestClock();
const KEY = 'fast-path-access-key-123456';

beforeAll(async () => {
  fake = await startFakeUpstream();
  relay = await startRelay('in-process', {
    now: clock.now,
    env: {
      TMDB_API_KEY: fake.options.tmdbApiKey,
      TMDB_BASE_URL: fake.tmdbBaseUrl,
      RELAY_ACCESS_KEYS: KEY,
    },
  });
});
afterAll(async () => {
  await relay.stop();
  await fake.stop();
});

const auth = { authorization: `Bearer ${KEY}`, 'accept-encoding': 'identity' };
const PATH = '/tmdb/movies/550?language=en-US&append_to_response=credits%2Cimages';
const PATH_REORDERED = '/tmdb/movies/550?append_to_response=images,credits&language=en-US';

test('a known URL is answered from the fast path with the same headers and bytes as the full path', async () => {
  const miss = await relay.get(PATH, { headers: auth });
  const missBody = await miss.text();
  expect(miss.headers.get('x-cache')).toBe('MISS');
  // The miss taught the fast path PATH. The same key under another spelling is unknown to it, so that
  // hit is routed by Elysia; PATH itself is then answered without the router.
  const viaRouter = await relay.get(PATH_REORDERED, { headers: auth });
  const viaFastPath = await relay.get(PATH, { headers: auth });
  for (const response of [viaRouter, viaFastPath]) {
    expect(response.status).toBe(200);
    expect(response.headers.get('x-cache')).toBe('HIT');
    expect(await response.text()).toBe(missBody);
  }
  const comparable = (r: Response) =>
    Object.fromEntries([...r.headers].filter(([name]) => !['date', 'x-request-id', 'server-timing', 'content-length'].includes(name)));
  expect(comparable(viaFastPath)).toEqual(comparable(viaRouter));
  expect(viaFastPath.headers.get('server-timing')).toMatch(/^cache;desc=HIT, total;dur=\d+(\.\d{1,2})?$/);
  expect(viaFastPath.headers.get('x-request-id')).toBeTruthy();
  expect(fake.dataCalls('tmdb')).toHaveLength(1);
  const stats = (await (await relay.get('/stats', { headers: auth })).json()) as { cache: { hits: number } };
  expect(stats.cache.hits).toBe(2);
});

test('URLs that never filled the cache are not remembered (a flood of unique misses cannot crowd it)', async () => {
  const memoSize = () => relay.relay?.stats().tables.hit_memo.entries ?? -1;
  const known = memoSize();
  expect(known).toBeGreaterThan(0);
  // Upstream 400s: passed through, never cached, and no breaker involved.
  fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie/77', fault: { kind: 'status', status: 400, body: '{"status_code":47}' } });
  for (let i = 0; i < 20; i++) expect((await relay.get(`/tmdb/movies/77${i}`, { headers: auth })).status).toBe(400);
  for (let i = 0; i < 20; i++) expect((await relay.get(`/tmdb/movies/550?language=x${i}`, { headers: auth })).status).toBe(400);
  expect(memoSize()).toBe(known);
  fake.clearFaults();
});

test('the gate still runs first: no key, no answer, even for a known URL', async () => {
  const response = await relay.get(PATH);
  expect(response.status).toBe(401);
});

test('other methods on a known URL still get 405', async () => {
  const response = await relay.get(PATH, { method: 'POST', headers: auth });
  expect(response.status).toBe(405);
});

test('a stale entry falls through to the full path (STALE plus a refresh)', async () => {
  clock.advance(25 * 3_600_000);
  const response = await relay.get(PATH, { headers: auth });
  expect(response.headers.get('x-cache')).toBe('STALE');
  const calls550 = () => fake.dataCalls('tmdb').filter((call) => call.path === '/3/movie/550').length;
  const deadline = Date.now() + 2_000;
  while (calls550() < 2 && Date.now() < deadline) await Bun.sleep(5);
  expect(calls550()).toBe(2);
});

test('a caller-supplied x-request-id is kept when sane, replaced when not', async () => {
  const kept = await relay.get(PATH, { headers: { ...auth, 'x-request-id': 'mydia-abc.123' } });
  expect(kept.headers.get('x-request-id')).toBe('mydia-abc.123');
  const replaced = await relay.get(PATH, { headers: { ...auth, 'x-request-id': 'bad id with spaces' } });
  expect(replaced.headers.get('x-request-id')).toMatch(/^[a-z0-9]+-[a-z0-9]+$/);
});
