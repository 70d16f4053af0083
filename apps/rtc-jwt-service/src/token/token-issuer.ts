import { MatrixError, type UserId } from '@gateway/matrix';
import type { CsApiResolver } from '../delayed-leave/cs-api-resolver';
import {
  DelayedLeaveShuttingDownError,
  type DelayedLeaveManager,
  type DelegationRequest,
} from '../delayed-leave/types';
import type { RateLimiter } from '@gateway/util';
import { enforceRateLimits } from '../limits/enforce-rate-limits';
import { classifyLiveKitFailure, type LiveKitFailure } from '../livekit/livekit-failure';
import type { LiveKitRooms } from '../livekit/livekit-rooms';
import type { MembershipGate } from '../membership/membership-gate';
import type { MembershipMonitor } from '../membership/membership-monitor';
import type { OpenIdVerifier } from '../openid/openid-verifier';
import {
  parseDelegateDelayedLeaveBody,
  parseGetTokenBody,
  parseSfuGetBody,
  type BodyParseOptions,
  type DelayedLeaveParams,
  type OpenIdCredentials,
} from '../request/request-body';
import { legacyLiveKitRoomAlias, liveKitRoomAlias } from '../request/room-alias';
import { planGrant, type FullAccessPolicy, type RtcEndpoint } from './full-access';
import { legacyLiveKitIdentity, liveKitIdentity } from './identity';
import { LiveKitTokenMinter } from './token-minter';

export interface TokenIssuerDeps {
  livekit: { url: string; key: string; secret: string };
  parseOptions: BodyParseOptions;
  verifier: Pick<OpenIdVerifier, 'verify'>;
  policy: FullAccessPolicy;
  rooms: Pick<LiveKitRooms, 'createRoom'>;
  csApi: Pick<CsApiResolver, 'resolve'>;
  delayedLeave: Pick<DelayedLeaveManager, 'delegate'>;
  ipLimiter: RateLimiter | null;
  userLimiter: RateLimiter | null;
  /** Null without membership configuration: any verified user gets a token (lk-jwt-service ≤ 0.6). */
  membership: {
    gate: Pick<MembershipGate, 'requireJoined' | 'hasFullAccessMember'>;
    monitor: Pick<MembershipMonitor, 'track'>;
  } | null;
  shuttingDown: () => boolean;
  onCreateRoomError: (failure: LiveKitFailure) => void;
}

export interface TokenResponse {
  url: string;
  jwt: string;
}

const CS_API_UNRESOLVABLE = 'Unable to resolve client-server API';
const CREATE_ROOM_FAILED = 'Unable to create room on SFU';

/**
 * The three token endpoints, in lk-jwt-service's order of checks: body (no homeserver contact), OpenID
 * userinfo, the full-access decision, signing, client-server API resolution, CreateRoom, delegation.
 * Element Call's fallbacks depend on which check fails first, so the order is part of the contract.
 */
export class TokenIssuer {
  private readonly minter: LiveKitTokenMinter;

  constructor(private readonly deps: TokenIssuerDeps) {
    this.minter = new LiveKitTokenMinter({ apiKey: deps.livekit.key, apiSecret: deps.livekit.secret });
  }

  /** MSC4195 `POST /get_token`. */
  async getToken(raw: string, ip: string): Promise<TokenResponse> {
    await this.admit(ip);
    const body = parseGetTokenBody(raw, this.deps.parseOptions);
    const userId = await this.verify(body.openId, body.member.claimedUserId);
    const room = liveKitRoomAlias(body.roomId, body.slotId);
    const identity = liveKitIdentity(userId, body.member.claimedDeviceId, body.member.id);
    // Only a delegation needs the legacy names (one more SHA-256), so they are derived on demand.
    return this.issue(
      'get_token',
      body.openId,
      body.delay,
      { roomId: body.roomId, userId },
      room,
      identity,
      () => ({
        legacyIdentity: legacyLiveKitIdentity(userId, body.member.claimedDeviceId),
        legacyRoom: legacyLiveKitRoomAlias(body.roomId),
      }),
    );
  }

  /** Legacy `POST /sfu/get`: identity `user:device`, room from the fixed slot `m.call#ROOM`. */
  async sfuGet(raw: string, ip: string): Promise<TokenResponse> {
    await this.admit(ip);
    const body = parseSfuGetBody(raw, this.deps.parseOptions);
    const userId = await this.verify(body.openId, undefined);
    return this.issue(
      'sfu_get',
      body.openId,
      body.delay,
      { roomId: body.room, userId },
      legacyLiveKitRoomAlias(body.room),
      legacyLiveKitIdentity(userId, body.deviceId),
      () => ({}),
    );
  }

