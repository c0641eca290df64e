/**
 * The feeds in a fleet (one follower through a Redis lease, taken over when its holder dies, its
 * invalidations reaching every relay) and the operator's routes (purge and refresh of a record on
 * every tier and relay, the record's keys, the audit line). Real redis-server, the fake upstream.
 */
import { describe, expect, test } from 'bun:test';
import { useFleetHarness } from '../support/fleet-harness.ts';
import { startRelay, type RelayTarget, type RelayUnderTest } from '../support/relay.ts';

const ADMIN = 'admin-key-0123456789abcdef';
const h = useFleetHarness();

async function relay(extra: Record<string, string> = {}, target: RelayTarget = 'in-process'): Promise<RelayUnderTest> {
  const started = await startRelay(target, {
    env: h.relayEnv(extra),
  });
  h.track(started);
  return started;
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 8_000): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await Bun.sleep(25);
  }
  return Date.now() - started;
}

type FeedRole = { role: string; polls: number };
const feedOf = async (r: RelayUnderTest, feed: 'tmdb' | 'tvdb') => ((await (await r.get('/stats')).json()) as { feeds: Record<string, FeedRole> }).feeds[feed];

describe('change feeds in a fleet (Redis)', () => {
  test('one relay follows; its invalidations reach every relay\'s memory', async () => {
    const feeds = { CHANGES_POLL_INTERVAL: '1s', CHANGES_SETTLE_DELAYS: 'off' };
    const a = await relay(feeds);
    const b = await relay(feeds);
    await until(async () => ((await feedOf(a, 'tmdb'))?.polls ?? 0) + ((await feedOf(b, 'tmdb'))?.polls ?? 0) >= 2);
    const roles = [(await feedOf(a, 'tmdb'))?.role, (await feedOf(b, 'tmdb'))?.role].sort();
    expect(roles).toEqual(['leader', 'standby']);
    await a.get('/tmdb/movies/590');
    expect((await b.get('/tmdb/movies/590')).headers.get('x-cache')).toBe('HIT');
    h.fake.editRecord('tmdb', 'movie', 590);
    await until(async () => (await a.get('/tmdb/movies/590')).headers.get('x-cache') === 'STALE');
    await until(async () => (await b.get('/tmdb/movies/590')).headers.get('x-cache') !== 'HIT');
    // Only the leader called the feed.
    const changeCalls = h.fake.dataCalls('tmdb').filter((c) => c.path === '/3/movie/changes').length;
    const polls = [(await feedOf(a, 'tmdb'))?.polls ?? 0, (await feedOf(b, 'tmdb'))?.polls ?? 0];
    expect(polls.filter((p) => p > 0)).toHaveLength(1);
    expect(changeCalls).toBeGreaterThanOrEqual(1);
  });

  test('the leader killed: another relay takes the feed over within a few intervals', async () => {
    const feeds = { CHANGES_POLL_INTERVAL: '1s', CHANGES_SETTLE_DELAYS: 'off' };
    const a = await relay(feeds, 'binary');
    const b = await relay(feeds, 'binary');
    await until(async () => ['leader'].includes((await feedOf(a, 'tmdb'))?.role ?? '') || ['leader'].includes((await feedOf(b, 'tmdb'))?.role ?? ''));
    const leaderIsA = (await feedOf(a, 'tmdb'))?.role === 'leader';
    const [leader, other] = leaderIsA ? [a, b] : [b, a];
    await leader!.kill!();
    h.untrack(leader!);
    const took = await until(async () => (await feedOf(other!, 'tmdb'))?.role === 'leader', 10_000);
    console.log(`feed lease taken over ${took} ms after the leader died (lease 3 s)`);
    expect(took).toBeLessThan(6_000);
  });
});

