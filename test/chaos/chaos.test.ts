/**
 * The short chaos run (`bun run chaos --short`), in CI: every phase of bench/chaos/ against the
 * compiled binary, failing on any lost request, crash, unbounded memory or leaked key (RELIABILITY.md
 * holds the full run and explains each check).
 */
import { expect, test } from 'bun:test';
import { runChaos } from '../../bench/chaos/chaos.ts';
import { ensureBinary } from '../support/relay.ts';

test('chaos, short: soak, outages, the second tier killed, hostile bodies, TVDB revocation, SIGTERM, kill -9', async () => {
  const binary = await ensureBinary();
  const run = await runChaos({
    binary,
    short: true,
    only: new Set(['soak', 'outages', 'tier', 'hostile', 'tvdb', 'sigterm', 'restart']),
    log: () => {},
  });
  for (const phase of run.phases) {
    console.log(`chaos ${phase.name}: ${JSON.stringify(phase.answers)}, upstream ${phase.upstreamCalls}, RSS peak ${phase.rssPeakMiB} MiB: ${phase.checks.filter((c) => !c.ok).map((c) => `${c.target ? 'target missed' : 'FAILED'}: ${c.name} (${c.detail})`).join('; ') || 'all checks pass'}`);
  }
  expect(run.phases.length).toBe(16);
  expect(run.failures).toEqual([]);
}, 240_000);
