import type { Queue } from 'bullmq';
import type { AuthStore, CompatSession, CompatTokenHashes, User } from '@gateway/auth-data';
import { MatrixError } from '@gateway/matrix';
import type { JobPayload } from '@gateway/queues';
import type { Clock } from '@gateway/util';
import type { LoginLimiter } from '../accounts/login-limiter';
import { localpartFromLoginIdentifier } from '../accounts/localpart';
import { upgradeImportedHash } from '../accounts/hash-upgrade';
import { verifyPassword } from '../accounts/passwords';
import type { SynapseMasClient } from '../synapse/synapse-mas-client';
import { generateToken, hashToken, parseToken } from '../token-format/token-format';
import { randomAlphanumeric } from '../token-format/random-string';
import type { LoginRequest } from './login-request';
import { isUsableUser } from '../accounts/usable-user';

/** What `POST /login` answers (Synapse's LoginResponse). */
export interface LoginResponse {
  user_id: string;
  access_token: string;
  device_id: string;
  home_server: string;
  refresh_token?: string;
  expires_in_ms?: number;
}

export interface RefreshResponse {
  access_token: string;
  refresh_token: string;
  expires_in_ms: number;
}

export interface CompatLoginOptions {
  homeserver: string;
  /** Lifetime of access tokens issued with `refresh_token: true`, seconds. */
  refreshableTokenTtl: number;
  /** How long a login token from the SSO redirect may wait for its exchange (MAS: 30 s). */
  loginTokenTtlMs?: number;
  /** AUTH_MFA_REQUIRED: whether a user must have a second factor (they set it up in the browser). */
  mfaRequired?: (user: User) => boolean;
  /** AUTH_PASSWORD_LOGIN_ENABLED: false refuses `m.login.password` (default true). */
  passwordsEnabled?: boolean;
}

type DeleteQueue = Queue<JobPayload<'auth.delete-device'>>;

// MAS generates 10 alphanumerics when the client names no device.
const DEVICE_ID_LENGTH = 10;
const WRONG_CREDENTIALS = 'Invalid username or password';
const MFA_REQUIRED =
  'This account must use two-factor authentication: set it up by signing in through the browser (single sign-on)';
const MFA_IN_USE =
  'This account uses two-factor authentication: sign in through the browser (single sign-on) instead of with a password';

/**
 * The legacy login layer's decisions, on MAS's rules with Synapse's answers: password and login-token
 * logins start a compat session whose device exists in Synapse before the token leaves; refresh tokens
 * rotate; logout ends the session and deletes the device so Synapse refuses the token at once.
 */
export class CompatLogin {
  private readonly loginTokenTtlMs: number;

  constructor(
    private readonly store: AuthStore,
    private readonly synapse: SynapseMasClient,
    private readonly limiter: LoginLimiter,
    private readonly deleteQueue: DeleteQueue,
    private readonly clock: Clock,
    private readonly options: CompatLoginOptions,
    private readonly onDeviceError: (err: unknown) => void = () => undefined,
  ) {
    this.loginTokenTtlMs = options.loginTokenTtlMs ?? 30_000;
  }

  async login(request: LoginRequest, ip: string): Promise<LoginResponse> {
    if (request.type === 'm.login.password') {
      if (this.options.passwordsEnabled === false)
        throw new MatrixError('M_FORBIDDEN', 'Password login is disabled on this server');
      const user = await this.passwordUser(request.user, request.password, ip);
      // A password alone is not enough for an account with a second factor, and this API has no way
      // to ask for one: the browser sign-in (m.login.sso) asks for the code. Told only after the
      // right password, like a locked account.
      if (await this.store.mfa.hasAnyFactor(user.id)) throw new MatrixError('M_FORBIDDEN', MFA_IN_USE);
      if (this.options.mfaRequired?.(user) === true) throw new MatrixError('M_FORBIDDEN', MFA_REQUIRED);
      return this.startSession(user, request, ip);
    }
    return this.startSession(await this.loginTokenUser(request.token), request, ip);
  }

