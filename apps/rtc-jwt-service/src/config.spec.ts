import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@gateway/config';
import { loadRtcConfig } from './config';

const base = {
  LIVEKIT_URL: 'wss://sfu.example',
  LIVEKIT_KEY: 'key',
  LIVEKIT_SECRET: 'secret',
  LIVEKIT_FULL_ACCESS_HOMESERVERS: 'example.com',
};

function problems(env: Record<string, string>): string[] {
  try {
    loadRtcConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  throw new Error('expected a ConfigError');
}

function file(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'rtc-cfg-')), 'f');
  writeFileSync(path, content);
  return path;
}

describe('loadRtcConfig (lk-jwt-service compatible)', () => {
  it('uses lk-jwt-service defaults', () => {
    const cfg = loadRtcConfig(base);
    expect(cfg.bind).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(cfg.logLevel).toBe('info');
    expect(cfg.fullAccessHomeservers).toEqual(['example.com']);
    expect(cfg.insecureSkipVerifyTls).toBe(false);
    expect(cfg.strictUnknownFields).toBe(false);
    expect(cfg.redisUrl).toBeUndefined();
  });

  it('takes the service options beyond lk-jwt-service, and names a bad one', () => {
    const cfg = loadRtcConfig({ ...base, RTC_STRICT_UNKNOWN_FIELDS: 'true', RTC_USERINFO_CACHE_SIZE: '0' });
    expect(cfg.strictUnknownFields).toBe(true);
    // 0: no userinfo cache (openid.module.ts), every request asks the homeserver.
    expect(cfg.userinfoCacheSize).toBe(0);
    expect(problems({ ...base, RTC_USERINFO_CACHE_SIZE: '-1' }).join('\n')).toContain(
      'RTC_USERINFO_CACHE_SIZE',
    );
  });

  it("stops with lk-jwt-service's own messages for missing essentials", () => {
    expect(problems({})).toEqual([
      'LIVEKIT_KEY* / LIVEKIT_SECRET* and LIVEKIT_URL must be set',
      'LIVEKIT_FULL_ACCESS_HOMESERVERS environment variable must be set to the homeserver(s) you intend to serve — see README for guidance',
    ]);
    expect(problems({ ...base, LIVEKIT_JWT_BIND: ':1', LIVEKIT_JWT_PORT: '2' })).toEqual([
      'LIVEKIT_JWT_BIND and LIVEKIT_JWT_PORT must not be set together',
    ]);
    expect(problems({ ...base, LIVEKIT_SANITY_CHECK_INTERVAL_SECONDS: '-1' })).toEqual([
      'LIVEKIT_SANITY_CHECK_INTERVAL_SECONDS must be a non-negative integer, got "-1"',
    ]);
    expect(problems({ ...base, LIVEKIT_CS_API_URL_OVERRIDES: 'example.com' })).toEqual([
      'failed parsing LIVEKIT_CS_API_URL_OVERRIDES: invalid entry "example.com", expected server_name=url',
    ]);
  });

  it('reads key and secret from files, LIVEKIT_KEY_FILE winning over the rest', () => {
    const fromFiles = loadRtcConfig({
      ...base,
      LIVEKIT_KEY_FROM_FILE: file('fkey\n'),
      LIVEKIT_SECRET_FROM_FILE: file('fsecret\n'),
    });
    expect(fromFiles.livekit).toMatchObject({ key: 'fkey', secret: 'fsecret' });
    const keyFile = loadRtcConfig({
      ...base,
      LIVEKIT_KEY_FROM_FILE: file('fkey'),
      LIVEKIT_KEY_FILE: file('kkey: ksecret\n'),
    });
    expect(keyFile.livekit).toMatchObject({ key: 'kkey', secret: 'ksecret' });
    expect(problems({ ...base, LIVEKIT_KEY_FILE: file('a:b:c') })).toEqual([
      'LIVEKIT_KEY_FILE: expected one line "key: secret"',
    ]);
    expect(problems({ ...base, LIVEKIT_SECRET_FROM_FILE: '/nonexistent' })[0]).toMatch(
      /^LIVEKIT_SECRET_FROM_FILE: cannot read/,
    );
  });

  it('reads the other variables from NAME_FILE too, the gateway convention', () => {
    const { LIVEKIT_SECRET: _secret, LIVEKIT_URL: _url, ...rest } = base;
    const cfg = loadRtcConfig({
      ...rest,
      LIVEKIT_SECRET_FILE: file('ssecret\n'),
      LIVEKIT_URL_FILE: file('wss://f.example'),
    });
    expect(cfg.livekit).toEqual({ url: 'wss://f.example', key: 'key', secret: 'ssecret' });
    expect(problems({ ...base, LIVEKIT_SECRET_FILE: file('other') })).toEqual([
      expect.stringMatching(/^LIVEKIT_SECRET: set both directly and through LIVEKIT_SECRET_FILE/),
    ]);
  });

  it('parses binds, the deprecated port, the TLS magic string and override lists', () => {
    expect(loadRtcConfig({ ...base, LIVEKIT_JWT_BIND: '127.0.0.1:9000' }).bind).toEqual({
      host: '127.0.0.1',
      port: 9000,
    });
    const legacy = loadRtcConfig({ ...base, LIVEKIT_JWT_PORT: '9001' });
    expect(legacy.bind).toEqual({ host: '0.0.0.0', port: 9001 });
    expect(legacy.warnings[0]).toMatch(/LIVEKIT_JWT_PORT is deprecated/);
    expect(loadRtcConfig({ ...base, LIVEKIT_INSECURE_SKIP_VERIFY_TLS: 'yes' }).insecureSkipVerifyTls).toBe(
      false,
    );
    expect(
      loadRtcConfig({ ...base, LIVEKIT_INSECURE_SKIP_VERIFY_TLS: 'YES_I_KNOW_WHAT_I_AM_DOING' })
        .insecureSkipVerifyTls,
    ).toBe(true);
    const cfg = loadRtcConfig({
      ...base,
      LIVEKIT_FULL_ACCESS_HOMESERVERS: 'a.com, b.com c.com',
      LIVEKIT_FEDERATION_URL_OVERRIDES: 'a.com=http://10.0.0.1:8008/',
    });
    expect(cfg.fullAccessHomeservers).toEqual(['a.com', 'b.com', 'c.com']);
    expect([...cfg.federationOverrides]).toEqual([['a.com', 'http://10.0.0.1:8008']]);
  });

  it('falls back to info for an unknown log level, as lk-jwt-service does, with a warning', () => {
    const cfg = loadRtcConfig({ ...base, LIVEKIT_LOG_LEVEL: 'verbose' });
    expect(cfg.logLevel).toBe('info');
    expect(cfg.warnings).toEqual(['LIVEKIT_LOG_LEVEL: unknown level "verbose", using info']);
    expect(loadRtcConfig({ ...base, LIVEKIT_LOG_LEVEL: 'WARNING' }).logLevel).toBe('warn');
  });

  it('validates its own additions by name', () => {
    expect(problems({ ...base, RTC_RATE_LIMIT_PER_IP: 'lots' })[0]).toMatch(/^RTC_RATE_LIMIT_PER_IP: /);
    expect(problems({ ...base, RTC_ALLOW_PRIVATE_HOMESERVERS: 'bad/name' })).toEqual([
      'RTC_ALLOW_PRIVATE_HOMESERVERS: "bad/name" is not a server name',
    ]);
  });

  describe('membership (lk-jwt-service 0.7 application-service variables)', () => {
    const as = { LIVEKIT_AS_TOKEN: 'as', LIVEKIT_HS_TOKEN: 'hs', LIVEKIT_HS_SERVER_NAME: 'example.com' };

    it('is off without any of them, as lk-jwt-service up to 0.6', () => {
      expect(loadRtcConfig(base).membership).toBeNull();
    });

    it('reads the tokens, the server name, the interval and the cache time', () => {
      const cfg = loadRtcConfig({
        ...base,
        ...as,
        LIVEKIT_MEMBERSHIP_CHECK_INTERVAL_SECONDS: '7',
        RTC_MEMBERSHIP_CACHE_SECONDS: '2',
      });
      expect(cfg.membership).toEqual({
        asToken: 'as',
        hsToken: 'hs',
        oauth: null,
        serverName: 'example.com',
        checkIntervalMs: 7000,
        cacheTtlMs: 2000,
      });
      expect(loadRtcConfig({ ...base, ...as }).membership).toMatchObject({
        checkIntervalMs: 30_000,
        cacheTtlMs: 5000,
      });
    });

    it('takes the tokens from the registration file over the variables', () => {
      const registration = file('id: rtc\nas_token: "from-file"\nhs_token: \'hs-file\'\n');
      const cfg = loadRtcConfig({ ...base, ...as, LIVEKIT_AS_REGISTRATION_FILE: registration });
      expect(cfg.membership).toMatchObject({ asToken: 'from-file', hsToken: 'hs-file' });
    });

    it('is all or nothing', () => {
      expect(problems({ ...base, LIVEKIT_HS_SERVER_NAME: 'example.com' })).toEqual([
        'LIVEKIT_AS_TOKEN and LIVEKIT_HS_TOKEN (or LIVEKIT_AS_REGISTRATION_FILE) and LIVEKIT_HS_SERVER_NAME must be set together',
      ]);
      expect(problems({ ...base, LIVEKIT_AS_TOKEN: 'as', LIVEKIT_HS_TOKEN: 'hs' })).toHaveLength(1);
    });

    it('names the variable when a value is bad', () => {
      expect(problems({ ...base, ...as, LIVEKIT_HS_SERVER_NAME: 'not a name' })[0]).toMatch(
        /^LIVEKIT_HS_SERVER_NAME/,
      );
      expect(problems({ ...base, ...as, LIVEKIT_MEMBERSHIP_CHECK_INTERVAL_SECONDS: 'often' })[0]).toMatch(
        /^LIVEKIT_MEMBERSHIP_CHECK_INTERVAL_SECONDS/,
      );
      expect(problems({ ...base, ...as, LIVEKIT_AS_REGISTRATION_FILE: '/nonexistent/reg.yaml' })[0]).toMatch(
        /^LIVEKIT_AS_REGISTRATION_FILE: /,
      );
      expect(problems({ ...base, ...as, LIVEKIT_AS_REGISTRATION_FILE: file('id: x\n') })).toEqual([
        'LIVEKIT_AS_REGISTRATION_FILE: no top-level "as_token"',
      ]);
    });
  });

  describe('membership through an OAuth client of the auth service (LIVEKIT_OAUTH_*)', () => {
    const oauth = {
      LIVEKIT_OAUTH_TOKEN_URL: 'https://auth.example.com/oauth2/token',
      LIVEKIT_OAUTH_CLIENT_ID: 'rtc',
      LIVEKIT_HS_SERVER_NAME: 'example.com',
    };

    it('reads the client, its secret from a file, and the server name', () => {
      const cfg = loadRtcConfig({ ...base, ...oauth, LIVEKIT_OAUTH_CLIENT_SECRET_FILE: file('s3cret\n') });
      expect(cfg.membership).toEqual({
        serverName: 'example.com',
        asToken: null,
        hsToken: null,
        oauth: { tokenUrl: 'https://auth.example.com/oauth2/token', clientId: 'rtc', clientSecret: 's3cret' },
        checkIntervalMs: 30_000,
        cacheTtlMs: 5000,
      });
    });

    it('is all or nothing, needs the server name, and is not combined with the application service', () => {
      expect(problems({ ...base, ...oauth })).toEqual([
        'LIVEKIT_OAUTH_TOKEN_URL, LIVEKIT_OAUTH_CLIENT_ID and LIVEKIT_OAUTH_CLIENT_SECRET (or LIVEKIT_OAUTH_CLIENT_SECRET_FILE) must be set together',
      ]);
      const full = { ...oauth, LIVEKIT_OAUTH_CLIENT_SECRET: 's3cret' };
      expect(problems({ ...base, ...full, LIVEKIT_HS_SERVER_NAME: '' })).toEqual([
        'LIVEKIT_HS_SERVER_NAME must be set with LIVEKIT_OAUTH_TOKEN_URL',
      ]);
      expect(problems({ ...base, ...full, LIVEKIT_AS_TOKEN: 'as', LIVEKIT_HS_TOKEN: 'hs' })).toEqual([
        'LIVEKIT_OAUTH_* and LIVEKIT_AS_TOKEN/LIVEKIT_HS_TOKEN/LIVEKIT_AS_REGISTRATION_FILE are two ways to hold the is_joined scope: set only one',
      ]);
      expect(problems({ ...base, ...full, LIVEKIT_OAUTH_TOKEN_URL: 'ftp://auth.example.com/' })[0]).toMatch(
        /^LIVEKIT_OAUTH_TOKEN_URL/,
      );
    });
  });

  describe('the admin API (RTC_ADMIN_*)', () => {
    const admin = {
      RTC_ADMIN_AUTH_URL: 'http://auth.internal:8080/',
      RTC_ADMIN_CLIENT_ID: 'rtc-admin',
      RTC_METRICS_BIND: '127.0.0.1:9100',
    };

    it('is off without any of them, and reads the client secret from a file', () => {
      expect(loadRtcConfig(base).admin).toBeNull();
      const cfg = loadRtcConfig({ ...base, ...admin, RTC_ADMIN_CLIENT_SECRET_FILE: file('adm1n\n') });
      expect(cfg.admin).toEqual({
        authUrl: 'http://auth.internal:8080/',
        clientId: 'rtc-admin',
        clientSecret: 'adm1n',
      });
    });

    it('is all or nothing, needs the internal listener, and names a bad value', () => {
      expect(problems({ ...base, ...admin })).toEqual([
        'RTC_ADMIN_AUTH_URL, RTC_ADMIN_CLIENT_ID and RTC_ADMIN_CLIENT_SECRET (or RTC_ADMIN_CLIENT_SECRET_FILE) must be set together',
      ]);
      const full = { ...admin, RTC_ADMIN_CLIENT_SECRET: 'adm1n' };
      expect(problems({ ...base, ...full, RTC_METRICS_BIND: '' })).toEqual([
        'RTC_ADMIN_AUTH_URL: the admin API is served only on the internal listener; set RTC_METRICS_BIND',
      ]);
      expect(problems({ ...base, ...full, RTC_ADMIN_AUTH_URL: 'auth.internal' })[0]).toMatch(
        /^RTC_ADMIN_AUTH_URL: /,
      );
    });
  });
});
