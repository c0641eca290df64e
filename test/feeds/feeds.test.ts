/**
 * The change-feed followers against the fake upstream's feeds: a test edits a record in the fake (its
 * bodies change, the feed lists it), the relay polls every second, and the edited record's entries go
 * stale and come back with the new body, while records nobody edited are not fetched again.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { Database } from 'bun:sqlite';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useRelayHarness } from '../support/harness.ts';
import type { RelayUnderTest } from '../support/relay.ts';

const dir = mkdtempSync(join(tmpdir(), 'relay-feeds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FEEDS = { CHANGES_POLL_INTERVAL: '1s', CHANGES_SETTLE_DELAYS: 'off', LOG_LEVEL: 'warn' };
const harness = useRelayHarness(FEEDS);

const calls = (path: string) => harness.fake.dataCalls().filter((c) => c.path === path).length;

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await Bun.sleep(25);
  }
}

/** Waits for the next successful poll of a feed (the relay polls every second). */
async function nextPoll(relay: RelayUnderTest, feed: 'tmdb' | 'tvdb'): Promise<void> {
  const polls = () => (relay.relay!.stats().feeds as Record<string, { polls: number; errors: number }>)[feed]?.polls ?? 0;
  const before = polls();
  await until(() => polls() >= before + 2); // one that may have started before the edit, then a whole one
}

async function bodyOf(relay: RelayUnderTest, path: string): Promise<string> {
  return (await relay.get(path)).text();
}

/** Asks until the relay answers with a body other than `old` (a stale answer, then the refreshed one). */
async function untilChanged(relay: RelayUnderTest, path: string, old: string, timeoutMs = 8_000): Promise<void> {
  await until(async () => (await bodyOf(relay, path)) !== old, timeoutMs);
}

