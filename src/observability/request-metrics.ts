/**
 * Request count and latency, by route, status and cache outcome. Recorded on every request, so it is
 * kept in plain numbers here (a few tens of ns per request; prom-client's labelled histogram costs
 * ~400 ns) and written out in Prometheus text format at scrape time.
 */
export const LATENCY_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Series {
  route: string;
  status: number;
  cache: string;
  count: number;
  sum: number;
  /** Non-cumulative counts per bucket; the last slot is +Inf. */
  buckets: Float64Array;
}

export class RequestMetrics {
  private readonly series = new Map<string, Series>();

  observe(route: string, status: number, cache: string, seconds: number): void {
    const id = `${route}|${status}|${cache}`;
    let series = this.series.get(id);
    if (series === undefined) {
      series = { route, status, cache, count: 0, sum: 0, buckets: new Float64Array(LATENCY_BUCKETS_SECONDS.length + 1) };
      this.series.set(id, series);
    }
    series.count++;
    series.sum += seconds;
    let bucket = 0;
    while (bucket < LATENCY_BUCKETS_SECONDS.length && seconds > (LATENCY_BUCKETS_SECONDS[bucket] as number)) bucket++;
    series.buckets[bucket] = (series.buckets[bucket] as number) + 1;
  }

  render(): string {
    const lines = [
      '# HELP relay_http_requests_total Requests answered, by route, status and cache outcome (HIT, MISS, STALE, COALESCED, none)',
      '# TYPE relay_http_requests_total counter',
    ];
    for (const s of this.series.values()) lines.push(`relay_http_requests_total{${labels(s)}} ${s.count}`);
    lines.push(
      '# HELP relay_http_request_duration_seconds Time from request to response, by route, status and cache outcome',
      '# TYPE relay_http_request_duration_seconds histogram',
    );
    for (const s of this.series.values()) {
      let cumulative = 0;
      LATENCY_BUCKETS_SECONDS.forEach((le, i) => {
        cumulative += s.buckets[i] as number;
        lines.push(`relay_http_request_duration_seconds_bucket{${labels(s)},le="${le}"} ${cumulative}`);
      });
      lines.push(`relay_http_request_duration_seconds_bucket{${labels(s)},le="+Inf"} ${s.count}`);
      lines.push(`relay_http_request_duration_seconds_sum{${labels(s)}} ${s.sum}`);
      lines.push(`relay_http_request_duration_seconds_count{${labels(s)}} ${s.count}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

/** Label values come from the route table and fixed words; escaped anyway, as the format requires. */
function labels(s: Series): string {
  return `route="${escape(s.route)}",status="${s.status}",cache="${escape(s.cache)}"`;
}

function escape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
