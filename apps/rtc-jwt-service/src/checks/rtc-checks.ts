import { ServerError } from 'livekit-server-sdk';
import { upstreamJson, UpstreamError } from '@gateway/http';
import { classifyLiveKitFailure } from '../livekit/livekit-failure';
import type { LiveKitRooms } from '../livekit/livekit-rooms';

/**
 * The checks of the RTC path that need no client: shared by `/ready` (checks/checks.module.ts) and
 * `cli.js doctor` (doctor/doctor.ts), so both say the same thing about the same fault; the membership
 * scope's check is in membership-scope.ts.
 */
export interface Finding {
  ok: boolean;
  /** On success what was verified; on failure what is wrong and what to fix. One line, no secrets. */
  text: string;
}

const TIMEOUT_MS = 5_000;
const MAX_BODY_BYTES = 64 * 1024;

export interface LiveKitFindings {
  /** LiveKit answered at LIVEKIT_URL at all (any Twirp answer, even a refusal). */
  reachable: Finding;
  /** LiveKit accepted a ListRooms signed with our key and secret. */
  key: Finding;
}

/** One ListRooms signed with our key: tells "nothing answers" apart from "it answers but refuses us". */
export async function checkLiveKit(
  rooms: Pick<LiveKitRooms, 'ping'>,
  url: string,
  key: string,
): Promise<LiveKitFindings> {
  try {
    await rooms.ping();
    return {
      reachable: { ok: true, text: `LiveKit at ${url} answers` },
      key: { ok: true, text: `LiveKit accepts key ${key} (ListRooms)` },
    };
  } catch (err) {
    const failure = classifyLiveKitFailure(err);
    if (!(err instanceof ServerError)) {
      const text = `LiveKit at ${url}: ${failure.text}`;
      return {
        reachable: { ok: false, text },
        key: { ok: false, text: `not checked: LiveKit at ${url} is unreachable` },
      };
    }
    const keyText =
      failure.cause === 'key-refused'
        ? `LiveKit at ${url} refused key ${key}: LIVEKIT_KEY/LIVEKIT_SECRET must be one of the SFU's keys (its keys: setting)`
        : `LiveKit at ${url} answered ListRooms with key ${key}: ${failure.text}`;
    return { reachable: { ok: true, text: `LiveKit at ${url} answers` }, key: { ok: false, text: keyText } };
  }
}

/** Our homeserver's client-server API answers (`/_matrix/client/versions`, no token needed). */
export async function checkHomeserver(
  base: string | null,
  serverName: string,
  /** LIVEKIT_INSECURE_SKIP_VERIFY_TLS. */
  insecureSkipVerifyTls = false,
): Promise<Finding> {
  if (base === null) {
    return {
      ok: false,
      text: `cannot find ${serverName}'s client-server API: serve .well-known/matrix/client or set LIVEKIT_CS_API_URL_OVERRIDES`,
    };
  }
  try {
    const res = await upstreamJson(`${base}/_matrix/client/versions`, {
      timeoutMs: TIMEOUT_MS,
      maxBodyBytes: MAX_BODY_BYTES,
      insecureSkipVerifyTls,
    });
    if (res.ok) return { ok: true, text: `${serverName}'s client-server API at ${base} answers` };
    return {
      ok: false,
      text: `${serverName}'s client-server API at ${base} answered /versions with ${String(res.status)}: check LIVEKIT_CS_API_URL_OVERRIDES or .well-known/matrix/client`,
    };
  } catch (err) {
    return {
      ok: false,
      text: `${serverName}'s client-server API at ${base} is unreachable (${describeTransport(err)}): check LIVEKIT_CS_API_URL_OVERRIDES or .well-known/matrix/client`,
    };
  }
}

/** ECONNREFUSED, timeout, …: the reason without URL query or token. */
export function describeTransport(err: unknown): string {
  if (err instanceof UpstreamError) return err.kind;
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string')
    return cause.code;
  return cause instanceof Error ? cause.message : String(cause);
}
