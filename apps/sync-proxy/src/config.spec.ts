import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@gateway/config';
import { loadSyncConfig } from './config';

const BASE = {
  SYNCV3_SERVER: 'http://synapse:8008/',
  SYNCV3_DB: 'postgres://u@db/sync',
  SYNCV3_SECRET: 'a'.repeat(64),
};

describe('sync-proxy configuration (the Go proxy’s SYNCV3_* names)', () => {
  it('applies the Go proxy’s defaults', () => {
    const c = loadSyncConfig(BASE);
    expect(c.upstream).toBe('http://synapse:8008');
    expect(c.bind).toEqual({ host: '0.0.0.0', port: 8008 });
    expect(c.maxDbConnections).toBe(10);
    expect(c.redisUrl).toBeUndefined();
    expect(c.promBind).toBeUndefined();
    expect(c.warnings).toEqual([]);
  });

  it('reads every variable, and secrets from files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'syncv3-'));
    writeFileSync(join(dir, 'secret'), 'from-a-file-0123456789abcdef0123456789\n');
    const c = loadSyncConfig({
      ...BASE,
      SYNCV3_SECRET: undefined,
      SYNCV3_SECRET_FILE: join(dir, 'secret'),
      SYNCV3_BINDADDR: '127.0.0.1:9000',
      SYNCV3_MAX_DB_CONN: '25',
      SYNCV3_REDIS: 'redis://cache:6379',
      SYNCV3_PROM: ':2112',
      SYNCV3_LOG_LEVEL: 'debug',
    });
    expect(c.secret).toBe('from-a-file-0123456789abcdef0123456789');
    expect(c.bind).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(c.maxDbConnections).toBe(25);
    expect(c.redisUrl).toBe('redis://cache:6379');
    expect(c.promBind).toEqual({ host: '0.0.0.0', port: 2112 });
    expect(c.logLevel).toBe('debug');
  });

  it('names the variable that is wrong', () => {
    for (const [name, value] of [
      ['SYNCV3_SERVER', 'ftp://x'],
      ['SYNCV3_DB', 'mysql://x'],
      ['SYNCV3_SECRET', ''],
      ['SYNCV3_BINDADDR', 'nowhere'],
      ['SYNCV3_MAX_DB_CONN', '-1'],
      ['SYNCV3_REDIS', 'http://x'],
      ['SYNCV3_PROM', 'x:y'],
      ['SYNCV3_PUBLIC_URL', 'matrix.example.org'],
      ['SYNCV3_LIVEKIT_SERVICE_URL', 'wss://sfu.example.org'],
    ] as const) {
      const attempt = () => loadSyncConfig({ ...BASE, [name]: value });
      expect(attempt, name).toThrow(ConfigError);
      expect(attempt, name).toThrow(name);
    }
  });

  it('reads the discovery URLs without their trailing slash', () => {
    const c = loadSyncConfig({
      ...BASE,
      SYNCV3_PUBLIC_URL: 'https://matrix.example.org/',
      SYNCV3_LIVEKIT_SERVICE_URL: 'https://rtc.example.org/livekit/jwt/',
    });
    expect(c.publicUrl).toBe('https://matrix.example.org');
    expect(c.livekitServiceUrl).toBe('https://rtc.example.org/livekit/jwt');
    expect(loadSyncConfig(BASE).publicUrl).toBeUndefined();
  });

  it('warns about a short secret', () => {
    expect(loadSyncConfig({ ...BASE, SYNCV3_SECRET: 'short' }).warnings[0]).toContain('SYNCV3_SECRET');
  });

  describe('the admin API (SYNCV3_ADMIN_*)', () => {
    const ADMIN = {
      SYNCV3_PROM: '127.0.0.1:2112',
      SYNCV3_ADMIN_AUTH_URL: 'http://auth:8080/',
      SYNCV3_ADMIN_CLIENT_ID: 'sync-proxy-admin',
      SYNCV3_ADMIN_CLIENT_SECRET: 's3cret',
    };

    it('is off unless configured', () => {
      expect(loadSyncConfig(BASE).admin).toBeNull();
    });

    it('reads the auth service and the client, the secret also from a file', () => {
      const dir = mkdtempSync(join(tmpdir(), 'syncv3-'));
      writeFileSync(join(dir, 'admin'), 'from-a-file\n');
      expect(loadSyncConfig({ ...BASE, ...ADMIN }).admin).toEqual({
        authUrl: 'http://auth:8080',
        clientId: 'sync-proxy-admin',
        clientSecret: 's3cret',
      });
      const fromFile = loadSyncConfig({
        ...BASE,
        ...ADMIN,
        SYNCV3_ADMIN_CLIENT_SECRET: undefined,
        SYNCV3_ADMIN_CLIENT_SECRET_FILE: join(dir, 'admin'),
      });
      expect(fromFile.admin?.clientSecret).toBe('from-a-file');
    });

    it('names the variable missing from a partial set', () => {
      const attempt = () => loadSyncConfig({ ...BASE, ...ADMIN, SYNCV3_ADMIN_CLIENT_SECRET: undefined });
      expect(attempt).toThrow(ConfigError);
      expect(attempt).toThrow('SYNCV3_ADMIN_CLIENT_SECRET: required with');
    });

    it('needs the internal listener, since it is served nowhere else', () => {
      expect(() => loadSyncConfig({ ...BASE, ...ADMIN, SYNCV3_PROM: undefined })).toThrow(
        'SYNCV3_PROM: required with SYNCV3_ADMIN_AUTH_URL',
      );
    });

    it('names a bad value', () => {
      expect(() => loadSyncConfig({ ...BASE, ...ADMIN, SYNCV3_ADMIN_AUTH_URL: 'auth:8080' })).toThrow(
        'SYNCV3_ADMIN_AUTH_URL',
      );
    });
  });
});