  /** `POST /delegate_delayed_leave`: no token, no room; the participant may have joined either way. */
  async delegateDelayedLeave(raw: string, ip: string): Promise<Record<string, never>> {
    await this.admit(ip);
    const body = parseDelegateDelayedLeaveBody(raw, this.deps.parseOptions);
    const userId = await this.verify(body.openId, body.member.claimedUserId);
    const fullAccess = this.deps.policy.isFullAccess(body.openId.matrixServerName);
    planGrant('delegate_delayed_leave', fullAccess, true);
    await this.delegate(body.openId.matrixServerName, body.delay, {
      room: liveKitRoomAlias(body.roomId, body.slotId),
      identity: liveKitIdentity(userId, body.member.claimedDeviceId, body.member.id),
      // Element Call's compatibility mode joins with the /sfu/get identity; lk-jwt-service misses those.
      legacyIdentity: legacyLiveKitIdentity(userId, body.member.claimedDeviceId),
      legacyRoom: legacyLiveKitRoomAlias(body.roomId),
    });
    return {};
  }

  private async admit(ip: string): Promise<void> {
    if (this.deps.shuttingDown())
      throw new MatrixError('M_UNKNOWN', 'Service is shutting down', { status: 503 });
    if (this.deps.ipLimiter) await enforceRateLimits([{ limiter: this.deps.ipLimiter, key: `ip:${ip}` }]);
  }

  private async verify(openId: OpenIdCredentials, claimedUserId: string | undefined): Promise<UserId> {
    const userId = await this.deps.verifier.verify(openId, claimedUserId);
    if (this.deps.userLimiter)
      await enforceRateLimits([{ limiter: this.deps.userLimiter, key: `user:${userId}` }]);
    return userId;
  }

  private async issue(
    endpoint: RtcEndpoint,
    openId: OpenIdCredentials,
    delay: DelayedLeaveParams | null,
    matrix: { roomId: string; userId: UserId },
    room: string,
    identity: string,
    legacy: () => Pick<DelegationRequest, 'legacyIdentity' | 'legacyRoom'>,
  ): Promise<TokenResponse> {
    const fullAccess = this.deps.policy.isFullAccess(openId.matrixServerName);
    const plan = planGrant(endpoint, fullAccess, delay !== null);
    const membership = this.deps.membership;
    let createRoom = plan.createRoom;
    if (membership !== null) {
      await membership.gate.requireJoined(matrix.roomId, matrix.userId);
      // A remote user may start a call in a room a full-access homeserver takes part in.
      if (!createRoom) createRoom = await membership.gate.hasFullAccessMember(matrix.roomId);
    }
    const jwt = this.minter.mint({ identity, room, canPublish: plan.canPublish });
    // Resolved before CreateRoom, as upstream does, so an unresolvable server creates no room.
    const csApiBaseUrl =
      delay !== null && plan.delegateDelayedLeave ? await this.resolveCsApi(openId.matrixServerName) : null;
    if (createRoom) {
      try {
        await this.deps.rooms.createRoom(room);
      } catch (err) {
        // Upstream's 500 M_UNKNOWN and its text stay first (clients may match them); the rest names
        // the cause, so the error dialog of a call that cannot start tells the operator what to fix.
        const failure = classifyLiveKitFailure(err);
        this.deps.onCreateRoomError(failure);
        throw new MatrixError('M_UNKNOWN', `${CREATE_ROOM_FAILED}: ${failure.text}`, { cause: err });
      }
    }
    if (delay !== null && csApiBaseUrl !== null) {
      await this.startDelegation({
        room,
        identity,
        ...legacy(),
        delayId: delay.delayId,
        delayTimeoutMs: delay.delayTimeoutMs,
        csApiBaseUrl,
        serverName: openId.matrixServerName,
      });
    }
    // Awaited: a token nobody could take back once the user leaves the room is not handed out. The
    // watch's store (Redis) being down is a 503 that names it, not an anonymous 500.
    try {
      await membership?.monitor.track({ room, identity, roomId: matrix.roomId, userId: matrix.userId });
    } catch (err) {
      throw new MatrixError('M_UNKNOWN', 'The membership watch is unavailable (its Redis store failed)', {
        status: 503,
        cause: err,
      });
    }
    return { url: this.deps.livekit.url, jwt };
  }

  private async delegate(
    serverName: string,
    delay: DelayedLeaveParams,
    target: Pick<DelegationRequest, 'room' | 'identity' | 'legacyIdentity' | 'legacyRoom'>,
  ): Promise<void> {
    const csApiBaseUrl = await this.resolveCsApi(serverName);
    await this.startDelegation({
      ...target,
      delayId: delay.delayId,
      delayTimeoutMs: delay.delayTimeoutMs,
      csApiBaseUrl,
      serverName,
    });
  }

  private async resolveCsApi(serverName: string): Promise<string> {
    const url = await this.deps.csApi.resolve(serverName);
    if (url === null) throw new MatrixError('M_BAD_JSON', CS_API_UNRESOLVABLE);
    return url;
  }

  private async startDelegation(request: DelegationRequest): Promise<void> {
    if (this.deps.shuttingDown())
      throw new MatrixError('M_UNKNOWN', 'Service is shutting down', { status: 503 });
    try {
      await this.deps.delayedLeave.delegate(request);
    } catch (err) {
      if (err instanceof DelayedLeaveShuttingDownError)
        throw new MatrixError('M_UNKNOWN', 'Service is shutting down', { status: 503 });
      throw new MatrixError(
        'M_BAD_JSON',
        err instanceof Error ? err.message : 'Unable to delegate the delayed leave',
        { cause: err },
      );
    }
  }
}