describe('TMDB change lists', () => {
  test('an edited movie is answered anew after the next poll; an unchanged one is not fetched again', async () => {
    const relay = await harness.start();
    const old550 = await bodyOf(relay, '/tmdb/movies/550?language=de-DE');
    await bodyOf(relay, '/tmdb/movies/550/images');
    await bodyOf(relay, '/3/movie/551');
    harness.fake.editRecord('tmdb', 'movie', 550);
    await nextPoll(relay, 'tmdb');
    const stale = await relay.get('/tmdb/movies/550?language=de-DE');
    expect(stale.headers.get('x-cache')).toBe('STALE');
    expect(await stale.text()).toBe(old550);
    await untilChanged(relay, '/tmdb/movies/550?language=de-DE', old550);
    expect((await relay.get('/tmdb/movies/550/images')).headers.get('x-cache')).toBe('STALE');
    // 551 was never edited: one call, the fill.
    expect((await relay.get('/3/movie/551')).headers.get('x-cache')).toBe('HIT');
    expect(calls('/3/movie/551')).toBe(1);
    const feed = relay.relay!.stats().feeds.tmdb as { entries_marked: number; ids_seen: number; role: string };
    expect(feed.role).toBe('leader');
    expect(feed.ids_seen).toBeGreaterThanOrEqual(1);
    expect(feed.entries_marked).toBeGreaterThanOrEqual(2);
  });

  test('a TV change covers the whole show: its seasons, episodes and images', async () => {
    const relay = await harness.start();
    const paths = ['/tmdb/tv/shows/1399', '/tmdb/tv/shows/1399/1', '/3/tv/1399/season/1/episode/1', '/tmdb/tv/shows/1399/images'];
    for (const path of paths) await bodyOf(relay, path);
    harness.fake.editRecord('tmdb', 'tv', 1399);
    await nextPoll(relay, 'tmdb');
    for (const path of paths) expect((await relay.get(path)).headers.get('x-cache'), path).toBe('STALE');
  });

  test('many pages of changes are read to the end', async () => {
    const relay = await harness.start();
    const ids = Array.from({ length: 250 }, (_, i) => 40_000 + i);
    await bodyOf(relay, '/tmdb/movies/40249');
    harness.fake.editRecords('tmdb', 'movie', ids);
    await nextPoll(relay, 'tmdb');
    expect((await relay.get('/tmdb/movies/40249')).headers.get('x-cache')).toBe('STALE'); // on the third page
    expect((relay.relay!.stats().feeds.tmdb as { ids_seen: number }).ids_seen).toBeGreaterThanOrEqual(250);
  });

  test('a day longer than 100 pages is read on from page 101 by the next poll, not started over', async () => {
    const relay = await harness.start({ TMDB_RATE_LIMIT: '1000', TMDB_RATE_BURST: '1000' });
    const ids = Array.from({ length: 15_000 }, (_, i) => 50_000 + i);
    await bodyOf(relay, '/tmdb/movies/64999');
    harness.fake.editRecords('tmdb', 'movie', ids);
    // Page 150 or later of the day's movie list (earlier tests' edits come first) names 64,999: the
    // poll after the one that stopped at page 100 reached it.
    await until(async () => (await relay.get('/tmdb/movies/64999')).headers.get('x-cache') === 'STALE', 25_000);
    const pages = harness.fake.requests.filter((r) => r.path === '/3/movie/changes').map((r) => Number(r.query.page));
    expect(Math.max(...pages)).toBeGreaterThanOrEqual(150);
    // Pages 101-150 were read once each: the second poll went on where the first stopped.
    expect(pages.filter((page) => page === 101)).toHaveLength(1);
  }, 30_000);

  test('a second edit on the same day reaches clients too: an id still in the day\'s list is marked again', async () => {
    const relay = await harness.start();
    const original = await bodyOf(relay, '/tmdb/movies/562');
    harness.fake.editRecord('tmdb', 'movie', 562);
    await nextPoll(relay, 'tmdb');
    await untilChanged(relay, '/tmdb/movies/562', original);
    const first = await bodyOf(relay, '/tmdb/movies/562');
    harness.fake.editRecord('tmdb', 'movie', 562); // the list still says just "562 changed today"
    // Marked again 12 poll intervals after the first mark (2 h at the default 10 min; 12 s here).
    await untilChanged(relay, '/tmdb/movies/562', first, 20_000);
    expect(await bodyOf(relay, '/tmdb/movies/562')).toContain('(rev 2)');
  });

  test('a relay that was down for three days catches up from the watermark in its SQLite file', async () => {
    const file = join(dir, 'catch-up.db');
    const env = { CACHE_STORE: `sqlite:${file}` };
    const first = await harness.start(env);
    await bodyOf(first, '/tmdb/movies/560');
    await bodyOf(first, '/tmdb/movies/561');
    await nextPoll(first, 'tmdb');
    await harness.stopRelay();
    // Three days went by: the watermark is three days old, and 560 changed two days ago.
    const db = new Database(file);
    db.query("UPDATE meta SET value = ? WHERE name = 'feed:tmdb:watermark'").run(String(Date.now() - 3 * 86_400_000));
    db.close();
    harness.fake.editRecord('tmdb', 'movie', 560, { at: Date.now() - 2 * 86_400_000 });
    const second = await harness.start(env);
    await nextPoll(second, 'tmdb');
    expect((await second.get('/tmdb/movies/560')).headers.get('x-cache')).toBe('STALE');
    expect((await second.get('/tmdb/movies/561')).headers.get('x-cache')).toBe('HIT');
    const changeCalls = harness.fake.dataCalls('tmdb').filter((c) => c.path === '/3/movie/changes').map((c) => c.query.start_date);
    expect(new Set(changeCalls).size).toBeGreaterThanOrEqual(4); // a window per day, never one over a day
    for (const call of harness.fake.dataCalls('tmdb').filter((c) => c.path.endsWith('/changes'))) expect(call.query.start_date).toBe(call.query.end_date);
  });

  test('a gap longer than TMDB keeps is read from 14 days back, and said so', async () => {
    const file = join(dir, 'gap.db');
    const env = { CACHE_STORE: `sqlite:${file}`, LOG_LEVEL: 'warn' };
    const first = await harness.start(env);
    await nextPoll(first, 'tmdb');
    await harness.stopRelay();
    const db = new Database(file);
    db.query("UPDATE meta SET value = ? WHERE name = 'feed:tmdb:watermark'").run(String(Date.now() - 30 * 86_400_000));
    db.close();
    const second = await harness.start(env);
    await nextPoll(second, 'tmdb');
    expect(second.logs.some((line) => line.includes('change feed gap longer than the upstream keeps') && line.includes('"feed":"tmdb"'))).toBe(true);
    expect((second.relay!.stats().feeds.tmdb as { gaps: number; errors: number }).gaps).toBe(1);
    const days = new Set(harness.fake.dataCalls('tmdb').filter((c) => c.path === '/3/movie/changes').map((c) => c.query.start_date));
    expect(days.size).toBeLessThanOrEqual(15);
  });
});

