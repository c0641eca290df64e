/**
 * The contract suite: every route Mydia uses, against our relay on a real port talking to the fake
 * upstream. Runs twice: against createApp() in this process, and against the compiled binary.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startFakeUpstream, type FakeUpstream, type RecordedRequest } from '../support/fake-upstream.ts';
import { startRelay, type RelayTarget, type RelayUnderTest } from '../support/relay.ts';
import { CONTRACT_CASES, type ContractCase } from './cases.ts';

const TARGETS: RelayTarget[] = ['in-process', 'binary'];

for (const target of TARGETS) {
  describe(`contract (${target})`, () => {
    let fake: FakeUpstream;
    let relay: RelayUnderTest;
    let tmdbKey: string;

    beforeAll(async () => {
      fake = await startFakeUpstream();
      tmdbKey = fake.options.tmdbApiKey;
      relay = await startRelay(target, {
        env: {
          TMDB_API_KEY: tmdbKey,
          TMDB_BASE_URL: fake.tmdbBaseUrl,
          TVDB_API_KEY: fake.options.tvdbApiKey,
          TVDB_BASE_URL: fake.tvdbBaseUrl,
        },
      });
    }, 60_000);

    afterAll(async () => {
      await relay?.stop();
      await fake?.stop();
    });

    for (const contract of CONTRACT_CASES) {
      test(`GET ${contract.relay}`, async () => {
        const expected = await directFromUpstream(fake, contract, tmdbKey);
        fake.reset();

        const response = await relay.get(contract.relay, { headers: { accept: 'application/json', 'user-agent': 'Mydia/1.0', 'accept-encoding': 'identity' } });
        const body = new Uint8Array(await response.arrayBuffer());

        expect(response.status).toBe(expected.status);
        expect(response.headers.get('content-type')).toBe(expected.contentType);
        expect(Buffer.from(body).equals(Buffer.from(expected.body))).toBe(true);

        const calls = fake.dataCalls(contract.upstream);
        expect(calls).toHaveLength(1);
        const call = calls[0] as RecordedRequest;
        expect(call.method).toBe('GET');
        expect(call.path).toBe(contract.path);
        const { api_key: sentKey, ...forwarded } = call.query;
        expect(forwarded).toEqual(contract.query);
        if (contract.upstream === 'tmdb') {
          expect(sentKey).toBe(tmdbKey);
          expect(call.headers.authorization).toBeUndefined();
        } else {
          expect(sentKey).toBeUndefined();
          expect(call.headers.authorization).toMatch(/^Bearer eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
        }
      });
    }

    test('one TVDB login served every TVDB call above', async () => {
      // fake.reset() clears the fake's record between cases, so count from the relay's own stats.
      const stats = (await (await relay.get('/stats')).json()) as { upstreams: { tvdb: { logins: number } } };
      expect(stats.upstreams.tvdb.logins).toBe(1);
    });
  });
}

describe('contract: TMDB read access token', () => {
  let fake: FakeUpstream;
  let relay: RelayUnderTest;

  beforeAll(async () => {
    fake = await startFakeUpstream();
    relay = await startRelay('in-process', {
      env: { TMDB_ACCESS_TOKEN: fake.options.tmdbAccessToken, TMDB_BASE_URL: fake.tmdbBaseUrl },
    });
  });
  afterAll(async () => {
    await relay.stop();
    await fake.stop();
  });

  test('travels as Authorization: Bearer, never as api_key', async () => {
    const response = await relay.get('/tmdb/movies/550?api_key=smuggled');
    expect(response.status).toBe(200);
    const [call] = fake.dataCalls('tmdb');
    expect(call?.headers.authorization).toBe(`Bearer ${fake.options.tmdbAccessToken}`);
    expect(call?.query.api_key).toBeUndefined();
    expect(call?.rawQuery).not.toContain('smuggled');
  });

  test('TVDB without a key answers 503 TVDB not configured and calls nothing', async () => {
    fake.reset();
    const response = await relay.get('/tvdb/series/81189');
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ error: 'TVDB not configured' });
    expect(fake.requests).toHaveLength(0);
  });
});

/** What the upstream itself answers for this case, fetched straight from the fake, uncompressed. */
async function directFromUpstream(fake: FakeUpstream, contract: ContractCase, tmdbKey: string) {
  // Sorted and percent-encoded like the relay's canonical query, so echoes (TVDB links) match too.
  const pairs = Object.entries(contract.query).sort(([a], [b]) => (a < b ? -1 : 1));
  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  let base: string;
  if (contract.upstream === 'tmdb') {
    pairs.push(['api_key', tmdbKey]);
    base = fake.tmdbBaseUrl;
  } else {
    const login = await fetch(`${fake.tvdbBaseUrl}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apikey: fake.options.tvdbApiKey }),
    });
    const { data } = (await login.json()) as { data: { token: string } };
    headers.authorization = `Bearer ${data.token}`;
    base = fake.tvdbBaseUrl;
  }
  const path = contract.path.replace(/^\/(3|v4)/, '');
  const query = pairs.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&');
  const response = await fetch(`${base}${path}${query ? `?${query}` : ''}`, { headers });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: new Uint8Array(await response.arrayBuffer()),
  };
}
