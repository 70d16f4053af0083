import { describe, expect, it } from 'vitest';
import type { User } from '@gateway/auth-data';
import { ConsentPolicy, consentKey, type ConsentMemory, type ConsentRequest } from './consent-policy';

const API = 'urn:matrix:client:api:*';
const device = (id: string) => `urn:matrix:client:device:${id}`;

function user(admin = false): User {
  return {
    id: 'u1',
    localpart: 'alice',
    passwordHash: null,
    admin,
    createdAt: new Date(0),
    deactivatedAt: null,
    lockedAt: null,
  };
}

/** Consent remembered as the store does: one set of scopes per user and client, compared as a set. */
function memory(): ConsentMemory & { saved: Map<string, string[]> } {
  const saved = new Map<string, string[]>();
  const key = (userId: string, clientId: string) => `${userId} ${clientId}`;
  return {
    saved,
    has: (userId, clientId, scopes) => {
      const known = saved.get(key(userId, clientId));
      return Promise.resolve(
        known !== undefined && known.length === scopes.length && scopes.every((s) => known.includes(s)),
      );
    },
    remember: (userId, clientId, scopes) => {
      saved.set(key(userId, clientId), [...scopes]);
      return Promise.resolve();
    },
  };
}

function request(scope: string, clientId = 'app', responseType: string | undefined = 'code'): ConsentRequest {
  return { clientId, scope, responseType };
}

describe('ConsentPolicy', () => {
  it('asks the first time, with each requested scope once', async () => {
    const policy = new ConsentPolicy(memory(), new Set());
    const decision = await policy.decide(request(`openid ${API} ${API} ${device('AAAAAAAAAA')}`), user());
    expect(decision).toEqual({ kind: 'ask', scopes: ['openid', API, device('AAAAAAAAAA')] });
  });

  it('grants without asking for first-party clients', async () => {
    const policy = new ConsentPolicy(memory(), new Set(['element']));
    const decision = await policy.decide(request(`openid ${API}`, 'element'), user());
    expect(decision).toEqual({ kind: 'grant', scopes: ['openid', API] });
  });

  it('remembers consent for a new device, not for one device id', async () => {
    const mem = memory();
    const policy = new ConsentPolicy(mem, new Set());
    await policy.remember(user(), 'app', ['openid', API, device('AAAAAAAAAA')]);
    expect([...mem.saved.values()]).toEqual([['openid', API, device('*')]]);
    expect(await policy.decide(request(`openid ${API} ${device('BBBBBBBBBB')}`), user())).toEqual({
      kind: 'grant',
      scopes: ['openid', API, device('BBBBBBBBBB')],
    });
    // More than was agreed to is asked for again, and so is another client.
    expect((await policy.decide(request(`openid email ${API} ${device('CCCCCCCCCC')}`), user())).kind).toBe(
      'ask',
    );
    expect(
      (await policy.decide(request(`openid ${API} ${device('CCCCCCCCCC')}`, 'other'), user())).kind,
    ).toBe('ask');
  });

  it('refuses, with invalid_scope, what the user may not have, even from a first-party client', async () => {
    const policy = new ConsentPolicy(memory(), new Set(['element']));
    const decision = await policy.decide(request(`openid urn:synapse:admin:*`, 'element'), user());
    expect(decision).toEqual({
      kind: 'refuse',
      refusal: { error: 'invalid_scope', error_description: "scope 'urn:synapse:admin:*' not allowed" },
    });
    expect((await policy.decide(request(`openid urn:synapse:admin:*`), user(true))).kind).toBe('ask');
  });

  it('refuses two devices in one session', async () => {
    const policy = new ConsentPolicy(memory(), new Set());
    const decision = await policy.decide(
      request(`${API} ${device('AAAAAAAAAA')} ${device('BBBBBBBBBB')}`),
      user(),
    );
    expect(decision.kind).toBe('refuse');
  });

  it('checks the policy again at approval', () => {
    const policy = new ConsentPolicy(memory(), new Set());
    const scope = `openid urn:synapse:admin:*`;
    expect(policy.approve(request(scope), user(true))).toEqual({ scopes: ['openid', 'urn:synapse:admin:*'] });
    expect(policy.approve(request(scope), user(false))).toMatchObject({
      refusal: { error: 'invalid_scope' },
    });
  });

  it('applies the device-grant policy when there is no response_type', async () => {
    const policy = new ConsentPolicy(memory(), new Set());
    const decision = await policy.decide(
      request(`openid ${API} ${device('AAAAAAAAAA')}`, 'tv', undefined),
      user(),
    );
    expect(decision.kind).toBe('ask');
  });

  it('consentKey keeps the form of a device scope', () => {
    expect(consentKey(['urn:matrix:org.matrix.msc2967.client:device:XYZ', 'openid'])).toEqual([
      'urn:matrix:org.matrix.msc2967.client:device:*',
      'openid',
    ]);
  });
});
