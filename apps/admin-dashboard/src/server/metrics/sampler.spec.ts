import { describe, expect, it } from 'vitest';
import { MetricsSampler } from './sampler';

/** A listener answering each scrape with the next body (an Error: unreachable). */
function scripted(bodies: (string | Error)[]): typeof fetch {
  return ((url: string) => {
    expect(url).toBe('http://rtc.internal:9090/metrics');
    const next = bodies.shift();
    if (next === undefined || next instanceof Error) return Promise.reject(next ?? new Error('no more'));
    return Promise.resolve(new Response(next, { status: 200 }));
  }) as typeof fetch;
}

const rtc = (tokens: number, errors: number, delegations: number) =>
  [
    `rtc_token_requests_total{endpoint="sfu/get",outcome="ok"} ${tokens}`,
    `http_requests_total{route="/get_token",method="POST",status="200"} ${tokens}`,
    `http_requests_total{route="/get_token",method="POST",status="502"} ${errors}`,
    `http_requests_total{route="/health",method="GET",status="200"} ${tokens * 100}`,
    `rtc_delegations_active ${delegations}`,
  ].join('\n');

describe('MetricsSampler', () => {
  it('keeps gauges as they are, counters as rates, and gaps for failed or malformed scrapes', async () => {
    let now = 1_000_000;
    const sampler = new MetricsSampler({
      targets: { rtc: 'http://rtc.internal:9090' },
      intervalSeconds: 10,
      windowSeconds: 40,
      now: () => now,
      fetch: scripted([
        rtc(10, 0, 1),
        rtc(30, 1, 2),
        new Error('connect ECONNREFUSED'),
        rtc(40, 1, 2),
        'not metrics at all',
        rtc(5, 0, 0), // restarted: its counters began again
        rtc(15, 0, 0),
      ]),
    });
    for (let i = 0; i < 7; i++) {
      await sampler.sample();
      now += 10_000;
    }
    const view = sampler.view();
    expect(view.window_seconds).toBe(40);
    expect(view.services).toEqual([
      { id: 'rtc', up: true, error: null, scraped_at: new Date(now - 10_000).toISOString() },
    ]);
    const values = Object.fromEntries(view.series.map((s) => [s.id, s.points.map((p) => p[1])]));
    // Four points kept (40 s at 10 s): scrapes 4 to 7.
    expect(view.series[0]?.points.map((p) => p[0])).toEqual([1_030_000, 1_040_000, 1_050_000, 1_060_000]);
    expect(values).toEqual({
      // After the gap there is no rate until two good scrapes in a row; a restart is not a negative rate.
      'rtc.requests': [null, null, null, 1],
      'rtc.errors': [null, null, null, 0],
      'rtc.tokens': [null, null, null, 1],
      'rtc.delegations': [2, null, 0, 0],
    });
  });

  it('says why the last scrape failed', async () => {
    const sampler = new MetricsSampler({
      targets: { rtc: 'http://rtc.internal:9090' },
      intervalSeconds: 10,
      windowSeconds: 60,
      fetch: scripted([rtc(1, 0, 0), 'http_requests_total{ 1']),
    });
    await sampler.sample();
    await sampler.sample();
    expect(sampler.view().services[0]).toMatchObject({ up: false, error: 'line 1: label name expected' });
  });

  it('charts only the services it is given', () => {
    const sampler = new MetricsSampler({ targets: {}, intervalSeconds: 10, windowSeconds: 60 });
    expect(sampler.configured).toBe(false);
    expect(sampler.view()).toEqual({ interval_seconds: 10, window_seconds: 60, services: [], series: [] });
  });
});
