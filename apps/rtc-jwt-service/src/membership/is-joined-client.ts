import { upstreamJson, UpstreamError } from '@gateway/http';
import { booleanField, isJsonObject, stringField } from '@gateway/util';

const TIMEOUT_MS = 5_000;
const MAX_BODY_BYTES = 4 * 1024;

/** Who is asked about: one user, or any user of one server (MSC4502's `mxid` / `server_name`). */
export type JoinedSubject = { mxid: string } | { serverName: string };

/** The answer was neither yes nor no (homeserver down, scope missing, …): no conclusion either way. */
export class MembershipUnknownError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MembershipUnknownError';
  }
}

export interface IsJoinedClientOptions {
  /** Our homeserver's client-server API base URL, or null when it cannot be found. */
  baseUrl: () => Promise<string | null>;
  /** The application service's token; or, instead, `tokenSource` (membership/oauth-token-source.ts). */
  asToken?: string;
  /** Where an OAuth access token for each request comes from; its failures are MembershipUnknownErrors. */
  tokenSource?: { token(): Promise<string>; invalidate(token: string): void };
  fetch?: typeof fetch;
  /** LIVEKIT_INSECURE_SKIP_VERIFY_TLS: any certificate accepted, as lk-jwt-service's default transport. */
  insecureSkipVerifyTls?: boolean;
}

/**
 * MSC4502 `GET /_matrix/client/unstable/io.element.msc4502/rooms/{roomId}/is_joined`, as Synapse 1.160
 * serves it behind `experimental_features.msc4502_enabled`: exactly one of `mxid` or `server_name`,
 * answered `{"joined": bool}` to a requester holding `urn:matrix:client:io.element.msc4502:rooms:is_joined`.
 */
export class IsJoinedClient {
  constructor(private readonly o: IsJoinedClientOptions) {}

  async isJoined(roomId: string, subject: JoinedSubject): Promise<boolean> {
    const base = await this.o.baseUrl();
    if (base === null) throw new MembershipUnknownError("our homeserver's client-server API cannot be found");
    const query =
      'mxid' in subject
        ? `mxid=${encodeURIComponent(subject.mxid)}`
        : `server_name=${encodeURIComponent(subject.serverName)}`;
    const url = `${base}/_matrix/client/unstable/io.element.msc4502/rooms/${encodeURIComponent(roomId)}/is_joined?${query}`;
    const bearer =
      this.o.tokenSource === undefined ? (this.o.asToken ?? '') : await this.o.tokenSource.token();
    let res;
    try {
      res = await upstreamJson(url, {
        headers: { authorization: `Bearer ${bearer}` },
        timeoutMs: TIMEOUT_MS,
        maxBodyBytes: MAX_BODY_BYTES,
        secrets: [bearer],
        insecureSkipVerifyTls: this.o.insecureSkipVerifyTls === true,
        ...(this.o.fetch === undefined ? {} : { fetch: this.o.fetch }),
      });
    } catch (err) {
      const reason = err instanceof UpstreamError ? err.kind : 'error';
      throw new MembershipUnknownError(`is_joined failed (${reason})`, { cause: err });
    }
    if (res.ok && isJsonObject(res.body)) {
      const joined = booleanField(res.body, 'joined');
      if (joined !== undefined) return joined;
    }
    const errcode = isJsonObject(res.body) ? stringField(res.body, 'errcode') : undefined;
    // A room id Synapse cannot parse has no members; Synapse answers an unknown room with `joined: false`.
    if (res.status === 400 && errcode === 'M_INVALID_PARAM') return false;
    // A token the homeserver no longer accepts (revoked, auth service reset): the next check gets a new one.
    if (res.status === 401) this.o.tokenSource?.invalidate(bearer);
    throw new MembershipUnknownError(
      `is_joined answered ${String(res.status)}${errcode === undefined ? '' : ` ${errcode}`}`,
    );
  }
}
