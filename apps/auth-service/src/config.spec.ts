import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@gateway/config';
import { loadAuthConfig } from './config';

const BASE = {
  AUTH_ISSUER: 'https://auth.example.com/',
  AUTH_DATABASE_URL: 'postgres://auth@db/auth',
  AUTH_REDIS_URL: 'redis://redis:6379',
  AUTH_HOMESERVER: 'example.com',
  AUTH_SYNAPSE_URL: 'http://synapse:8008/',
  AUTH_SIGNING_KEY_FILE: '/keys/jwks.json',
};

describe('auth-service configuration', () => {
  it('reads the shared secret from AUTH_SYNAPSE_SECRET_FILE, without its trailing newline', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'auth-cfg-')), 'secret');
    writeFileSync(file, 'a-secret-from-a-mounted-file\n');
    const config = loadAuthConfig({ ...BASE, AUTH_SYNAPSE_SECRET_FILE: file });
    expect(config.synapseSecret).toBe('a-secret-from-a-mounted-file');
    expect(config.baseUrl).toBe('https://auth.example.com');
    expect(config.synapseUrl).toBe('http://synapse:8008');
    expect(config.accessTokenTtl).toBe(300);
    // MAS's defaults: no password registration, no token needed once it is on; the device sync hourly.
    expect(config.registrationEnabled).toBe(false);
    expect(config.registrationTokenRequired).toBe(false);
    expect(config.syncDevicesIntervalSeconds).toBe(3600);
    expect(() => loadAuthConfig({ ...BASE, AUTH_SYNC_DEVICES_INTERVAL: '-1' })).toThrow(
      /AUTH_SYNC_DEVICES_INTERVAL/,
    );
    expect(() => loadAuthConfig({ ...BASE, AUTH_REGISTRATION_TOKEN_REQUIRED: 'yes' })).toThrow(
      /AUTH_REGISTRATION_TOKEN_REQUIRED/,
    );
    // Audit events are kept 90 days unless told otherwise; 0 keeps them all.
    expect(config.auditRetentionDays).toBe(90);
    expect(
      loadAuthConfig({ ...BASE, AUTH_SYNAPSE_SECRET_FILE: file, AUTH_AUDIT_RETENTION_DAYS: '0' })
        .auditRetentionDays,
    ).toBe(0);
    expect(() =>
      loadAuthConfig({ ...BASE, AUTH_SYNAPSE_SECRET_FILE: file, AUTH_AUDIT_RETENTION_DAYS: 'forever' }),
    ).toThrow(/AUTH_AUDIT_RETENTION_DAYS/);
  });

  it("takes MAS's password minimum complexity, 3 by default, on zxcvbn's 0-4 scale", () => {
    const env = { ...BASE, AUTH_SYNAPSE_SECRET: 'a-secret-given-directly' };
    expect(loadAuthConfig(env).passwordMinimumComplexity).toBe(3);
    expect(loadAuthConfig({ ...env, AUTH_PASSWORD_MINIMUM_COMPLEXITY: '0' }).passwordMinimumComplexity).toBe(
      0,
    );
    expect(loadAuthConfig({ ...env, AUTH_PASSWORD_MINIMUM_COMPLEXITY: '4' }).passwordMinimumComplexity).toBe(
      4,
    );
    for (const bad of ['5', '-1', '2.5', 'strong'])
      expect(() => loadAuthConfig({ ...env, AUTH_PASSWORD_MINIMUM_COMPLEXITY: bad })).toThrow(
        /AUTH_PASSWORD_MINIMUM_COMPLEXITY/,
      );
  });

  it('refuses a secret given both directly and as a file, and names each bad variable', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'auth-cfg-')), 'secret');
    writeFileSync(file, 'a-secret-from-a-mounted-file');
    const attempt = () =>
      loadAuthConfig({
        ...BASE,
        AUTH_SYNAPSE_SECRET: 'a-secret-given-directly',
        AUTH_SYNAPSE_SECRET_FILE: file,
        AUTH_ACCESS_TOKEN_TTL: '5',
        AUTH_HOMESERVER: 'not a server name',
      });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/AUTH_SYNAPSE_SECRET: set both directly and through AUTH_SYNAPSE_SECRET_FILE/);
    expect(attempt).toThrow(/AUTH_ACCESS_TOKEN_TTL/);
    expect(attempt).toThrow(/AUTH_HOMESERVER: must be a Matrix server name/);
  });

  it('reads admin API clients from AUTH_ADMIN_CLIENTS_FILE and refuses malformed ones without echoing secrets', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'auth-cfg-')), 'admins');
    writeFileSync(file, 'ops-script:0123456789abcdef0123\nbackup:fedcba9876543210fedc\n');
    const config = loadAuthConfig({
      ...BASE,
      AUTH_SYNAPSE_SECRET: 'a-secret-given-directly',
      AUTH_ADMIN_CLIENTS_FILE: file,
    });
    expect(config.adminClients).toEqual([
      { id: 'ops-script', secret: '0123456789abcdef0123' },
      { id: 'backup', secret: 'fedcba9876543210fedc' },
    ]);
    expect(loadAuthConfig({ ...BASE, AUTH_SYNAPSE_SECRET: 'a-secret-given-directly' }).adminClients).toEqual(
      [],
    );
    for (const bad of [
      'ops-script:short-secret-x',
      'no-secret-at-all',
      'a b:0123456789abcdef0123',
      'x:0123456789abcdef,x:0123456789abcdef',
    ]) {
      const attempt = () =>
        loadAuthConfig({ ...BASE, AUTH_SYNAPSE_SECRET: 'a-secret-given-directly', AUTH_ADMIN_CLIENTS: bad });
      expect(attempt).toThrow(/AUTH_ADMIN_CLIENTS: /);
      expect(attempt).not.toThrow(/0123456789abcdef|short-secret/);
    }
  });

  it('reads membership clients like admin clients, with their service user, and refuses an id in both lists', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'auth-cfg-')), 'membership');
    writeFileSync(file, 'rtc:0123456789abcdef0123\n');
    const base = { ...BASE, AUTH_SYNAPSE_SECRET: 'a-secret-given-directly' };
    const config = loadAuthConfig({ ...base, AUTH_MEMBERSHIP_CLIENTS_FILE: file });
    expect(config.membershipClients).toEqual([{ id: 'rtc', secret: '0123456789abcdef0123' }]);
    expect(config.membershipUser).toBe('rtc-membership');
    expect(loadAuthConfig({ ...base, AUTH_MEMBERSHIP_USER: 'calls.bot' }).membershipUser).toBe('calls.bot');
    for (const bad of ['_hidden', 'Upper', 'a b']) {
      expect(() => loadAuthConfig({ ...base, AUTH_MEMBERSHIP_USER: bad })).toThrow(
        /AUTH_MEMBERSHIP_USER: must be a localpart/,
      );
    }
    expect(() =>
      loadAuthConfig({
        ...base,
        AUTH_MEMBERSHIP_CLIENTS: 'ops:0123456789abcdef0123',
        AUTH_ADMIN_CLIENTS: 'ops:fedcba9876543210fedc',
      }),
    ).toThrow('AUTH_MEMBERSHIP_CLIENTS: client id ops is also in AUTH_ADMIN_CLIENTS; use another id');
    expect(() => loadAuthConfig({ ...base, AUTH_MEMBERSHIP_CLIENTS: 'rtc:short' })).toThrow(
      /AUTH_MEMBERSHIP_CLIENTS: each entry must be client_id:secret/,
    );
  });
});

