/**
 * Days of changes, compressed: `bun run bench --only feeds` (issue #11).
 *
 * One simulated day lasts 144 s (1 s stands for 10 minutes); the run lasts `days` of them. A fake upstream in this
 * process (so the bench can edit its records) and the compiled relay; clients ask for movie and show
 * details on a Zipf distribution over 2,000 titles at a steady pace; 1% of the titles are edited at
 * random times each day. Twice, on fresh processes:
 * - TTL only: CHANGES_POLL_INTERVAL=0, details fresh for a (scaled) 24 h;
 * - feeds: CHANGES_POLL_INTERVAL=(scaled) 10 min, details fresh for a (scaled) 7 days.
 *
 * Staleness served: for each edit, how long clients kept getting the old body after it (the last old
 * answer, less the edit's time; 0 when none came). When a client got the old body and the new one had
 * reached nobody by the end of the run (TTL only, mostly), the old entry's expiry (read from the `age`
 * and `max-age` of the last old answer) stands for the last old answer: a floor.
 */
import { startFakeUpstream } from '../test/support/fake-upstream.ts';
import { startRelayProcess } from './lib/processes.ts';
import { mulberry32, zipfSampler } from './workload.ts';

const SCALE_MINUTE_MS = 1_000 / 10; // 10 simulated minutes per real second

export interface FeedsSimRun {
  mode: 'ttl-only' | 'feeds';
  requests: number;
  edits: number;
  clientUpstreamCalls: number;
  feedCalls: number;
  stalenessMinutes: number[];
  observed: number;
}

export interface FeedsSimReport {
  dayMs: number;
  days: number;
  titles: number;
  runs: FeedsSimRun[];
}

interface Options {
  titles: number;
  ratePerSecond: number;
  days: number;
}

const DAY_MS = 144_000;

export async function benchFeedsSim(relayCommand: string[], options: Options = { titles: 2_000, ratePerSecond: 400, days: 3 }): Promise<FeedsSimReport> {
  const runs: FeedsSimRun[] = [];
  for (const mode of ['ttl-only', 'feeds'] as const) runs.push(await runDays(relayCommand, mode, options));
  return { dayMs: DAY_MS, days: options.days, titles: options.titles, runs };
}

