import { describe, expect, it } from 'vitest';
import { deviceFromScope, devicesOf } from './devices';

const times = (created: string, active: string | null) => ({
  created_at: created,
  last_active_at: active,
  last_active_ip: active === null ? null : '192.0.2.1',
});

describe('deviceFromScope', () => {
  it('reads the stable and the MSC2967 device scope, and nothing else', () => {
    expect(deviceFromScope('openid urn:matrix:client:api:* urn:matrix:client:device:PHONE1')).toBe('PHONE1');
    expect(
      deviceFromScope(
        'urn:matrix:org.matrix.msc2967.client:device:OLD urn:matrix:org.matrix.msc2967.client:api:*',
      ),
    ).toBe('OLD');
    expect(deviceFromScope('openid urn:mas:admin')).toBeNull();
    expect(deviceFromScope('urn:matrix:client:device:')).toBeNull();
  });
});

describe('devicesOf', () => {
  it('lists the device of every kind of session, most recently active first, without device-less ones', () => {
    const devices = devicesOf({
      oauth: [
        {
          id: 'o1',
          attributes: {
            client_id: 'element-x',
            human_name: null,
            scope: 'openid urn:matrix:client:device:PHONE',
            ...times('2026-12-01T00:00:00Z', '2026-12-05T00:00:00Z'),
          },
        },
        {
          id: 'o2',
          attributes: {
            client_id: 'admin-dashboard',
            human_name: 'Dashboard',
            scope: 'openid urn:mas:admin',
            ...times('2026-12-01T00:00:00Z', '2026-12-06T00:00:00Z'),
          },
        },
      ],
      compat: [
        {
          id: 'c1',
          attributes: {
            device_id: 'LEGACY',
            human_name: 'old client',
            ...times('2026-12-02T00:00:00Z', null),
          },
        },
        {
          id: 'c2',
          attributes: { device_id: null, human_name: null, ...times('2026-12-02T00:00:00Z', null) },
        },
      ],
      personal: [
        {
          id: 'p1',
          attributes: {
            human_name: 'bot',
            scope: 'urn:matrix:client:api:* urn:matrix:client:device:BOTDEV',
            ...times('2026-12-03T00:00:00Z', '2026-12-06T01:00:00Z'),
          },
        },
      ],
    });
    expect(devices.map((d) => [d.deviceId, d.kind, d.sessionId, d.name])).toEqual([
      ['BOTDEV', 'personal', 'p1', 'bot'],
      ['PHONE', 'oauth', 'o1', 'element-x'],
      ['LEGACY', 'compat', 'c1', 'old client'],
    ]);
    expect(devices[0]?.lastActiveIp).toBe('192.0.2.1');
  });
});
