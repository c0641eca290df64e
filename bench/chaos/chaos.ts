import { join } from 'node:path';
import { killStrayRelays } from './relay-process.ts';
import { hostileBodies, killAndRestart, outages, secondTierKilled, sigterm, soak, tvdbRevocation, type ChaosOptions, type PhaseReport } from './phases.ts';
import { renderReliability } from './report.ts';

const REPO_ROOT = join(import.meta.dir, '..', '..');

export interface ChaosRun {
  phases: PhaseReport[];
  passed: boolean;
  failures: string[];
  render(header: Parameters<typeof renderReliability>[1]): string;
}

/** Runs the chosen phases one after another (each with its own relay, fake and servers). */
export async function runChaos(options: { binary: string | null; short: boolean; only: ReadonlySet<string>; log: (line: string) => void }): Promise<ChaosRun> {
  const binary = options.binary ?? build();
  const chaos: ChaosOptions = { binary, short: options.short, log: options.log };
  const phases: PhaseReport[] = [];
  const steps: [string, () => Promise<PhaseReport | PhaseReport[]>][] = [
    ['soak', () => soak(chaos)],
    ['outages', () => outages(chaos)],
    ['tier', () => secondTierKilled(chaos)],
    ['hostile', () => hostileBodies(chaos)],
    ['tvdb', () => tvdbRevocation(chaos)],
    ['sigterm', () => sigterm(chaos)],
    ['restart', () => killAndRestart(chaos)],
  ];
  for (const [name, step] of steps) {
    if (!options.only.has(name)) continue;
    options.log(`--- ${name}`);
    try {
      const result = await step();
      phases.push(...(Array.isArray(result) ? result : [result]));
    } finally {
      const strays = await killStrayRelays();
      if (strays > 0) options.log(`${name}: killed ${strays} relay(s) the phase left running`);
    }
  }
  const failures = phases.flatMap((phase) => phase.checks.filter((c) => !c.ok && !c.target).map((c) => `${phase.name}: ${c.name} (${c.detail})`));
  return { phases, passed: failures.length === 0, failures, render: (header) => renderReliability(phases, header) };
}

function build(): string {
  const result = Bun.spawnSync(['bun', 'run', 'build'], { cwd: REPO_ROOT, stdout: 'ignore', stderr: 'pipe' });
  if (result.exitCode !== 0) throw new Error(`build failed: ${result.stderr.toString()}`);
  return join(REPO_ROOT, 'dist', 'metadata-relay');
}