async function runDays(relayCommand: string[], mode: FeedsSimRun['mode'], options: Options): Promise<FeedsSimRun> {
  const fake = await startFakeUpstream();
  const minutes = (n: number) => `${Math.round(n * SCALE_MINUTE_MS)}ms`;
  const env: Record<string, string> =
    mode === 'ttl-only'
      ? { CHANGES_POLL_INTERVAL: '0', CACHE_TTL_DETAILS: `${minutes(24 * 60)}/${minutes(30 * 24 * 60)}` }
      : {
          CHANGES_POLL_INTERVAL: minutes(10),
          CHANGES_SETTLE_DELAYS: `${minutes(15)},${minutes(60)}`,
          CACHE_TTL_DETAILS: `${minutes(7 * 24 * 60)}/${minutes(30 * 24 * 60)}`,
        };
  const relay = await startRelayProcess(relayCommand, fake.relayEnv(), { ...env, TMDB_RATE_LIMIT: '5000', TMDB_RATE_BURST: '5000', UPSTREAM_MAX_CONCURRENCY: '64' });
  try {
    const random = mulberry32(7);
    const zipf = zipfSampler(options.titles, 1.0, random);
    // 1% of the titles edited each day, at random times (after the first tenth of the run, so they were cached).
    const runMs = DAY_MS * options.days;
    const edits: { rank: number; at: number }[] = [];
    for (let day = 0; day < options.days; day++) {
      const ranks = new Set<number>();
      while (ranks.size < Math.max(1, Math.floor(options.titles / 100))) ranks.add(zipf() + 1);
      for (const rank of ranks) edits.push({ rank, at: Math.max(0.1 * DAY_MS, DAY_MS * (day + random())) });
    }
    const pathOf = (rank: number) => (rank % 2 === 0 ? `/tmdb/movies/${1000 + rank}` : `/tmdb/tv/shows/${1000 + rank}`);
    const recordOf = (rank: number): ['movie' | 'tv', number] => [rank % 2 === 0 ? 'movie' : 'tv', 1000 + rank];

    const start = performance.now();
    const editTimers = edits.map(({ rank, at }) =>
      setTimeout(() => {
        const [type, id] = recordOf(rank);
        fake.editRecord('tmdb', type, id);
      }, at),
    );
    // Per edit: the last old answer after it, whether the new body reached a client, and the old entry's expiry.
    const lastOld = new Map<number, number>();
    const newSeen = new Set<number>();
    const oldExpiresAt = new Map<number, number>();
    const revisionOf = (rank: number, now: number) => edits.filter((e) => e.rank === rank && e.at <= now).length;
    let requests = 0;
    const intervalMs = 1000 / options.ratePerSecond;
    const inFlight: Promise<void>[] = [];
    for (let at = 0; at < runMs; at += intervalMs) {
      const wait = start + at - performance.now();
      if (wait > 1) await Bun.sleep(wait);
      const rank = zipf() + 1;
      requests++;
      inFlight.push(
        (async () => {
          const sentAt = performance.now() - start;
          const response = await fetch(relay.baseUrl + pathOf(rank), { headers: { 'accept-encoding': 'gzip' } });
          const body = await response.text();
          const revision = revisionOf(rank, sentAt);
          if (revision === 0) return;
          const served = Number(/\(rev (\d+)\)/.exec(body)?.[1] ?? 0);
          // Each edit between the served revision and the current one was answered old at sentAt.
          for (const [i, edit] of edits.entries()) {
            if (edit.rank !== rank || edit.at > sentAt) continue;
            const editRevision = edits.slice(0, i + 1).filter((e) => e.rank === rank).length;
            if (served >= editRevision) newSeen.add(i);
            else {
              lastOld.set(i, sentAt);
              const age = Number(response.headers.get('age') ?? 0) * 1000;
              const maxAge = Number(/max-age=(\d+)/.exec(response.headers.get('cache-control') ?? '')?.[1] ?? 0) * 1000;
              oldExpiresAt.set(i, sentAt - age + maxAge);
            }
          }
        })().catch(() => {}),
      );
      if (inFlight.length > 256) await Promise.all(inFlight.splice(0));
    }
    await Promise.all(inFlight);
    editTimers.forEach(clearTimeout);
    const stalenessMinutes: number[] = [];
    for (const [i, edit] of edits.entries()) {
      const old = lastOld.get(i);
      // Never got a new body, but got old ones: they go on until the old entry expires.
      const until = old === undefined ? edit.at : newSeen.has(i) ? old : Math.max(old, oldExpiresAt.get(i) ?? old);
      stalenessMinutes.push(Math.max(0, until - edit.at) / SCALE_MINUTE_MS);
    }
    const feedCalls = fake.dataCalls('tmdb').filter((c) => c.path.endsWith('/changes')).length;
    return { mode, requests, edits: edits.length, clientUpstreamCalls: fake.dataCalls('tmdb').length - feedCalls, feedCalls, stalenessMinutes, observed: newSeen.size };
  } finally {
    await relay.stop();
    await fake.stop();
  }
}

export function renderFeedsSim(report: FeedsSimReport): string[] {
  const pct = (values: number[], p: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted.length === 0 ? NaN : (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number);
  };
  const fmt = (m: number) => (Number.isNaN(m) ? '-' : m >= 120 ? `${(m / 60).toFixed(1)} h` : `${m.toFixed(0)} min`);
  const lines = [
    `### ${report.days} days of changes: ${report.titles.toLocaleString('en')} titles (Zipf), 1% edited a day at random times, one simulated day in ${report.dayMs / 1000} s (1 s = 10 min)`,
    '',
    '| mode | requests | edits | old body served after an edit, median | p90 | edits whose new body reached a client | upstream calls per 1000 requests (clients + feed) |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const run of report.runs) {
    const per1000 = ((run.clientUpstreamCalls + run.feedCalls) / run.requests) * 1000;
    const label = run.mode === 'ttl-only' ? 'TTL only, 24 h fresh' : 'feeds every 10 min, 7 d fresh';
    lines.push(
      `| ${label} | ${run.requests.toLocaleString('en')} | ${run.edits} | ${fmt(pct(run.stalenessMinutes, 0.5))} | ${fmt(pct(run.stalenessMinutes, 0.9))} | ${run.observed} of ${run.edits} | ${per1000.toFixed(1)} (${run.clientUpstreamCalls} + ${run.feedCalls}) |`,
    );
  }
  lines.push('');
  return lines;
}
