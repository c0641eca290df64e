/**
 * Durations and sizes as operators write them. A duration needs a unit ("86400" is not a day in any
 * unit people assume), except for variables named ..._MS, which take bare milliseconds, and `0`.
 */
const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/;
const DURATION_FACTOR = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "250ms", "30s", "5m", "24h", "30d"; a bare number only with `bareMs` (or 0). Undefined when unreadable. */
export function parseDuration(text: string, bareMs = false): number | undefined {
  const match = DURATION.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = match[2] as keyof typeof DURATION_FACTOR | undefined;
  if (unit === undefined && !bareMs && value !== 0) return undefined;
  return Math.round(value * DURATION_FACTOR[unit ?? 'ms']);
}

/** Whether a duration failed only for want of a unit (for a message that says so). */
export function lacksUnit(text: string): boolean {
  const match = DURATION.exec(text);
  return match !== null && match[2] === undefined && Number(match[1]) !== 0;
}

/**
 * "268435456", "256KiB", "256MiB", "1GiB"; "256K", "256M", "1G" as binary too (as nginx and the JVM read
 * them); "256KB", "64MB", "1GB" as decimal (SI). Case does not matter.
 */
export function parseBytes(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = (match[2] ?? '').toLowerCase();
  const binary: Record<string, number> = { '': 1, b: 1, k: 1024, ki: 1024, kib: 1024, m: 1024 ** 2, mi: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gi: 1024 ** 3, gib: 1024 ** 3, t: 1024 ** 4, ti: 1024 ** 4, tib: 1024 ** 4 };
  const decimal: Record<string, number> = { kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12 };
  const factor = binary[unit] ?? decimal[unit];
  return factor === undefined ? undefined : Math.round(Number(match[1]) * factor);
}

/** "7d", "90s", "250ms": a duration in the largest unit that writes it whole, as the variables take it. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** "256 MiB", "2 GiB": a size as people read it, for messages and the start banner. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) if (bytes >= size) return `${Math.round((bytes / size) * 10) / 10} ${unit}`;
  return `${bytes} B`;
}
