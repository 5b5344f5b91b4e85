/**
 * Prometheus text-format metrics (exposition format 0.0.4) for the reward
 * service: counters, gauges and one latency histogram, no client library.
 *
 * Latency buckets (seconds): 1 ms … 10 s, because a 256-sample request scores
 * in a few ms and anything past seconds is queueing or a stuck client.
 */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

const labelText = (labels: Record<string, string>) => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};

export class ServeMetrics {
  private readonly requests = new Map<string, number>();
  private readonly hist = new Map<string, { counts: number[]; sum: number; n: number }>();
  private readonly counters = new Map<string, number>();
  private readonly gauges = new Map<string, () => number>();
  private readonly rewardSums = new Map<string, [number, number]>();

  /** One finished request: its route, HTTP status and seconds from arrival to response. */
  request(route: string, status: number, seconds: number): void {
    const key = labelText({ route, status: String(status) });
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const h = this.hist.get(route) ?? { counts: new Array<number>(BUCKETS.length).fill(0), sum: 0, n: 0 };
    BUCKETS.forEach((b, i) => {
      if (seconds <= b) h.counts[i]++;
    });
    h.sum += seconds;
    h.n++;
    this.hist.set(route, h);
  }

  inc(name: string, by = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + by);
  }

  counter(name: string): number {
    return this.counters.get(name) ?? 0;
  }

  gauge(name: string, read: () => number): void {
    this.gauges.set(name, read);
  }

  /** Running mean of a reward metric (`reward/mean`, `reward/<shaper>/mean`) weighted by samples. */
  reward(metric: string, value: number, samples: number): void {
    const s = this.rewardSums.get(metric) ?? [0, 0];
    s[0] += value * samples;
    s[1] += samples;
    this.rewardSums.set(metric, s);
  }

  render(): string {
    const out: string[] = [];
    out.push('# HELP brevity_serve_requests_total Requests answered, by route and HTTP status.', '# TYPE brevity_serve_requests_total counter');
    for (const [k, v] of this.requests) out.push(`brevity_serve_requests_total${k} ${v}`);
    out.push('# HELP brevity_serve_request_seconds Time from request arrival to response.', '# TYPE brevity_serve_request_seconds histogram');
    for (const [route, h] of this.hist) {
      BUCKETS.forEach((b, i) => out.push(`brevity_serve_request_seconds_bucket${labelText({ route, le: String(b) })} ${h.counts[i]}`));
      out.push(`brevity_serve_request_seconds_bucket${labelText({ route, le: '+Inf' })} ${h.n}`);
      out.push(`brevity_serve_request_seconds_sum${labelText({ route })} ${h.sum}`);
      out.push(`brevity_serve_request_seconds_count${labelText({ route })} ${h.n}`);
    }
    for (const [name, v] of this.counters) out.push(`# TYPE brevity_serve_${name} counter`, `brevity_serve_${name} ${v}`);
    for (const [name, read] of this.gauges) out.push(`# TYPE brevity_serve_${name} gauge`, `brevity_serve_${name} ${read()}`);
    out.push('# HELP brevity_serve_reward_mean Mean reward over every scored sample since start, by metric.', '# TYPE brevity_serve_reward_mean gauge');
    for (const [metric, [sum, n]] of this.rewardSums) out.push(`brevity_serve_reward_mean${labelText({ metric })} ${n > 0 ? sum / n : 0}`);
    return out.join('\n') + '\n';
  }
}
