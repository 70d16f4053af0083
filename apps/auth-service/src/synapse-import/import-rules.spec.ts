import { describe, expect, it } from 'vitest';
import { hashToken } from '../token-format/token-format';
import { decideAccessToken, decideDevice, decideRefreshToken, decideUser } from './import-rules';
import type { SynapseAccessTokenRow, SynapseUserRow } from './synapse-source';

const NOW = new Date('2026-12-01T00:00:00Z');
const HS = 'example.org';
const user = (over: Partial<SynapseUserRow> = {}): SynapseUserRow => ({
  name: '@ann:example.org',
  passwordHash: '$2b$12$abcdefghijklmnopqrstuuJ7Zk0B6yV0nM3HkqkqE7m0pZsQ2bM9K',
  creationTs: 1_700_000_000,
  admin: false,
  isGuest: false,
  appserviceId: null,
  deactivated: false,
  locked: false,
  displayName: null,
  ...over,
});
const token = (over: Partial<SynapseAccessTokenRow> = {}): SynapseAccessTokenRow => ({
  id: 1,
  userId: '@ann:example.org',
  deviceId: 'DEV',
  token: 'syt_YW5u_abc_123',
  validUntilMs: null,
  puppetsUserId: null,
  deviceExists: true,
  ownerIsGuest: false,
  ownerAppserviceId: null,
  ...over,
});

describe(decideUser.name, () => {
  it('keeps admin, lock, deactivation and creation time; the bcrypt hash as it is', () => {
    expect(decideUser(user({ admin: true, locked: true, deactivated: true }), HS, NOW)).toEqual({
      ok: true,
      record: {
        localpart: 'ann',
        passwordHash: user().passwordHash,
        admin: true,
        displayName: null,
        createdAt: new Date(1_700_000_000_000),
        deactivatedAt: NOW,
        lockedAt: NOW,
      },
    });
  });

  it('drops a hash that is not bcrypt (nothing could verify it)', () => {
    const decision = decideUser(user({ passwordHash: '' }), HS, NOW);
    expect(decision.ok && decision.record.passwordHash).toBeNull();
  });

  it.each([
    [{ isGuest: true }, 'guest user'],
    [{ appserviceId: 'irc' }, 'application service user (irc)'],
    [{ name: '@ann:other.org' }, 'not a user of example.org'],
    [{ name: '@Ann Smith:example.org' }, 'localpart outside the localpart rules (invalid characters)'],
  ])('skips %o: %s', (over, reason) => {
    expect(decideUser(user(over), HS, NOW)).toEqual({ ok: false, reason });
  });
});

describe(decideAccessToken.name, () => {
  it('keeps the hash of the token and its expiry, never the value', () => {
    const expires = NOW.getTime() + 60_000;
    expect(decideAccessToken(token({ validUntilMs: expires }), HS, NOW)).toEqual({
      ok: true,
      record: {
        localpart: 'ann',
        deviceId: 'DEV',
        tokenHash: hashToken('syt_YW5u_abc_123'),
        createdAt: NOW,
        expiresAt: new Date(expires),
      },
    });
  });

  it.each([
    [{ puppetsUserId: '@bob:example.org' }, 'admin token puppeting @bob:example.org'],
    [{ deviceId: null }, 'token without a device'],
    [{ deviceExists: false }, 'token of a deleted device'],
    [{ validUntilMs: NOW.getTime() }, 'expired token'],
    [{ ownerIsGuest: null }, 'owner skipped: user not in Synapse users table'],
    [{ ownerAppserviceId: 'irc' }, 'owner skipped: application service user (irc)'],
  ])('skips %o: %s', (over, reason) => {
    expect(decideAccessToken(token(over), HS, NOW)).toEqual({ ok: false, reason });
  });
});

describe(decideDevice.name, () => {
  it('skips hidden devices, which hold cross-signing keys', () => {
    const row = {
      userId: '@ann:example.org',
      deviceId: 'K',
      hidden: true,
      lastSeen: null,
      ownerIsGuest: false,
      ownerAppserviceId: null,
    };
    expect(decideDevice(row, HS, NOW)).toEqual({ ok: false, reason: 'hidden device (cross-signing keys)' });
  });
});

describe(decideRefreshToken.name, () => {
  const row = {
    id: 1,
    userId: '@ann:example.org',
    deviceId: 'DEV',
    token: 'syr_abc',
    nextTokenId: null,
    expiryTs: null,
    ultimateSessionExpiryTs: null,
    accessToken: null,
    deviceExists: true,
    ownerIsGuest: false,
    ownerAppserviceId: null,
  };

  it('without its access token, stands its own hash in for it', () => {
    const decision = decideRefreshToken(row, HS, NOW);
    expect(decision.ok && decision.record.accessTokenHash).toBe(hashToken('syr_abc'));
  });

  it('skips used tokens and sessions past their ultimate expiry', () => {
    expect(decideRefreshToken({ ...row, nextTokenId: 2 }, HS, NOW)).toEqual({
      ok: false,
      reason: 'refresh token already used',
    });
    expect(decideRefreshToken({ ...row, ultimateSessionExpiryTs: NOW.getTime() - 1 }, HS, NOW)).toEqual({
      ok: false,
      reason: 'session past its ultimate expiry',
    });
  });
});
