/**
 * `bun run demo`: the relay against the bundled fake TMDB/TVDB (30-80 ms latency), no keys needed.
 * Open the Swagger UI it prints, try a route twice, and watch x-cache go from MISS to HIT.
 */
import { startFakeUpstream } from '../test/support/fake-upstream.ts';

const port = process.env.PORT ?? '4001';
const fake = await startFakeUpstream({ latencyMs: [30, 80] });
const relay = Bun.spawn(['bun', 'src/index.ts'], {
  cwd: `${import.meta.dir}/..`,
  env: {
    ...process.env,
    PORT: port,
    TMDB_API_KEY: fake.options.tmdbApiKey,
    TMDB_BASE_URL: fake.tmdbBaseUrl,
    TVDB_API_KEY: fake.options.tvdbApiKey,
    TVDB_BASE_URL: fake.tvdbBaseUrl,
  },
  stdout: 'pipe',
  stderr: 'inherit',
});

/** Forwards the relay's log and resolves when it says it listens (false when it exits first). */
async function listening(): Promise<boolean> {
  const reader = relay.stdout.getReader();
  const decoder = new TextDecoder();
  let seen = false;
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return seen;
    const text = decoder.decode(value, { stream: true });
    process.stdout.write(text);
    buffered += text;
    if (!seen && buffered.includes('"msg":"listening"')) {
      seen = true;
      void (async () => {
        for (;;) {
          const next = await reader.read();
          if (next.done) break;
          process.stdout.write(next.value);
        }
      })();
      return true;
    }
  }
}

const base = `http://127.0.0.1:${port}`;
// The banner only once the relay listens: a relay that cannot start (port in use) ends the demo with its code.
if (!(await listening())) {
  const code = await relay.exited;
  await fake.stop();
  process.exit(code === 0 ? 1 : code);
}
console.error(`
metadata-relay demo: the relay on ${base}, in front of a fake TMDB/TVDB on this machine.

  Swagger UI   ${base}/swagger
  Try          curl -si '${base}/tmdb/movies/550?append_to_response=credits' | grep -i x-cache   (MISS, then HIT)
               curl -s  '${base}/tvdb/series/78878/extended?meta=episodes' | head -c 300
  Counters     ${base}/stats      Metrics ${base}/metrics

Ctrl-C stops both.
`);

const stop = async () => {
  relay.kill('SIGTERM');
  await relay.exited;
  await fake.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
const code = await relay.exited;
await fake.stop();
process.exit(code);
