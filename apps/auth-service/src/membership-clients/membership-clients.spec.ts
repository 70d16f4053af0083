import { describe, expect, it } from 'vitest';
import { MembershipClients } from './membership-clients';

describe('MembershipClients', () => {
  const clients = new MembershipClients([{ id: 'rtc' }], 'rtc-membership');

  it('knows its clients and is off when none is configured', () => {
    expect([clients.enabled, clients.has('rtc'), clients.has('other'), clients.has(undefined)]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(new MembershipClients([], 'rtc-membership').enabled).toBe(false);
  });

  it('grants only the Matrix API (either form) and is_joined: no device, no administration', () => {
    expect(
      clients.scopesFor([
        'urn:matrix:client:api:*',
        'urn:matrix:org.matrix.msc2967.client:api:*',
        'urn:matrix:client:io.element.msc4502:rooms:is_joined',
        'urn:matrix:client:device:ABCDEFGHIJ',
        'urn:synapse:admin:*',
        'urn:mas:admin',
        'openid',
      ]),
    ).toEqual([
      'urn:matrix:client:api:*',
      'urn:matrix:org.matrix.msc2967.client:api:*',
      'urn:matrix:client:io.element.msc4502:rooms:is_joined',
    ]);
  });
});