  /**
   * The user whose password this is. Unknown users and wrong passwords get the same answer, after the
   * same work; deactivated and locked users are told so only when the password is right.
   */
  async passwordUser(identifier: string, password: string, ip: string): Promise<User> {
    const localpart = localpartFromLoginIdentifier(identifier.toLowerCase(), this.options.homeserver);
    const limiterKey = localpart ?? identifier;
    const wait = await this.limiter.admit(limiterKey, ip);
    if (wait !== null) throw MatrixError.limitExceeded(wait);
    const user = localpart === null ? null : await this.store.users.findByLocalpart(localpart);
    const ok = await verifyPassword(user?.passwordHash ?? null, password);
    if (!ok || user === null) {
      throw new MatrixError('M_FORBIDDEN', WRONG_CREDENTIALS);
    }
    await this.limiter.succeeded(limiterKey);
    checkUsable(user);
    await upgradeImportedHash(this.store, user, password);
    return user;
  }

  private async loginTokenUser(token: string): Promise<User> {
    const now = this.clock();
    const login = await this.store.compat.exchangeSsoLogin(
      hashToken(token),
      new Date(now - this.loginTokenTtlMs),
      new Date(now),
    );
    const user = login?.userId == null ? null : await this.store.users.findById(login.userId);
    if (!user) throw new MatrixError('M_FORBIDDEN', 'Invalid login token');
    return checkUsable(user);
  }

  private async startSession(user: User, request: LoginRequest, ip: string): Promise<LoginResponse> {
    const deviceId = request.deviceId ?? randomAlphanumeric(DEVICE_ID_LENGTH);
    // Synapse refuses tokens of users and devices it does not know: both exist before the token leaves.
    try {
      await this.synapse.provisionUser({ localpart: user.localpart });
      await this.synapse.upsertDevice(
        user.localpart,
        deviceId,
        request.initialDeviceDisplayName ?? undefined,
      );
    } catch (err) {
      this.onDeviceError(err);
      throw new MatrixError('M_UNKNOWN', 'The homeserver could not register this device; try again.', {
        status: 503,
        cause: err,
      });
    }
    const issued = this.issue(request.refreshToken);
    const now = new Date(this.clock());
    const { session } = await this.store.compat.start(user.id, deviceId, issued.hashes, now);
    // The account page's "last active": this login, from this address.
    await this.store.compat.touch(session.id, ip, now);
    return {
      user_id: `@${user.localpart}:${this.options.homeserver}`,
      access_token: issued.accessToken,
      device_id: deviceId,
      home_server: this.options.homeserver,
      ...(issued.refreshToken === null
        ? {}
        : { refresh_token: issued.refreshToken, expires_in_ms: this.options.refreshableTokenTtl * 1000 }),
    };
  }

  async refresh(refreshToken: string, ip: string | null = null): Promise<RefreshResponse> {
    const parsed = parseToken(refreshToken);
    const invalid = new MatrixError('M_UNKNOWN_TOKEN', 'Invalid refresh token');
    if (parsed?.valid !== true || parsed.kind !== 'compat_refresh_token') throw invalid;
    const issued = this.issue(true);
    const outcome = await this.store.compat.refresh(
      hashToken(refreshToken),
      issued.hashes,
      new Date(this.clock()),
    );
    if (!outcome.ok || issued.refreshToken === null) throw invalid;
    const user = await this.store.users.findById(outcome.session.userId);
    if (!isUsableUser(user)) throw invalid;
    await this.store.compat.touch(outcome.session.id, ip, new Date(this.clock()));
    return {
      access_token: issued.accessToken,
      refresh_token: issued.refreshToken,
      expires_in_ms: this.options.refreshableTokenTtl * 1000,
    };
  }

