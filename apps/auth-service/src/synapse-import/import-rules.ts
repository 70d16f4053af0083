import type {
  ImportedAccessToken,
  ImportedDevice,
  ImportedEmail,
  ImportedRefreshToken,
  ImportedUpstreamLink,
  ImportedUser,
} from '@gateway/auth-data';
import { checkLocalpart } from '../accounts/localpart';
import { hashToken } from '../token-format/token-format';
import type {
  SynapseAccessTokenRow,
  SynapseDeviceRow,
  SynapseExternalIdRow,
  SynapseOwner,
  SynapseRefreshTokenRow,
  SynapseThreepidRow,
  SynapseUserRow,
} from './synapse-source';

/**
 * What becomes of each Synapse row: the record to write, or why it is skipped. Pure, so every rule is
 * unit-tested and a dry run reports exactly what a real run would do.
 */
export type Decision<T> = { ok: true; record: T } | { ok: false; reason: string };

const skip = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

/** The localpart of a user of this server, or null for another server's user. */
function localpartOf(userId: string, homeserver: string): string | null {
  const suffix = `:${homeserver}`;
  return userId.startsWith('@') && userId.endsWith(suffix) ? userId.slice(1, -suffix.length) : null;
}

/** Why a user (by its Synapse row's facts) is not imported, or null when it is. */
function userSkipReason(
  userId: string,
  isGuest: boolean | null,
  appserviceId: string | null,
  homeserver: string,
): string | null {
  if (isGuest === null) return 'user not in Synapse users table';
  if (isGuest) return 'guest user';
  if (appserviceId !== null) return `application service user (${appserviceId})`;
  const localpart = localpartOf(userId, homeserver);
  if (localpart === null) return `not a user of ${homeserver}`;
  const problem = checkLocalpart(localpart, homeserver);
  // Digits-only and leading-underscore names are Synapse's own (guests, bridges), already handled above;
  // the rest are names no client can type any more.
  if (problem === 'empty' || problem === 'invalid_characters' || problem === 'too_long')
    return `localpart outside the localpart rules (${problem.replace('_', ' ')})`;
  return null;
}

function ownerSkip(row: SynapseOwner & { userId: string }, homeserver: string): string | null {
  const reason = userSkipReason(row.userId, row.ownerIsGuest, row.ownerAppserviceId, homeserver);
  return reason === null ? null : `owner skipped: ${reason}`;
}

const fromMs = (ms: number | null, fallback: Date): Date => (ms === null ? fallback : new Date(ms));

export function decideUser(row: SynapseUserRow, homeserver: string, now: Date): Decision<ImportedUser> {
  const reason = userSkipReason(row.name, row.isGuest, row.appserviceId, homeserver);
  if (reason !== null) return skip(reason);
  const localpart = localpartOf(row.name, homeserver) ?? '';
  return {
    ok: true,
    record: {
      localpart,
      // Only bcrypt hashes can be verified here; anything else (an SSO-only user's empty hash) is none.
      passwordHash:
        row.passwordHash !== null && /^\$2[aby]\$/.test(row.passwordHash) ? row.passwordHash : null,
      admin: row.admin,
      displayName: row.displayName,
      createdAt: row.creationTs === null ? now : new Date(row.creationTs * 1000),
      deactivatedAt: row.deactivated ? now : null,
      lockedAt: row.locked ? now : null,
    },
  };
}

export function decideEmail(row: SynapseThreepidRow, homeserver: string, now: Date): Decision<ImportedEmail> {
  const owner = ownerSkip(row, homeserver);
  if (owner !== null) return skip(owner);
  if (row.medium !== 'email') return skip(`threepid medium ${row.medium} is not imported`);
  return {
    ok: true,
    record: {
      localpart: localpartOf(row.userId, homeserver) ?? '',
      email: row.address,
      createdAt: fromMs(row.addedAt, now),
      confirmedAt: row.validatedAt === null ? null : new Date(row.validatedAt),
    },
  };
}

export function decideUpstreamLink(
  row: SynapseExternalIdRow,
  homeserver: string,
): Decision<ImportedUpstreamLink> {
  const owner = ownerSkip(row, homeserver);
  if (owner !== null) return skip(owner);
  return {
    ok: true,
    record: {
      localpart: localpartOf(row.userId, homeserver) ?? '',
      providerId: row.authProvider,
      subject: row.externalId,
    },
  };
}

export function decideDevice(row: SynapseDeviceRow, homeserver: string, now: Date): Decision<ImportedDevice> {
  const owner = ownerSkip(row, homeserver);
  if (owner !== null) return skip(owner);
  // Synapse keeps cross-signing keys as hidden devices; they are keys, not sessions.
  if (row.hidden) return skip('hidden device (cross-signing keys)');
  return {
    ok: true,
    record: {
      localpart: localpartOf(row.userId, homeserver) ?? '',
      deviceId: row.deviceId,
      createdAt: fromMs(row.lastSeen, now),
    },
  };
}

export function decideAccessToken(
  row: SynapseAccessTokenRow,
  homeserver: string,
  now: Date,
): Decision<ImportedAccessToken> {
  const owner = ownerSkip(row, homeserver);
  if (owner !== null) return skip(owner);
  if (row.puppetsUserId !== null) return skip(`admin token puppeting ${row.puppetsUserId}`);
  if (row.deviceId === null) return skip('token without a device');
  if (!row.deviceExists) return skip('token of a deleted device');
  if (row.validUntilMs !== null && row.validUntilMs <= now.getTime()) return skip('expired token');
  return {
    ok: true,
    record: {
      localpart: localpartOf(row.userId, homeserver) ?? '',
      deviceId: row.deviceId,
      tokenHash: hashToken(row.token),
      createdAt: now,
      expiresAt: row.validUntilMs === null ? null : new Date(row.validUntilMs),
    },
  };
}

export function decideRefreshToken(
  row: SynapseRefreshTokenRow,
  homeserver: string,
  now: Date,
): Decision<ImportedRefreshToken> {
  const owner = ownerSkip(row, homeserver);
  if (owner !== null) return skip(owner);
  if (!row.deviceExists) return skip('token of a deleted device');
  if (row.nextTokenId !== null) return skip('refresh token already used');
  const ends = row.ultimateSessionExpiryTs;
  if (ends !== null && ends <= now.getTime()) return skip('session past its ultimate expiry');
  return {
    ok: true,
    record: {
      localpart: localpartOf(row.userId, homeserver) ?? '',
      deviceId: row.deviceId,
      tokenHash: hashToken(row.token),
      // With its access token gone, rotation has nothing to withdraw: the hash of itself stands in.
      accessTokenHash: hashToken(row.accessToken ?? row.token),
      createdAt: now,
    },
  };
}
