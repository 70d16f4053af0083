import { describe, expect, it } from 'vitest';
import { Histogram, Registry } from 'prom-client';
import { DeliveryTimings } from './delivery-timings';

describe('DeliveryTimings', () => {
  it('splits a delivery into store, wake and recompute, which add up to the total', async () => {
    const registry = new Registry();
    const histogram = new Histogram({
      name: 'sync_proxy_delivery_seconds',
      help: 'test',
      labelNames: ['stage'],
      registers: [registry],
    });
    let now = 1_004;
    const timings = new DeliveryTimings(histogram, () => now);
    timings.stored(42, 1_000); // response in hand at 1,000 ms, committed now (1,004 ms)
    now = 1_012;
    expect(timings.answered(42, 1_005)).toEqual({ store: 4, wake: 1, recompute: 7, total: 12 });
    // A batch another replica stored (or one long forgotten) is not observed.
    expect(timings.answered(43, 1_005)).toBeUndefined();
    const text = await registry.metrics();
    expect(text).toContain('sync_proxy_delivery_seconds_count{stage="total"} 1');
    expect(text).toContain('sync_proxy_delivery_seconds_sum{stage="recompute"} 0.007');
    expect(text).toContain('sync_proxy_delivery_seconds_sum{stage="total"} 0.012');
  });
});
