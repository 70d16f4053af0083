/** The upstream homeserver, as the proxy reaches it. */
export class UpstreamProbe {
  constructor(readonly baseUrl: string) {}

  /** Readiness: the homeserver answers its versions endpoint. */
  async ping(): Promise<void> {
    const res = await fetch(`${this.baseUrl}/_matrix/client/versions`, {
      signal: AbortSignal.timeout(2_000),
    });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`upstream answered ${res.status}`);
  }
}