describe('operator routes (RELAY_ADMIN_KEYS)', () => {
  const post = (r: RelayUnderTest, path: string, body: unknown, key: string | null = ADMIN) =>
    r.get(path, { method: 'POST', body: JSON.stringify(body), headers: key === null ? {} : { authorization: `Bearer ${key}` } });

  test('without admin keys the routes do not exist; with them, a wrong key is 401', async () => {
    const open = await relay();
    expect((await post(open, '/admin/purge', { upstream: 'tmdb', type: 'movie', id: 550 })).status).toBe(404);
    const doc = (await (await open.get('/swagger/json')).json()) as { paths: Record<string, unknown> };
    expect(doc.paths['/admin/purge']).toBeUndefined();
    const guarded = await relay({ RELAY_ADMIN_KEYS: ADMIN });
    expect((await post(guarded, '/admin/purge', { upstream: 'tmdb', type: 'movie', id: 550 }, 'wrong-key-0123456789')).status).toBe(401);
    expect((await post(guarded, '/admin/purge', { upstream: 'tmdb', type: 'movie', id: 550 }, null)).status).toBe(401);
    expect((await post(guarded, '/admin/purge', { upstream: 'tmdb', type: 'movie' })).status).toBe(400);
    expect((await post(guarded, '/admin/purge', { path: '/nowhere/1' })).status).toBe(400);
    const guardedDoc = (await (await guarded.get('/swagger/json')).json()) as { paths: Record<string, unknown> };
    expect(guardedDoc.paths['/admin/purge']).toBeDefined();
    // Guessing at admin keys shows where refusals are counted.
    const stats = (await (await guarded.get('/stats')).json()) as { rejections: Record<string, number> };
    expect(stats.rejections.unauthorized).toBe(2);
  });

  test('the audit line of a purge by path names the key without its query, as every log line', async () => {
    const guarded = await relay({ RELAY_ADMIN_KEYS: ADMIN });
    expect((await post(guarded, '/admin/purge', { path: '/3/search/movie?query=private%20words' })).status).toBe(200);
    const audit = guarded.logs.map((line) => JSON.parse(line) as Record<string, unknown>).find((l) => l.msg === 'admin');
    expect(audit).toMatchObject({ action: 'purge', target: 'tmdb:/search/movie?…', keys_affected: 0 });
    expect(JSON.stringify(guarded.logs)).not.toContain('private');
  });

  test('purge drops every variant of a record from memory and Redis on every relay', async () => {
    const a = await relay({ RELAY_ADMIN_KEYS: ADMIN });
    const b = await relay({ RELAY_ADMIN_KEYS: ADMIN });
    const variants = ['/tmdb/movies/600?language=de-DE', '/3/movie/600?language=fr-FR', '/tmdb/movies/600/images'];
    for (const path of variants) {
      await a.get(path);
      expect((await b.get(path)).headers.get('x-cache')).toBe('HIT');
    }
    await a.get('/tmdb/movies/601');
    const purged = await post(a, '/admin/purge', { path: '/3/movie/600/credits' });
    expect(purged.status).toBe(200);
    const answer = (await purged.json()) as { target: string; count: number; keys: string[] };
    expect(answer.target).toBe('tmdb:movie:600');
    expect(answer.count).toBe(3);
    expect((await h.redis.cli('KEYS', 'metadata-relay:e:tmdb:/movie/600*')).trim()).toBe('');
    await until(async () => (await b.get('/tmdb/movies/600/images')).headers.get('x-cache') === 'MISS');
    expect((await b.get('/tmdb/movies/601')).headers.get('x-cache')).toBe('HIT');
    const audit = a.logs.map((line) => JSON.parse(line) as Record<string, unknown>).find((l) => l.msg === 'admin');
    expect(audit).toMatchObject({ level: 'warn', action: 'purge', target: 'tmdb:movie:600', keys_affected: 3 });
    expect(JSON.stringify(audit)).not.toContain(ADMIN);
  });

  test('refresh makes exactly one upstream call per cached variant; record lists them', async () => {
    const a = await relay({ RELAY_ADMIN_KEYS: ADMIN });
    const variants = ['/tvdb/series/78878', '/tvdb/series/78878/extended?meta=translations', '/v4/series/78878/episodes/default', '/tvdb/seasons/7887801'];
    for (const path of variants) expect((await a.get(path)).status).toBe(200);
    const listed = (await (await a.get('/admin/record?upstream=tvdb&type=series&id=78878', { headers: { 'x-admin-key': ADMIN } })).json()) as { count: number; keys: { key: string; in_memory: boolean }[] };
    expect(listed.count).toBe(4); // the season names its series
    expect(listed.keys.every((k) => k.in_memory)).toBe(true);
    h.fake.reset();
    const refreshed = await post(a, '/admin/refresh', { upstream: 'tvdb', type: 'series', id: 78878 });
    expect(refreshed.status).toBe(202);
    expect(((await refreshed.json()) as { count: number }).count).toBe(4);
    await until(() => h.fake.dataCalls('tvdb').length >= 4);
    await Bun.sleep(200);
    expect(h.fake.dataCalls('tvdb').map((c) => c.path).sort()).toEqual(['/v4/seasons/7887801', '/v4/series/78878', '/v4/series/78878/episodes/default', '/v4/series/78878/extended']);
  });
});
