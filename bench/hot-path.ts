import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNginx } from './lib/nginx.ts';
import { commandExists, freePort, spawnUntil, startRelayProcess, type Started } from './lib/processes.ts';
import { runWrk, type LoadResult } from './lib/wrk.ts';
import type { FakeInfo } from './run.ts';

export interface HotPathRow {
  name: string;
  result: LoadResult;
}

export interface HotPathReport {
  path: string;
  bodyBytes: number;
  gzipBytes: number;
  rows: HotPathRow[];
}

const DETAIL_PATH = '/tmdb/movies/550?append_to_response=credits,images,videos';
const CLIENT_HEADERS = { 'accept-encoding': 'gzip', accept: 'application/json' };
/** curl, scripts and some drop-in clients: no Accept-Encoding at all. */
const IDENTITY_HEADERS = { accept: 'application/json' };

/**
 * Cache-hit throughput for one hot detail route at 64 connections: the relay (as shipped, the
 * compiled binary) vs nginx proxy_cache vs a bare Bun.serve sending the same bytes, one after another
 * in one run, so their ratios are comparable on a noisy machine.
 */
export async function benchHotPath(fake: FakeInfo, relayCommand: string[], durationSeconds: number): Promise<HotPathReport> {
  const wrk = { connections: 64, threads: 1, durationSeconds, headers: CLIENT_HEADERS };
  const wrkIdentity = { ...wrk, headers: IDENTITY_HEADERS };
  const rows: HotPathRow[] = [];
  const stops: Started[] = [];
  try {
    const relayFor = async (logLevel: string) => {
      const relay = await startRelayProcess(relayCommand, fake.relayEnv, { LOG_LEVEL: logLevel });
      stops.push(relay);
      return relay.baseUrl;
    };

    const relayUrl = await relayFor('warn');
    const warm = await fetch(relayUrl + DETAIL_PATH, { headers: CLIENT_HEADERS, decompress: false });
    const gzipBody = new Uint8Array(await warm.arrayBuffer());
    const bodyBytes = Bun.gunzipSync(gzipBody).byteLength;
    const relayHeaders = Object.fromEntries([...warm.headers].filter(([name]) => !['date', 'content-length'].includes(name)));
    rows.push({ name: 'relay (LOG_LEVEL=warn)', result: await runWrk(relayUrl + DETAIL_PATH, wrk) });
    await (await fetch(relayUrl + DETAIL_PATH, { headers: IDENTITY_HEADERS, decompress: false })).arrayBuffer();
    rows.push({ name: 'relay, identity clients (no gzip)', result: await runWrk(relayUrl + DETAIL_PATH, wrkIdentity) });

    const relayInfoUrl = await relayFor('info');
    await (await fetch(relayInfoUrl + DETAIL_PATH)).arrayBuffer();
    rows.push({ name: 'relay (LOG_LEVEL=info, a log line per request)', result: await runWrk(relayInfoUrl + DETAIL_PATH, wrk) });
    await stops.pop()?.stop();

    if (commandExists('nginx')) {
      const port = await freePort();
      const nginx = await startNginx(port, fake.tmdbBaseUrl, fake.tmdbApiKey);
      stops.push(nginx);
      const url = `http://127.0.0.1:${port}${DETAIL_PATH}`;
      for (let i = 0; i < 2; i++) await (await fetch(url, { headers: CLIENT_HEADERS })).arrayBuffer();
      rows.push({ name: 'nginx proxy_cache (1 worker)', result: await runWrk(url, wrk) });
      const identityUrl = `http://127.0.0.1:${port}/identity${DETAIL_PATH}`;
      for (let i = 0; i < 2; i++) await (await fetch(identityUrl, { headers: IDENTITY_HEADERS, decompress: false })).arrayBuffer();
      rows.push({ name: 'nginx proxy_cache, identity clients (no gzip)', result: await runWrk(identityUrl, wrkIdentity) });
    }

    const dir = mkdtempSync(join(tmpdir(), 'relay-bench-bare-'));
    writeFileSync(join(dir, 'body.gz'), gzipBody);
    const barePort = await freePort();
    const bare = await spawnUntil(['bun', 'bench/bare-server.ts'], '"listening"', {
      BODY_FILE: join(dir, 'body.gz'),
      HEADERS_JSON: JSON.stringify(relayHeaders),
      PORT: String(barePort),
    });
    stops.push(bare);
    rows.push({ name: 'bare Bun.serve (same bytes)', result: await runWrk(`http://127.0.0.1:${barePort}${DETAIL_PATH}`, wrk) });

    return { path: DETAIL_PATH, bodyBytes, gzipBytes: gzipBody.byteLength, rows };
  } finally {
    for (const started of stops.reverse()) await started.stop();
  }
}