describe('auth-service email configuration', () => {
  const smtp = {
    AUTH_SYNAPSE_SECRET: 'a-secret-given-directly',
    AUTH_EMAIL_TRANSPORT: 'smtp',
    AUTH_EMAIL_SMTP_HOST: 'mail.example.com',
    AUTH_EMAIL_FROM: 'Example <noreply@example.com>',
  };

  it('is off by default, and so are the features needing it', () => {
    const config = loadAuthConfig({ ...BASE, AUTH_SYNAPSE_SECRET: 'a-secret-given-directly' });
    expect(config.email).toBeNull();
    expect(config.emailChangeAllowed).toBe(false);
    // docker/compose.yaml passes every variable, empty when docker/.env leaves it out.
    const compose = loadAuthConfig({
      ...BASE,
      AUTH_SYNAPSE_SECRET: 'a-secret-given-directly',
      AUTH_EMAIL_TRANSPORT: 'off',
      AUTH_EMAIL_SMTP_HOST: '',
      AUTH_EMAIL_SMTP_PORT: '',
      AUTH_EMAIL_SMTP_PASSWORD: '',
      AUTH_EMAIL_FROM: '',
    });
    expect(compose.email).toBeNull();
    expect(config.passwordRecoveryEnabled).toBe(false);
  });

  it('reads SMTP settings, the port defaulting by mode, the password from a file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'auth-cfg-')), 'smtp');
    writeFileSync(file, 'smtp-secret\n');
    const config = loadAuthConfig({
      ...BASE,
      ...smtp,
      AUTH_EMAIL_SMTP_USERNAME: 'relay',
      AUTH_EMAIL_SMTP_PASSWORD_FILE: file,
      AUTH_PASSWORD_RECOVERY_ENABLED: 'true',
    });
    expect(config.email).toEqual({
      smtp: {
        host: 'mail.example.com',
        port: 587,
        mode: 'starttls',
        auth: { user: 'relay', pass: 'smtp-secret' },
      },
      from: 'Example <noreply@example.com>',
      replyTo: undefined,
    });
    expect(config.emailChangeAllowed).toBe(true);
    expect(config.passwordRecoveryEnabled).toBe(true);
    expect(loadAuthConfig({ ...BASE, ...smtp, AUTH_EMAIL_SMTP_MODE: 'tls' }).email?.smtp.port).toBe(465);
    expect(loadAuthConfig({ ...BASE, ...smtp, AUTH_EMAIL_CHANGE_ALLOWED: 'false' }).emailChangeAllowed).toBe(
      false,
    );
  });

  it('names each bad or missing email variable', () => {
    expect(() =>
      loadAuthConfig({
        ...BASE,
        AUTH_SYNAPSE_SECRET: 'a-secret-given-directly',
        AUTH_PASSWORD_RECOVERY_ENABLED: 'true',
      }),
    ).toThrow(/AUTH_PASSWORD_RECOVERY_ENABLED: needs AUTH_EMAIL_TRANSPORT=smtp/);
    expect(() => loadAuthConfig({ ...BASE, ...smtp, AUTH_EMAIL_SMTP_HOST: '' })).toThrow(
      /AUTH_EMAIL_SMTP_HOST: required/,
    );
    expect(() => loadAuthConfig({ ...BASE, ...smtp, AUTH_EMAIL_FROM: 'a@b.c\r\nBcc: x@y.z' })).toThrow(
      /AUTH_EMAIL_FROM/,
    );
    expect(() => loadAuthConfig({ ...BASE, ...smtp, AUTH_EMAIL_SMTP_MODE: 'ssl' })).toThrow(
      /AUTH_EMAIL_SMTP_MODE/,
    );
    expect(() => loadAuthConfig({ ...BASE, ...smtp, AUTH_EMAIL_SMTP_USERNAME: 'relay' })).toThrow(
      /AUTH_EMAIL_SMTP_USERNAME: set it and AUTH_EMAIL_SMTP_PASSWORD together/,
    );
    expect(() => loadAuthConfig({ ...BASE, ...smtp, AUTH_EMAILS_PER_HOUR_PER_IP: '-1' })).toThrow(
      /AUTH_EMAILS_PER_HOUR_PER_IP/,
    );
  });

  it('knows the admin dashboard client only when its id and redirect URI are both set', () => {
    const secret = { AUTH_SYNAPSE_SECRET: 'a-shared-secret-of-16+' };
    expect(loadAuthConfig({ ...BASE, ...secret }).dashboardClient).toBeNull();
    const config = loadAuthConfig({
      ...BASE,
      ...secret,
      AUTH_DASHBOARD_CLIENT_ID: 'admin-dashboard',
      AUTH_DASHBOARD_REDIRECT_URI: 'https://admin.example.com/callback',
    });
    expect(config.dashboardClient).toEqual({
      id: 'admin-dashboard',
      redirectUri: 'https://admin.example.com/callback',
    });
    // The operator's own app: no consent screen (the scope policy still refuses non-admins).
    expect(config.firstPartyClients.has('admin-dashboard')).toBe(true);
    expect([
      ...loadAuthConfig({ ...BASE, ...secret, AUTH_FIRST_PARTY_CLIENTS: 'element-web, my-app' })
        .firstPartyClients,
    ]).toEqual(['element-web', 'my-app']);
    expect(() => loadAuthConfig({ ...BASE, ...secret, AUTH_DASHBOARD_CLIENT_ID: 'admin-dashboard' })).toThrow(
      /AUTH_DASHBOARD_CLIENT_ID: set it and AUTH_DASHBOARD_REDIRECT_URI together/,
    );
    expect(() =>
      loadAuthConfig({
        ...BASE,
        ...secret,
        AUTH_DASHBOARD_CLIENT_ID: 'a b',
        AUTH_DASHBOARD_REDIRECT_URI: 'https://admin.example.com/callback',
      }),
    ).toThrow(/AUTH_DASHBOARD_CLIENT_ID/);
    expect(() =>
      loadAuthConfig({
        ...BASE,
        ...secret,
        AUTH_DASHBOARD_CLIENT_ID: 'admin-dashboard',
        AUTH_DASHBOARD_REDIRECT_URI: 'javascript:alert(1)',
      }),
    ).toThrow(/AUTH_DASHBOARD_REDIRECT_URI/);
    expect(() =>
      loadAuthConfig({
        ...BASE,
        ...secret,
        AUTH_ADMIN_CLIENTS: 'admin-dashboard:0123456789abcdef',
        AUTH_DASHBOARD_CLIENT_ID: 'admin-dashboard',
        AUTH_DASHBOARD_REDIRECT_URI: 'https://admin.example.com/callback',
      }),
    ).toThrow(/also an admin or membership client/);
  });
});

