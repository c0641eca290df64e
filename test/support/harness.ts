/**
 * The usual test set-up: one fake upstream per file, a fresh relay per test (in this process, on a
 * real port) pointed at it, everything stopped afterwards and the fake's record cleared.
 */
import { afterAll, afterEach, beforeAll } from 'bun:test';
import { startFakeUpstream, type FakeUpstream, type FakeUpstreamOptions } from './fake-upstream.ts';
import { startRelay, type RelayUnderTest } from './relay.ts';

export class RelayHarness {
  private currentFake: FakeUpstream | undefined;
  relay: RelayUnderTest | undefined;

  constructor(private readonly baseEnv: Record<string, string>) {}

  get fake(): FakeUpstream {
    if (!this.currentFake) throw new Error('the fake upstream is not running (use useRelayHarness)');
    return this.currentFake;
  }

  /** Environment that points a relay at the fake with its keys. */
  upstreamEnv(): Record<string, string> {
    return this.fake.relayEnv();
  }

  /** A relay for this test; the fake's record starts empty afterwards. */
  async start(overrides: Record<string, string> = {}, now?: () => number): Promise<RelayUnderTest> {
    this.relay = await startRelay('in-process', { env: { ...this.upstreamEnv(), ...this.baseEnv, ...overrides }, ...(now ? { now } : {}) });
    this.fake.reset();
    return this.relay;
  }

  /** A new fake (new ports, so no pooled connections to it; or other options such as a clock). */
  async replaceFake(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
    await this.currentFake?.stop();
    this.currentFake = await startFakeUpstream(options);
    return this.currentFake;
  }

  async stopRelay(): Promise<void> {
    await this.relay?.stop();
    this.relay = undefined;
    this.currentFake?.reset();
  }

  async stopAll(): Promise<void> {
    await this.stopRelay();
    await this.currentFake?.stop();
    this.currentFake = undefined;
  }
}

export function useRelayHarness(baseEnv: Record<string, string> = {}): RelayHarness {
  const harness = new RelayHarness(baseEnv);
  beforeAll(async () => {
    await harness.replaceFake();
  });
  afterEach(() => harness.stopRelay());
  afterAll(() => harness.stopAll());
  return harness;
}
