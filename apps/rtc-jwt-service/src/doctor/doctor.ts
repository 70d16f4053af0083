import { SsrfGuard, upstreamJson } from '@gateway/http';
import { arrayField, isJsonObject, stringField, systemClock } from '@gateway/util';
import { checkMembershipScope } from '../checks/membership-scope';
import { checkHomeserver, checkLiveKit, describeTransport } from '../checks/rtc-checks';
import type { RtcConfig } from '../config';
import { CsApiResolver } from '../delayed-leave/cs-api-resolver';
import { LiveKitRooms } from '../livekit/livekit-rooms';
import { OAuthTokenSource } from '../membership/oauth-token-source';
import type { ScopeBearer } from '../membership/scope-bearer';

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
/** MSC4143's well-known key (the unstable prefix clients read; matrix-rust-sdk falls back to it). */
const RTC_FOCI = 'org.matrix.msc4143.rtc_foci';

/**
 * Checks the RTC path the way a client meets it: LiveKit answers with our key, our homeserver answers,
 * the membership scope works (MSC4502 `is_joined`), and our homeserver advertises this service both in
 * MSC4143 `/rtc/transports` and in the well-known `rtc_foci`. Each failure is one line saying what to
 * fix, prefixed by the link it is about.
 */
export async function runDoctor(config: RtcConfig, options: DoctorOptions = {}): Promise<DoctorFinding[]> {
  const { url, key, secret } = config.livekit;
  const lk = await checkLiveKit(
    new LiveKitRooms(url, key, secret, options.livekitTimeoutSeconds ?? 5),
    url,
    key,
  );
  const findings: DoctorFinding[] = [
    line(
      'livekit',
      !lk.reachable.ok
        ? lk.reachable
        : !lk.key.ok
          ? lk.key
          : { ok: true, text: `${url} answers ListRooms with key ${key}` },
    ),
  ];
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
  const insecure = config.insecureSkipVerifyTls;
  const base = await new CsApiResolver(
    config.csApiOverrides,
    guard,
    systemClock,
    undefined,
    insecure,
  ).resolve(m.serverName);
  const homeserver = await checkHomeserver(base, m.serverName, insecure);
  findings.push(line('homeserver', homeserver));
  if (base === null || !homeserver.ok) return findings;
  // The bearer as the service gets it; a fresh token source, so the auth service is asked now.
  const scopeBearer: ScopeBearer =
    m.oauth === null
      ? { kind: 'appservice', asToken: m.asToken ?? '' }
      : {
          kind: 'oauth',
          client: m.oauth,
          source: new OAuthTokenSource(m.oauth, systemClock, undefined, insecure),
        };
  const scope = await checkMembershipScope(base, m.serverName, scopeBearer, insecure);
  findings.push(line('membership', scope));
  const bearer = scope.token;
  if (options.serviceUrl !== undefined && bearer !== null) {
    findings.push(await checkTransports(base, bearer, options.serviceUrl, insecure));
    // Clients read the well-known at https://<server name>; an override means the service cannot reach
    // that from where it runs, so the homeserver it was pointed at answers in its place.
    const overridden = config.csApiOverrides.has(m.serverName);
    findings.push(
      await checkWellKnownFoci(
        overridden ? base : `https://${m.serverName}`,
        options.serviceUrl,
        overridden,
        insecure,
      ),
    );
  }
  return findings;
}

function line(link: string, finding: { ok: boolean; text: string }): DoctorFinding {
  return { ok: finding.ok, text: `${link}: ${finding.text}` };
}

const normalise = (u: string): string => u.replace(/\/+$/, '');

/** The `livekit_service_url`s of the `livekit` entries of a transports or foci list. */
function livekitUrls(list: unknown[]): string[] {
  return list
    .filter(isJsonObject)
    .filter((t) => stringField(t, 'type') === 'livekit')
    .map((t) => stringField(t, 'livekit_service_url'))
    .filter((u): u is string => u !== undefined);
}

async function checkTransports(
  base: string,
  asToken: string,
  serviceUrl: string,
  insecureSkipVerifyTls: boolean,
): Promise<DoctorFinding> {
  const url = `${base}/_matrix/client/unstable/org.matrix.msc4143/rtc/transports`;
  try {
    const res = await upstreamJson(url, {
      headers: { authorization: `Bearer ${asToken}` },
      timeoutMs: TIMEOUT_MS,
      maxBodyBytes: MAX_BODY_BYTES,
      secrets: [asToken],
      insecureSkipVerifyTls,
    });
    if (!res.ok || !isJsonObject(res.body)) {
      return {
        ok: false,
        text: `transports: /rtc/transports answered ${String(res.status)}: set experimental_features.msc4143_enabled and matrix_rtc.transports in homeserver.yaml`,
      };
    }
    const advertised = livekitUrls(arrayField(res.body, 'rtc_transports'));
    const want = normalise(serviceUrl);
    if (advertised.some((u) => normalise(u) === want)) {
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
      text: `transports: the homeserver advertises ${advertised.join(', ')}, not ${want}: fix matrix_rtc.transports`,
    };
  } catch (err) {
    return { ok: false, text: `transports: ${base} is unreachable (${describeTransport(err)})` };
  }
}

async function checkWellKnownFoci(
  origin: string,
  serviceUrl: string,
  overridden: boolean,
  insecureSkipVerifyTls: boolean,
): Promise<DoctorFinding> {
  const url = `${origin}/.well-known/matrix/client`;
  const where = overridden ? `${url} (the LIVEKIT_CS_API_URL_OVERRIDES target)` : url;
  const want = normalise(serviceUrl);
  const fix = `add "${RTC_FOCI}": [{"type": "livekit", "livekit_service_url": "${want}"}] (Synapse: extra_well_known_client_content)`;
  try {
    const res = await upstreamJson(url, {
      timeoutMs: TIMEOUT_MS,
      maxBodyBytes: MAX_BODY_BYTES,
      insecureSkipVerifyTls,
    });
    if (!res.ok || !isJsonObject(res.body)) {
      return { ok: false, text: `well-known: ${where} answered ${String(res.status)}: serve it and ${fix}` };
    }
    const foci = livekitUrls(arrayField(res.body, RTC_FOCI));
    if (foci.some((u) => normalise(u) === want)) {
      return { ok: true, text: `well-known: ${RTC_FOCI} at ${where} names ${want}` };
    }
    if (foci.length === 0) {
      return { ok: false, text: `well-known: ${where} has no LiveKit ${RTC_FOCI}: ${fix}` };
    }
    return {
      ok: false,
      text: `well-known: ${RTC_FOCI} at ${where} names ${foci.join(', ')}, not ${want}: fix its livekit_service_url`,
    };
  } catch (err) {
    return { ok: false, text: `well-known: ${where} is unreachable (${describeTransport(err)})` };
  }
}
