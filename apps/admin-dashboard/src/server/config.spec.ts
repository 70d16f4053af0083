import { describe, expect, it } from 'vitest';
import { ConfigError } from '@gateway/config';
import { loadDashboardConfig } from './config';

const BASE = {
  DASHBOARD_PUBLIC_URL: 'https://admin.example.com',
  DASHBOARD_AUTH_ISSUER: 'https://auth.example.com/',
  DASHBOARD_CLIENT_ID: 'admin-dashboard',
};

function problems(env: Record<string, string>): string[] {
  try {
    loadDashboardConfig(env, '/web');
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadDashboardConfig', () => {
  it("takes the README's defaults, the auth service at the issuer and a public URL ending in /", () => {
    const config = loadDashboardConfig(BASE, '/web');
    expect(config).toMatchObject({
      bind: { host: '0.0.0.0', port: 8080 },
      upstream: 'https://auth.example.com',
      rtcAdmin: null,
      metricsIntervalSeconds: 15,
      clientId: 'admin-dashboard',
    });
    expect(config.redirectUri).toBe('https://admin.example.com/callback');
  });

  it('stops at a bad or missing value, naming the variable', () => {
    const { DASHBOARD_CLIENT_ID: _omitted, ...withoutClient } = BASE;
    expect(problems(withoutClient).join('\n')).toContain('DASHBOARD_CLIENT_ID');
    for (const interval of ['0', '301', 'often'])
      expect(problems({ ...BASE, DASHBOARD_METRICS_INTERVAL_SECONDS: interval }).join('\n')).toContain(
        'DASHBOARD_METRICS_INTERVAL_SECONDS',
      );
    expect(
      problems({ ...BASE, DASHBOARD_PUBLIC_URL: 'https://admin.example.com/?x=1' }).join('\n'),
    ).toContain('DASHBOARD_PUBLIC_URL: must not have a query or fragment');
    expect(problems({ ...BASE, DASHBOARD_RTC_ADMIN_URL: 'ftp://rtc' }).join('\n')).toContain(
      'DASHBOARD_RTC_ADMIN_URL',
    );
  });
});