  /** The live compat session behind an access token, or Synapse's answer for a token it cannot use. */
  async sessionOf(accessToken: string): Promise<CompatSession> {
    const parsed = parseToken(accessToken);
    const unknown = new MatrixError('M_UNKNOWN_TOKEN', 'Invalid access token passed.', {
      fields: { soft_logout: false },
    });
    if (parsed?.valid !== true || parsed.kind !== 'compat_access_token') throw unknown;
    const token = await this.store.compat.findAccessToken(hashToken(accessToken));
    if (!token) throw unknown;
    if (token.expiresAt !== null && token.expiresAt.getTime() <= this.clock()) {
      // Synapse's answer for an expired token: the client may refresh and keep its device.
      throw new MatrixError('M_UNKNOWN_TOKEN', 'Access token has expired', { fields: { soft_logout: true } });
    }
    return token.session;
  }

  /** `/logout`: the session ends, its device goes. Returns the session (for the audit log). */
  async logout(accessToken: string): Promise<CompatSession> {
    const session = await this.sessionOf(accessToken);
    const finished = await this.store.compat.finish(session.id, new Date(this.clock()));
    if (finished) await this.deleteDevice(finished);
    return session;
  }

  /** Ends one of the user's compat sessions (the account page); its device goes. False if not theirs or over. */
  async endSession(userId: string, sessionId: string): Promise<boolean> {
    const live = await this.store.compat.activeForUser(userId);
    if (!live.some((s) => s.id === sessionId)) return false;
    const finished = await this.store.compat.finish(sessionId, new Date(this.clock()));
    if (finished) await this.deleteDevice(finished);
    return finished !== null;
  }

  /** `/logout/all` (compat sessions only, as MAS): every compat session of the token's user ends. */
  async logoutAll(accessToken: string): Promise<{ session: CompatSession; ended: number }> {
    const session = await this.sessionOf(accessToken);
    const finished = await this.store.compat.finishAllForUser(session.userId, new Date(this.clock()));
    for (const s of finished) await this.deleteDevice(s);
    return { session, ended: finished.length };
  }

  /**
   * Deleted right away, so Synapse refuses the token on its next request whatever it cached; when
   * Synapse cannot be reached the retried job of sessions/ does it later.
   */
  private async deleteDevice(session: CompatSession): Promise<void> {
    const user = await this.store.users.findById(session.userId);
    if (!user) return;
    // Another live session (an OAuth login reusing the device ID) still needs the device.
    const oauth = await this.store.sessions.activeForUser(user.id);
    const compat = await this.store.compat.activeForUser(user.id);
    const personal = await this.store.personal.activeForUser(user.id);
    if ([...oauth, ...compat, ...personal].some((s) => s.deviceId === session.deviceId)) return;
    try {
      await this.synapse.deleteDevice(user.localpart, session.deviceId);
    } catch (err) {
      this.onDeviceError(err);
      await this.deleteQueue.add(
        'delete-device',
        { userId: user.id, deviceId: session.deviceId },
        {
          jobId: `${user.id}.${session.deviceId}`,
          attempts: 10,
          backoff: { type: 'exponential', delay: 1_000 },
        },
      );
    }
  }

  private issue(refreshable: boolean): {
    accessToken: string;
    refreshToken: string | null;
    hashes: CompatTokenHashes;
  } {
    const accessToken = generateToken('compat_access_token');
    const refreshToken = refreshable ? generateToken('compat_refresh_token') : null;
    return {
      accessToken,
      refreshToken,
      hashes: {
        accessTokenHash: hashToken(accessToken),
        refreshTokenHash: refreshToken === null ? null : hashToken(refreshToken),
        accessExpiresAt: refreshable
          ? new Date(this.clock() + this.options.refreshableTokenTtl * 1000)
          : null,
      },
    };
  }
}

/** Synapse's answers for accounts that exist but may not log in. */
function checkUsable(user: User): User {
  if (user.deactivatedAt !== null)
    throw new MatrixError('M_USER_DEACTIVATED', 'This account has been deactivated');
  if (user.lockedAt !== null) throw new MatrixError('M_USER_LOCKED', 'User account has been locked');
  return user;
}
