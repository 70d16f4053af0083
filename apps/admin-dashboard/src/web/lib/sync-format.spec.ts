import { describe, expect, it } from 'vitest';
import { formatLag } from './sync-format';

describe('formatLag', () => {
  it('reads a healthy long-poll as seconds, and flags a poller a minute behind', () => {
    expect(formatLag(12.4)).toEqual({ text: '12 s', late: false });
    expect(formatLag(60)).toEqual({ text: '1 min 0 s', late: false });
    expect(formatLag(95)).toEqual({ text: '1 min 35 s', late: true });
  });

  it('reads long outages in hours and days, and a device never polled as such', () => {
    expect(formatLag(2 * 3600 + 5 * 60)).toEqual({ text: '2 h 5 min', late: true });
    expect(formatLag(3 * 86_400 + 4 * 3600)).toEqual({ text: '3 d 4 h', late: true });
    expect(formatLag(null)).toEqual({ text: 'never polled', late: false });
  });
});
