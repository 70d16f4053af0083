import { expectOk, upstreamStatus } from '@gateway/http';

/** The upstream homeserver, as the proxy reaches it. */
export class UpstreamProbe {
  constructor(readonly baseUrl: string) {}

  /** Readiness: the homeserver answers its versions endpoint. */
  async ping(): Promise<void> {
    const url = `${this.baseUrl}/_matrix/client/versions`;
    expectOk(
      await upstreamStatus(url, { timeoutMs: 2_000, maxBodyBytes: 1024 * 1024, redirect: 'follow' }),
      url,
    );
  }
}