describe('TVDB /updates', () => {
  test('a series update marks its entries; an episode update marks the episode and its series', async () => {
    const relay = await harness.start();
    const paths = ['/tvdb/series/78878/extended', '/v4/series/78878/episodes/default', '/tvdb/episodes/31410001'];
    for (const path of paths) await bodyOf(relay, path);
    harness.fake.editRecord('tvdb', 'episodes', 31410001, { seriesId: 78878 });
    await nextPoll(relay, 'tvdb');
    for (const path of paths) expect((await relay.get(path)).headers.get('x-cache'), path).toBe('STALE');
  });

  test('a delete or a merge evicts: the next request asks upstream', async () => {
    const relay = await harness.start();
    await bodyOf(relay, '/tvdb/movies/12586');
    await bodyOf(relay, '/tvdb/people/312388');
    harness.fake.editRecord('tvdb', 'movies', 12586, { method: 'delete' });
    harness.fake.editRecord('tvdb', 'people', 312388, { mergeToId: 312389 });
    await nextPoll(relay, 'tvdb');
    const deleted = await relay.get('/tvdb/movies/12586');
    expect(deleted.headers.get('x-cache')).toBe('MISS');
    expect(deleted.status).toBe(404);
    expect((await relay.get('/tvdb/people/312388')).headers.get('x-cache')).toBe('MISS');
    expect((relay.relay!.stats().feeds.tvdb as { entries_deleted: number }).entries_deleted).toBe(2);
  });

  test('an id listed before its data changed is marked again after the settle delay, so the new body arrives', async () => {
    const relay = await harness.start({ CHANGES_SETTLE_DELAYS: '5s' });
    const old = await bodyOf(relay, '/tvdb/series/78879');
    harness.fake.editRecord('tvdb', 'series', 78879, { dataDelayMs: 4_000 });
    await nextPoll(relay, 'tvdb');
    // The first refresh gets the old body (TVDB has not updated its data yet)...
    expect(await bodyOf(relay, '/tvdb/series/78879')).toBe(old);
    await until(() => calls('/v4/series/78879') >= 2);
    expect(await bodyOf(relay, '/tvdb/series/78879')).toBe(old);
    // ...the settle mark five seconds later makes the relay ask again, and then it is the new one.
    await untilChanged(relay, '/tvdb/series/78879', old);
    expect((relay.relay!.stats().feeds.tvdb as { settle_marks: number }).settle_marks).toBeGreaterThanOrEqual(1);
  });
});

describe('feeds never starve clients', () => {
  test('with the budget spent on client misses, the poll waits in the background lane and backs off', async () => {
    const relay = await harness.start({ TMDB_RATE_LIMIT: '5', TMDB_RATE_BURST: '5', UPSTREAM_QUEUE_TIMEOUT: '800ms', TVDB_API_KEY: '' });
    harness.fake.reset();
    let stop = false;
    let n = 0;
    const flood = async () => {
      while (!stop) await (await relay.get(`/tmdb/movies/${70_000 + n++}`)).arrayBuffer();
    };
    const load = Promise.all(Array.from({ length: 16 }, flood));
    await Bun.sleep(3_500);
    stop = true;
    await load;
    const feed = relay.relay!.stats().feeds.tmdb as { errors: number; backoff_ms: number };
    const changes = harness.fake.dataCalls('tmdb').filter((c) => c.path.endsWith('/changes')).length;
    const misses = harness.fake.dataCalls('tmdb').length - changes;
    console.log(`budget 5/s spent by clients: ${misses} client fills, ${changes} feed calls, feed errors ${feed.errors}, back-off ${feed.backoff_ms} ms`);
    expect(changes).toBe(0);
    expect(feed.errors).toBeGreaterThanOrEqual(1);
    expect(feed.backoff_ms).toBeGreaterThan(0);
  });
});
