import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteTier } from '../../../src/cache/tiers/sqlite.ts';
import { tierContract } from './contract.ts';

tierContract('sqlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-sqlite-contract-'));
  const tier = new SqliteTier({ path: join(dir, 'cache.db'), maxBytes: 64 * 1024 * 1024, now: () => 1_800_000_000_000 });
  return { tier, stop: () => rmSync(dir, { recursive: true, force: true }) };
});
