import { ServerError } from 'livekit-server-sdk';
import { SsrfGuard, upstreamJson, UpstreamError } from '@gateway/http';
import { arrayField, isJsonObject, stringField } from '@gateway/util';
import type { RtcConfig } from '../config';
import { CsApiResolver } from '../delayed-leave/cs-api-resolver';
import { LiveKitRooms } from '../livekit/livekit-rooms';
import { IS_JOINED_SCOPE } from '../membership/appservice-registration';
import { checkOAuthMembershipScope } from './oauth-membership-check';

/** One line of the report: what was checked, and on failure what to fix. */
export interface DoctorFinding {
  ok: boolean;
  text: string;
}

export interface DoctorOptions {
  /** The URL clients reach this service at, which the homeserver must advertise. */
  serviceUrl?: string;
  /** Seconds for each LiveKit call. */
  livekitTimeoutSeconds?: number;
}

const TIMEOUT_MS = 5_000;
const MAX_BODY_BYTES = 64 * 1024;

/**
 * Checks the RTC path the way a client meets it: LiveKit answers with our key, our homeserver
 * advertises this service as its LiveKit transport (MSC4143 `/rtc/transports`), and the membership
 * scope works (MSC4502 `is_joined`). Each failure is one line saying what to fix.
 */
export async function runDoctor(config: RtcConfig, options: DoctorOptions = {}): Promise<DoctorFinding[]> {
  const findings = [await checkLiveKit(config, options.livekitTimeoutSeconds ?? 5)];
  const m = config.membership;
  if (m === null) {
    findings.push({
      ok: true,
      text: 'membership: not configured, so not checked (set LIVEKIT_AS_REGISTRATION_FILE and LIVEKIT_HS_SERVER_NAME)',
    });
    return findings;
  }
  // Resolved as the service resolves it: overrides first, then the well-known behind the same SSRF guard.
  const guard = new SsrfGuard({ allowedServerNames: config.allowPrivateHomeservers });
  const base = await new CsApiResolver(config.csApiOverrides, guard).resolve(m.serverName);
  if (base === null) {
    findings.push({
      ok: false,
      text: `homeserver: cannot find ${m.serverName}'s client-server API (serve .well-known/matrix/client or set LIVEKIT_CS_API_URL_OVERRIDES)`,
    });
    return findings;
  }
  let bearer = m.asToken;
  if (m.oauth === null) findings.push(await checkMembershipScope(base, m.serverName, m.asToken ?? ''));
  else {
    const checked = await checkOAuthMembershipScope(base, m.serverName, m.oauth);
    findings.push(checked.finding);
    bearer = checked.token;
  }
  if (options.serviceUrl !== undefined && bearer !== null)
    findings.push(await checkTransports(base, bearer, options.serviceUrl));
  return findings;
}

async function checkLiveKit(config: RtcConfig, timeoutSeconds: number): Promise<DoctorFinding> {
  const { url, key, secret } = config.livekit;
  try {
    await new LiveKitRooms(url, key, secret, timeoutSeconds).ping();
    return { ok: true, text: `livekit: ${url} answers ListRooms with key ${key}` };
  } catch (err) {
    if (err instanceof ServerError && (err.status === 401 || err.code === 'unauthenticated')) {
      return {
        ok: false,
        text: `livekit: ${url} refused key ${key}: LIVEKIT_KEY/LIVEKIT_SECRET must be one of the SFU's keys (its keys: setting)`,
      };
    }
    if (err instanceof ServerError) {
      return {
        ok: false,
        text: `livekit: ${url} answered ListRooms with ${String(err.status)} ${err.code ?? ''}`.trimEnd(),
      };
    }
    return {
      ok: false,
      text: `livekit: ${url} is unreachable (${describe(err)}): check LIVEKIT_URL and that the SFU runs`,
    };
  }
}

async function checkMembershipScope(
  base: string,
  serverName: string,
  asToken: string,
): Promise<DoctorFinding> {
  // Any well-formed room id will do: the question is whether the homeserver answers it at all.
  const url = `${base}/_matrix/client/unstable/io.element.msc4502/rooms/${encodeURIComponent(`!doctor:${serverName}`)}/is_joined?server_name=${encodeURIComponent(serverName)}`;
  try {
    const res = await upstreamJson(url, {
      headers: { authorization: `Bearer ${asToken}` },
      timeoutMs: TIMEOUT_MS,
      maxBodyBytes: MAX_BODY_BYTES,
      secrets: [asToken],
    });
    const errcode = isJsonObject(res.body) ? stringField(res.body, 'errcode') : undefined;
    if (res.ok)
      return { ok: true, text: `membership: ${serverName} answers is_joined to our application service` };
    if (res.status === 401) {
      return {
        ok: false,
        text: `membership: ${serverName} does not know our as_token (${errcode ?? String(res.status)}): add the registration to Synapse's app_service_config_files and restart it`,
      };
    }
    if (res.status === 403) {
      return {
        ok: false,
        text: `membership: ${serverName} refused is_joined: the registration lacks the scope ${IS_JOINED_SCOPE} (io.element.msc4502.scopes)`,
      };
    }
    if (res.status === 404 || errcode === 'M_UNRECOGNIZED') {
      return {
        ok: false,
        text: `membership: ${serverName} does not serve MSC4502 is_joined: set experimental_features.msc4502_enabled: true (Synapse ≥ 1.160)`,
      };
    }
    return {
      ok: false,
      text: `membership: is_joined answered ${String(res.status)} ${errcode ?? ''}`.trimEnd(),
    };
  } catch (err) {
    return { ok: false, text: `membership: ${base} is unreachable (${describe(err)})` };
  }
}

async function checkTransports(base: string, asToken: string, serviceUrl: string): Promise<DoctorFinding> {
  const url = `${base}/_matrix/client/unstable/org.matrix.msc4143/rtc/transports`;
  try {
    const res = await upstreamJson(url, {
      headers: { authorization: `Bearer ${asToken}` },
      timeoutMs: TIMEOUT_MS,
      maxBodyBytes: MAX_BODY_BYTES,
      secrets: [asToken],
    });
    if (!res.ok || !isJsonObject(res.body)) {
      return {
        ok: false,
        text: `transports: /rtc/transports answered ${String(res.status)}: set experimental_features.msc4143_enabled and matrix_rtc.transports in homeserver.yaml`,
      };
    }
    const advertised = arrayField(res.body, 'rtc_transports')
      .filter(isJsonObject)
      .filter((t) => stringField(t, 'type') === 'livekit')
      .map((t) => stringField(t, 'livekit_service_url'));
    const want = serviceUrl.replace(/\/+$/, '');
    if (advertised.some((u) => u?.replace(/\/+$/, '') === want)) {
      return { ok: true, text: `transports: the homeserver advertises ${want}` };
    }
    if (advertised.length === 0) {
      return {
        ok: false,
        text: `transports: the homeserver advertises no LiveKit transport (clients fail with an empty /rtc/transports): add {type: livekit, livekit_service_url: ${want}} to matrix_rtc.transports`,
      };
    }
    return {
      ok: false,
      text: `transports: the homeserver advertises ${advertised.map(String).join(', ')}, not ${want}: fix matrix_rtc.transports`,
    };
  } catch (err) {
    return { ok: false, text: `transports: ${base} is unreachable (${describe(err)})` };
  }
}

function describe(err: unknown): string {
  if (err instanceof UpstreamError) return err.kind;
  // fetch's TypeError "fetch failed" carries the reason (ECONNREFUSED, ENOTFOUND, …) in its cause.
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string')
    return cause.code;
  return cause instanceof Error ? cause.message : String(cause);
}
