import { describe, expect, it } from 'vitest';
import { backoffStep, DEFAULT_TIMING } from './timing';

describe(backoffStep.name, () => {
  it('starts at the initial interval and grows ×1.5 up to 60 s', () => {
    const mid = () => 0.5;
    expect(backoffStep(0, 1_000, DEFAULT_TIMING, mid)).toEqual({ waitMs: 1_000, nextMs: 1_500 });
    expect(backoffStep(1_500, 1_000, DEFAULT_TIMING, mid)).toEqual({ waitMs: 1_500, nextMs: 2_250 });
    expect(backoffStep(50_000, 1_000, DEFAULT_TIMING, mid).nextMs).toBe(60_000);
  });

  it('jitters each wait within ±50 %', () => {
    expect(backoffStep(2_000, 1_000, DEFAULT_TIMING, () => 0).waitMs).toBe(1_000);
    expect(backoffStep(2_000, 1_000, DEFAULT_TIMING, () => 0.999_999).waitMs).toBe(3_000);
  });
});