describe('auth-service two-factor configuration', () => {
  const base = { ...BASE, AUTH_SYNAPSE_SECRET: 'a-secret-given-directly' };

  it('offers no second factor without a key, and takes one of at least 32 characters from a file', () => {
    expect(loadAuthConfig(base).mfaEncryptionKey).toBeNull();
    expect(loadAuthConfig({ ...base, AUTH_MFA_ENCRYPTION_KEY: '' }).mfaEncryptionKey).toBeNull();
    const file = join(mkdtempSync(join(tmpdir(), 'mfa-key-')), 'key');
    writeFileSync(file, `${'k'.repeat(32)}\n`);
    expect(loadAuthConfig({ ...base, AUTH_MFA_ENCRYPTION_KEY_FILE: file }).mfaEncryptionKey).toBe(
      'k'.repeat(32),
    );
    expect(() => loadAuthConfig({ ...base, AUTH_MFA_ENCRYPTION_KEY: 'short' })).toThrow(
      /AUTH_MFA_ENCRYPTION_KEY: must be at least 32 characters/,
    );
  });

  it('requires nobody by default, and refuses a requirement without the key', () => {
    expect(loadAuthConfig(base).mfaRequired).toBe('off');
    const key = 'k'.repeat(32);
    expect(
      loadAuthConfig({ ...base, AUTH_MFA_ENCRYPTION_KEY: key, AUTH_MFA_REQUIRED: 'admins' }).mfaRequired,
    ).toBe('admins');
    expect(() => loadAuthConfig({ ...base, AUTH_MFA_REQUIRED: 'everyone' })).toThrow(
      /AUTH_MFA_REQUIRED: needs AUTH_MFA_ENCRYPTION_KEY/,
    );
    expect(() => loadAuthConfig({ ...base, AUTH_MFA_REQUIRED: 'sometimes' })).toThrow(/AUTH_MFA_REQUIRED/);
  });
});
