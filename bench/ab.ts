/**
 * `bun run bench:ab [--ref <git-ref>] [--rounds 4] [--duration 5] [--path <relay path>] [--path-b <path>] [--env K=V ...] [--redis] [--identity]`
 *
 * The hit path before and after a change, measured in one run: builds the binary of the working tree
 * (B) and of `--ref` (A, default HEAD~1) in a git worktree under .bench/, starts one fake upstream,
 * warms one relay of each, then alternates wrk runs A, B, A, B, ... so both sides see the same noise.
 * Prints the median req/s of each side, their ratio, and every round. `--env` adds relay variables
 * (e.g. CACHE_STORE=...) to B only, to measure what a setting costs against A (use --ref HEAD);
 * `--redis` starts a redis-server for the run and points B's CACHE_STORE at it.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startRedisServer, type RedisServer } from '../test/support/redis-server.ts';
import { commandExists, spawnUntil, startRelayProcess, type Started } from './lib/processes.ts';
import { runWrk } from './lib/wrk.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : (args[at + 1] ?? fallback);
};
const ref = flag('ref', 'HEAD~1');
const rounds = Number(flag('rounds', '4'));
const duration = Number(flag('duration', '5'));
const path = flag('path', '/tmdb/movies/550?append_to_response=credits,images,videos');
// --path-b: B requests another path (e.g. the same entry through another surface), with --ref HEAD.
const pathB = flag('path-b', path);
const extraEnv = Object.fromEntries(
  args.flatMap((arg, i) => (args[i - 1] === '--env' ? [arg.split('=') as [string, string]] : [])).map(([k, v]) => [k, v ?? '']),
);
const headers: Record<string, string> = args.includes('--identity') ? { accept: 'application/json' } : { 'accept-encoding': 'gzip', accept: 'application/json' };

if (!commandExists('wrk')) throw new Error('wrk is needed: apt-get install -y wrk');
const root = resolve(import.meta.dir, '..');

/** utime + stime of a process, in microseconds (from /proc; clock ticks are 100 Hz on Linux). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

function run(cmd: string[], cwd: string): string {
  const result = Bun.spawnSync(cmd, { cwd, stdout: 'pipe', stderr: 'pipe' });
  if (result.exitCode !== 0) throw new Error(`${cmd.join(' ')} failed in ${cwd}: ${result.stderr.toString()}`);
  return result.stdout.toString().trim();
}

/** Builds the binary of `ref` in .bench/ab-<sha> (reused when already built). */
function buildRef(): { binary: string; sha: string } {
  const sha = run(['git', 'rev-parse', '--short', ref], root);
  const dir = join(root, '.bench', `ab-${sha}`);
  const binary = join(dir, 'dist', 'metadata-relay');
  if (!existsSync(binary)) {
    mkdirSync(join(root, '.bench'), { recursive: true });
    if (!existsSync(dir)) run(['git', 'worktree', 'add', '--detach', dir, sha], root);
    run(['bun', 'install', '--frozen-lockfile'], dir);
    run(['bun', 'run', 'build'], dir);
  }
  return { binary, sha };
}

const a = buildRef();
run(['bun', 'run', 'build'], root);
const b = join(root, 'dist', 'metadata-relay');

const fake = await spawnUntil(['bun', 'test/support/fake-upstream-cli.ts', '--latency', '30-80'], 'tmdbBaseUrl', {}, root);
const line = JSON.parse(fake.readyLine) as { tmdbBaseUrl: string; tvdbBaseUrl: string; tmdbApiKey: string; tvdbApiKey: string };
const relayEnv = { TMDB_API_KEY: line.tmdbApiKey, TMDB_BASE_URL: line.tmdbBaseUrl, TVDB_API_KEY: line.tvdbApiKey, TVDB_BASE_URL: line.tvdbBaseUrl };
const started: Started[] = [fake];
let redis: RedisServer | null = null;
if (args.includes('--redis')) {
  redis = await startRedisServer();
  extraEnv.CACHE_STORE = redis.url;
}
try {
  const relayA = await startRelayProcess([a.binary], relayEnv);
  started.push(relayA);
  const relayB = await startRelayProcess([b], relayEnv, extraEnv);
  started.push(relayB);
  for (const url of [relayA.baseUrl + path, relayB.baseUrl + pathB]) {
    for (let i = 0; i < 3; i++) await (await fetch(url, { headers })).arrayBuffer();
  }
  const results: Record<'A' | 'B', number[]> = { A: [], B: [] };
  // CPU time the relay process spent per request: steadier than req/s on a shared machine, because
  // time other processes take from the relay's core does not count in it.
  const cpuPerRequest: Record<'A' | 'B', number[]> = { A: [], B: [] };
  const wrk = { connections: 64, threads: 1, durationSeconds: duration, headers };
  for (let round = 0; round < rounds; round++) {
    // Alternate which side goes first, so neither always runs on a warmer or colder machine.
    const order: ('A' | 'B')[] = round % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
    for (const side of order) {
      const relay = side === 'A' ? relayA : relayB;
      const cpuBefore = cpuMicros(relay.process.pid);
      const result = await runWrk(relay.baseUrl + (side === 'A' ? path : pathB), wrk);
      cpuPerRequest[side].push((cpuMicros(relay.process.pid) - cpuBefore) / (result.requestsPerSecond * duration));
      if (result.non2xx + result.socketErrors > 0) throw new Error(`${side}: ${result.non2xx} non-2xx, ${result.socketErrors} socket errors`);
      results[side].push(result.requestsPerSecond);
    }
  }
  const median = (values: number[]) => {
    const sorted = [...values].sort((x, y) => x - y);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  };
  const env = Object.keys(extraEnv).length > 0 ? ` with ${Object.entries(extraEnv).map(([k, v]) => `${k}=${v}`).join(' ')}` : '';
  const paths = pathB === path ? `GET ${path}` : `A: GET ${path}, B: GET ${pathB}`;
  console.log(`A/B hit path: ${paths}${args.includes('--identity') ? ' (identity)' : ' (gzip)'}, wrk -t1 -c64 -d${duration}s x ${rounds} rounds each, alternating`);
  console.log(`| side | build | median req/s | relay CPU per request (median) | rounds (req/s) |`);
  console.log(`|---|---|---:|---:|---|`);
  for (const side of ['A', 'B'] as const) {
    const name = side === 'A' ? `${a.sha} (${ref})` : `working tree${env}`;
    console.log(`| ${side} | ${name} | ${Math.round(median(results[side])).toLocaleString('en')} | ${median(cpuPerRequest[side]).toFixed(2)} µs | ${results[side].map((v) => Math.round(v)).join(', ')} |`);
  }
  console.log(`B / A: req/s ${(median(results.B) / median(results.A)).toFixed(3)}, CPU per request ${(median(cpuPerRequest.B) / median(cpuPerRequest.A)).toFixed(3)}`);
} finally {
  for (const s of started.reverse()) await s.stop();
  await redis?.stop();
}
