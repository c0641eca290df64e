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

test('a known URL is answered from the fast path with the same headers and bytes as the full path', async () => {
  const miss = await relay.get(PATH, { headers: auth });
  const missBody = await miss.text();
  expect(miss.headers.get('x-cache')).toBe('MISS');
  const viaRouter = await relay.get(PATH, { headers: auth }); // first hit: routed, then remembered
  const viaFastPath = await relay.get(PATH, { headers: auth });
  for (const response of [viaRouter, viaFastPath]) {
    expect(response.status).toBe(200);
    expect(response.headers.get('x-cache')).toBe('HIT');
    expect(await response.text()).toBe(missBody);
  }
  const comparable = (r: Response) =>
    Object.fromEntries([...r.headers].filter(([name]) => !['date', 'x-request-id', 'server-timing', 'content-length'].includes(name)));
  expect(comparable(viaFastPath)).toEqual(comparable(viaRouter));
  expect(viaFastPath.headers.get('server-timing')).toMatch(/^cache;desc=HIT, total;dur=\d+\.\d\d$/);
  expect(viaFastPath.headers.get('x-request-id')).toBeTruthy();
  expect(fake.dataCalls('tmdb')).toHaveLength(1);
  const stats = (await (await relay.get('/stats', { headers: auth })).json()) as { cache: { hits: number } };
  expect(stats.cache.hits).toBe(2);
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
  const deadline = Date.now() + 2_000;
  while (fake.dataCalls('tmdb').length < 2 && Date.now() < deadline) await Bun.sleep(5);
  expect(fake.dataCalls('tmdb')).toHaveLength(2);
});

test('a caller-supplied x-request-id is kept when sane, replaced when not', async () => {
  const kept = await relay.get(PATH, { headers: { ...auth, 'x-request-id': 'mydia-abc.123' } });
  expect(kept.headers.get('x-request-id')).toBe('mydia-abc.123');
  const replaced = await relay.get(PATH, { headers: { ...auth, 'x-request-id': 'bad id with spaces' } });
  expect(replaced.headers.get('x-request-id')).toMatch(/^[a-z0-9]+-[a-z0-9]+$/);
});
