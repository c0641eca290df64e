/**
 * fly.toml must agree with the relay's own defaults (src/config.ts): the port it listens on, the
 * drain time it needs on SIGTERM, and the memory its default cache takes. It must also carry no
 * credentials. Bun parses the TOML at import time, so a syntax error fails this file outright.
 */
import { describe, expect, test } from 'bun:test';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import flyConfig from '../../fly.toml';
import { DEFAULTS } from '../../src/config.ts';

const REPO_ROOT = join(import.meta.dir, '..', '..');
const SECRET_NAME = /KEY|TOKEN|PIN|SECRET/i;

type Table = Readonly<Record<string, unknown>>;

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `[name]` inside `parent`; fails the test with the path when missing. */
function table(parent: Table, name: string): Table {
  const value = parent[name];
  if (!isTable(value)) throw new Error(`fly.toml: [${name}] is missing or not a table`);
  return value;
}

/** `[[name]]` inside `parent`: an array of tables. */
function tables(parent: Table, name: string): Table[] {
  const value = parent[name];
  if (!Array.isArray(value) || !value.every(isTable)) throw new Error(`fly.toml: [[${name}]] is missing or not an array of tables`);
  return value;
}

/**
 * Fly durations are either whole seconds (a number) or Go duration strings ("15s", "1m30s",
 * "500ms"). Returns seconds, or NaN when the text is not a duration.
 */
function durationSeconds(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || !/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(value)) return NaN;
  const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
  let seconds = 0;
  for (const [, amount, , suffix] of value.matchAll(/(\d+(\.\d+)?)(ms|s|m|h)/g)) {
    seconds += Number(amount) * (unit[suffix ?? ''] ?? NaN);
  }
  return seconds;
}

/** Fly VM memory: `memory = "1gb" | "512mb" | 512` (bare numbers are MB) or `memory_mb = 512`. Fly's gb is 1024 MB. */
function vmMemoryMiB(vm: Table): number {
  const value = vm.memory ?? vm.memory_mb;
  if (typeof value === 'number') return value;
  const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?)\s*(gb|mb)?$/i.exec(value.trim()) : null;
  if (!match) return NaN;
  return Number(match[1]) * (match[2]?.toLowerCase() === 'gb' ? 1024 : 1);
}

const config: Table = flyConfig;
const httpService = table(config, 'http_service');

describe('fly.toml', () => {
  test('names an app and a primary region, and builds from the Dockerfile', () => {
    expect(config.app).toBeString();
    expect(config.app).not.toBe('');
    expect(config.primary_region).toBeString();
    expect(config.primary_region).not.toBe('');
    const dockerfile = table(config, 'build').dockerfile;
    expect(dockerfile).toBe('Dockerfile');
    expect(existsSync(join(REPO_ROOT, 'Dockerfile'))).toBe(true);
  });

  test('routes to the port the relay listens on by default, over HTTPS only', () => {
    expect(httpService.internal_port).toBe(DEFAULTS.port);
    expect(httpService.force_https).toBe(true);
    // [env] PORT, when set, must agree with internal_port or Fly's proxy would find nothing there.
    const env = table(config, 'env');
    if (env.PORT !== undefined) expect(env.PORT).toBe(String(DEFAULTS.port));
  });

  test('suspends idle machines but always keeps one running', () => {
    expect(httpService.auto_stop_machines).toBe('suspend');
    expect(httpService.auto_start_machines).toBe(true);
    const minRunning = httpService.min_machines_running;
    if (typeof minRunning !== 'number') throw new Error('min_machines_running must be a number');
    expect(minRunning).toBeGreaterThanOrEqual(1);
  });

  test('limits concurrency in requests, with the soft limit below the hard one', () => {
    const concurrency = table(httpService, 'concurrency');
    expect(concurrency.type).toBe('requests');
    const { soft_limit: soft, hard_limit: hard } = concurrency;
    if (typeof soft !== 'number' || typeof hard !== 'number') throw new Error('soft_limit and hard_limit must be numbers');
    expect(soft).toBeGreaterThan(0);
    expect(soft).toBeLessThan(hard);
  });

  test('health-checks GET /health with sane timings', () => {
    const checks = tables(httpService, 'checks');
    const health = checks.find((check) => check.path === '/health');
    if (!health) throw new Error('no [[http_service.checks]] entry with path "/health"');
    expect(health.method ?? 'GET').toBe('GET');
    const interval = durationSeconds(health.interval);
    const timeout = durationSeconds(health.timeout);
    const grace = durationSeconds(health.grace_period);
    expect(interval).toBeGreaterThan(0);
    expect(grace).toBeGreaterThan(0);
    expect(timeout).toBeGreaterThan(0);
    expect(timeout).toBeLessThan(interval);
  });

  test('sends SIGTERM and waits longer than the relay drains before killing', () => {
    expect(config.kill_signal).toBe('SIGTERM');
    const killTimeout = durationSeconds(config.kill_timeout);
    expect(killTimeout).not.toBeNaN();
    expect(killTimeout).toBeGreaterThan(DEFAULTS.shutdownTimeoutMs / 1000);
  });

  test('gives the VM at least twice the default cache size in memory', () => {
    const vms = tables(config, 'vm');
    expect(vms.length).toBeGreaterThanOrEqual(1);
    const cacheMiB = DEFAULTS.cacheMaxBytes / (1024 * 1024);
    for (const vm of vms) {
      const memory = vmMemoryMiB(vm);
      expect(memory).not.toBeNaN();
      expect(memory).toBeGreaterThanOrEqual(2 * cacheMiB);
    }
  });

  test('[env] holds no credentials', () => {
    const names = Object.keys(table(config, 'env'));
    expect(names.filter((name) => SECRET_NAME.test(name))).toEqual([]);
  });

  test('[metrics] scrapes /metrics on the relay port', () => {
    const metrics = table(config, 'metrics');
    expect(metrics.port).toBe(DEFAULTS.port);
    expect(metrics.path).toBe('/metrics');
  });
});

describe('fly.toml parsing helpers', () => {
  test('durationSeconds reads Fly numbers and Go durations', () => {
    expect(durationSeconds(15)).toBe(15);
    expect(durationSeconds('15s')).toBe(15);
    expect(durationSeconds('1m30s')).toBe(90);
    expect(durationSeconds('500ms')).toBe(0.5);
    expect(durationSeconds('15 seconds')).toBeNaN();
    expect(durationSeconds(undefined)).toBeNaN();
  });

  test('vmMemoryMiB reads Fly memory sizes', () => {
    expect(vmMemoryMiB({ memory: '1gb' })).toBe(1024);
    expect(vmMemoryMiB({ memory: '512mb' })).toBe(512);
    expect(vmMemoryMiB({ memory: 2048 })).toBe(2048);
    expect(vmMemoryMiB({ memory_mb: 256 })).toBe(256);
    expect(vmMemoryMiB({ memory: 'lots' })).toBeNaN();
  });
});
