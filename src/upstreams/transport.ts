import type { Lane, UpstreamGuard } from './guard.ts';
import { requestUpstream, type UpstreamRequest } from './http.ts';
import { UpstreamMeter } from './meter.ts';
import type { UpstreamName, UpstreamResponse } from './types.ts';

/** How an upstream client sends: through its guard (budget, breaker), with its deadline, metered. */
export class GuardedTransport {
  readonly meter = new UpstreamMeter();

  constructor(
    readonly upstream: UpstreamName,
    readonly guard: UpstreamGuard,
    private readonly timeoutMs: number,
    private readonly maxBodyBytes: number,
  ) {}

  send(request: Pick<UpstreamRequest, 'method' | 'url' | 'headers' | 'body'>, lane: Lane = 'foreground', client = ''): Promise<UpstreamResponse> {
    return this.guard.run(() => requestUpstream({ ...request, upstream: this.upstream, timeoutMs: this.timeoutMs, maxBodyBytes: this.maxBodyBytes, meter: this.meter }), lane, client);
  }
}
