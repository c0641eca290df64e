/**
 * `bun run chaos [--short] [--only soak,outages,tier,hostile,tvdb,sigterm,restart] [--binary <path>] [--write]`
 *
 * The repeatable proof of issue #13: a soak with a small cache, upstream outages, the second tier
 * killed, hostile upstream bodies, TVDB token revocation, SIGTERM under load, and kill -9 with a
 * restart on the SQLite tier. Prints RELIABILITY.md's text; --write puts it in RELIABILITY.md.
 * Exits 1 when any check fails.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { runChaos } from './chaos.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : (args[at + 1] ?? fallback);
};

const binary = flag('binary', '');
const started = Date.now();
const result = await runChaos({
  binary: binary === '' ? null : binary,
  short: args.includes('--short'),
  only: new Set(flag('only', 'soak,outages,tier,hostile,tvdb,sigterm,restart').split(',')),
  log: (line) => console.error(line),
});
const text = result.render({
  command: `bun run chaos ${args.filter((a) => a !== '--write').join(' ')}`.trim(),
  when: `${new Date().toISOString().slice(0, 16)}Z`,
  machine: `${cpus().length} cores (${cpus()[0]?.model ?? 'cpu'}), Bun ${Bun.version}`,
  seconds: (Date.now() - started) / 1000,
});
console.log(text);
if (args.includes('--write')) writeFileSync(join(import.meta.dir, '..', '..', 'RELIABILITY.md'), text + '\n');
process.exit(result.passed ? 0 : 1);
