import { describe, expect, it } from 'vitest';
import type { RateLimiter, RedisScriptRunner } from '@gateway/util';
import { loadAuthConfig } from '../config';
import { createAuthLimits, takeEmailSend } from './auth-limits';

const ENV = {
  AUTH_ISSUER: 'https://auth.example.com/',
  AUTH_DATABASE_URL: 'postgres://auth@db/auth',
  AUTH_REDIS_URL: 'redis://redis:6379',
  AUTH_HOMESERVER: 'example.com',
  AUTH_SYNAPSE_URL: 'http://synapse:8008/',
  AUTH_SYNAPSE_SECRET: 'a-shared-secret-0123456789',
  AUTH_SIGNING_KEY_FILE: '/keys/jwks.json',
};
// Never called: these tests look at which limits exist, not at counting (rate-limits.spec does that).
const redis: RedisScriptRunner = {
  eval: () => Promise.reject(new Error('not called')),
  del: () => Promise.reject(new Error('not called')),
};

describe('createAuthLimits', () => {
  it("has every limit on by default, at the README's values", () => {
    const config = loadAuthConfig(ENV);
    expect([
      config.loginAttempts,
      config.registrationsPerHour,
      config.clientRegistrationsPerHour,
      config.tokenRequestsPerMinute,
    ]).toEqual([10, 10, 120, 600]);
    const limits = createAuthLimits(config, redis, 'p', () => 0);
    expect(limits.registrationPerIp).not.toBeNull();
    expect(limits.clientRegistrationPerIp).not.toBeNull();
    expect(limits.tokenPerIp).not.toBeNull();
    expect(limits.emails.perAddress).not.toBeNull();
    expect(limits.emails.perIp).not.toBeNull();
  });

  it('turns a limit off with 0', () => {
    const limits = createAuthLimits(
      loadAuthConfig({
        ...ENV,
        AUTH_REGISTRATIONS_PER_HOUR: '0',
        AUTH_CLIENT_REGISTRATIONS_PER_HOUR: '0',
        AUTH_TOKEN_REQUESTS_PER_MINUTE: '0',
        AUTH_EMAILS_PER_HOUR_PER_ADDRESS: '0',
        AUTH_EMAILS_PER_HOUR_PER_IP: '0',
      }),
      redis,
      'p',
      () => 0,
    );
    expect([
      limits.registrationPerIp,
      limits.clientRegistrationPerIp,
      limits.tokenPerIp,
      limits.emails.perAddress,
      limits.emails.perIp,
    ]).toEqual([null, null, null, null, null]);
  });
});

describe('takeEmailSend', () => {
  /** A limiter allowing `budget` takes; records the keys asked for. */
  function limiter(budget: number, asked: string[]): RateLimiter {
    return {
      consume: (key: string) => {
        asked.push(key);
        return Promise.resolve(
          budget-- > 0 ? { allowed: true, retryAfterMs: 0 } : { allowed: false, retryAfterMs: 60_000 },
        );
      },
    } as unknown as RateLimiter;
  }

  it("takes from the client address first: a refused client leaves the recipient's budget alone", async () => {
    const byIp: string[] = [];
    const byAddress: string[] = [];
    const limits = { perIp: limiter(1, byIp), perAddress: limiter(5, byAddress) };
    expect(await takeEmailSend(limits, 'Ann@Example.com', '198.51.100.1')).toBeNull();
    expect(await takeEmailSend(limits, 'ann@example.com', '198.51.100.1')).toBe(60_000);
    expect(byIp).toEqual(['198.51.100.1', '198.51.100.1']);
    expect(byAddress).toEqual(['ann@example.com']);
  });

  it('sends when both limits are off', async () => {
    expect(
      await takeEmailSend({ perIp: null, perAddress: null }, 'a@example.com', '198.51.100.1'),
    ).toBeNull();
  });
});
