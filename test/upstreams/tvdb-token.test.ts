import { describe, expect, test } from 'bun:test';
import { UpstreamFailure } from '../../src/upstreams/errors.ts';
import { jwtExpiry, renewTime, TvdbTokenManager } from '../../src/upstreams/tvdb-token.ts';
import type { UpstreamResponse } from '../../src/upstreams/types.ts';

const DAY = 86_400_000;

function jwt(expMs: number, id: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ exp: Math.floor(expMs / 1000), id })}.c2ln`;
}

function loginAnswer(status: number, body: object): UpstreamResponse {
  return { status, contentType: 'application/json', body: new TextEncoder().encode(JSON.stringify(body)), retryAfter: null };
}

describe('TvdbTokenManager (login function stubbed; the HTTP path is covered in test/contract)', () => {
  test('many concurrent callers share one login', async () => {
    let now = 1_000_000;
    let logins = 0;
    const manager = new TvdbTokenManager(async () => {
      logins++;
      await Bun.sleep(20);
      return loginAnswer(200, { status: 'success', data: { token: jwt(now + 30 * DAY, logins) } });
    }, () => now);
    const tokens = await Promise.all(Array.from({ length: 50 }, () => manager.token()));
    expect(logins).toBe(1);
    expect(new Set(tokens).size).toBe(1);
  });

  test('renews in the background before exp, and invalidate only drops the current token', async () => {
    let now = 1_000_000;
    let logins = 0;
    const manager = new TvdbTokenManager(async () => {
      logins++;
      return loginAnswer(200, { status: 'success', data: { token: jwt(now + 30 * DAY, logins) } });
    }, () => now);
    const first = await manager.token();
    now += 28 * DAY; // renewal starts a day before exp (day 29)
    expect(await manager.token()).toBe(first);
    now += 1.5 * DAY; // inside the renewal window: the old token still serves, one login replaces it
    expect(await manager.token()).toBe(first);
    await Bun.sleep(1);
    const second = await manager.token();
    expect(second).not.toBe(first);
    expect(logins).toBe(2);
    manager.invalidate(first); // stale token: no effect
    expect(await manager.token()).toBe(second);
    manager.invalidate(second);
    expect(await manager.token()).not.toBe(second);
    expect(logins).toBe(3);
  });

  test('a failing renewal never fails a request while the token is still valid', async () => {
    let now = 1_000_000;
    let up = true;
    let logins = 0;
    const manager = new TvdbTokenManager(async () => {
      logins++;
      if (!up) return loginAnswer(503, { status: 'failure', message: 'down', data: null });
      return loginAnswer(200, { status: 'success', data: { token: jwt(now + 30 * DAY, logins) } });
    }, () => now);
    const token = await manager.token();
    up = false;
    now += 29.5 * DAY; // 12 h before exp
    for (let i = 0; i < 10; i++) {
      expect(await manager.token()).toBe(token);
      await Bun.sleep(1);
    }
    expect(logins).toBe(2); // one failed renewal, then a 5 s back-off
    now += 5_001;
    expect(await manager.token()).toBe(token);
    await Bun.sleep(1);
    expect(logins).toBe(3);
    now += 13 * 3_600_000; // past exp, login still down: now requests fail, fast
    await expect(manager.token()).rejects.toMatchObject({ kind: 'login_failed' });
    await expect(manager.token()).rejects.toMatchObject({ kind: 'login_failed' });
    expect(logins).toBe(4);
  });

  test('a rejected key fails fast for a while instead of hammering /login', async () => {
    let now = 0;
    let logins = 0;
    const manager = new TvdbTokenManager(async () => {
      logins++;
      return loginAnswer(401, { status: 'failure', message: 'InvalidAPIKey: apikey invalid', data: null });
    }, () => now);
    await expect(manager.token()).rejects.toBeInstanceOf(UpstreamFailure);
    await expect(manager.token()).rejects.toMatchObject({ kind: 'auth_rejected' });
    expect(logins).toBe(1);
    now += 31_000;
    await expect(manager.token()).rejects.toMatchObject({ kind: 'auth_rejected' });
    expect(logins).toBe(2);
  });

  test('jwtExpiry reads exp; renewTime falls back for opaque tokens', () => {
    expect(jwtExpiry(jwt(5_000_000_000, 1))).toBe(5_000_000_000);
    expect(jwtExpiry('not-a-jwt')).toBeNull();
    expect(renewTime('opaque', 0)).toBe(27 * DAY);
    // A one-hour token is renewed at half its life, not a day before (which would be in the past).
    expect(renewTime(jwt(3_600_000, 1), 0)).toBe(1_800_000);
  });
});
