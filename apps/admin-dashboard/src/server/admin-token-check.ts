import { createHash } from 'node:crypto';

/** Why a request for the dashboard server's own data is refused, in the admin API's shape. */
export interface Refusal {
  status: number;
  body: unknown;
}

/** How long an accepted token is believed without asking again: the overview polls every interval. */
const ACCEPTED_FOR_MS = 30_000;
/** Bounds the memory of accepted tokens; past it the memory is started afresh. */
const MAX_REMEMBERED = 1000;
const CHECK_TIMEOUT_MS = 10_000;

/**
 * Whether a bearer token may read the dashboard server's own data (the sampled metrics). The dashboard
 * is a public client with no credentials of its own to introspect with, so it asks the admin API itself
 * (`GET /api/admin/v1/version`, which needs `urn:mas:admin`): that answer is the auth service's
 * decision, refusals passed back as they are. An accepted token is remembered (by hash) for 30 s, so a
 * revoked one can read the charts that much longer.
 */
export class AdminTokenCheck {
  private readonly accepted = new Map<string, number>();

  constructor(
    /** The auth service's base URL, no trailing slash. */
    private readonly authService: string,
    private readonly now: () => number = Date.now,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  /** Null when the token is an admin's; otherwise the answer to send. */
  async check(authorization: string | undefined): Promise<Refusal | null> {
    if (authorization === undefined || !/^Bearer [^\s]+$/.test(authorization))
      return { status: 401, body: { errors: [{ title: 'A bearer token with urn:mas:admin is required' }] } };
    const key = createHash('sha256').update(authorization).digest('base64url');
    const until = this.accepted.get(key);
    if (until !== undefined && until > this.now()) return null;
    this.accepted.delete(key);
    let res: Response;
    try {
      res = await this.fetchFn(`${this.authService}/api/admin/v1/version`, {
        headers: { Authorization: authorization, Accept: 'application/json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
      });
    } catch {
      return { status: 502, body: { errors: [{ title: 'The auth service cannot be reached' }] } };
    }
    if (!res.ok) {
      const body: unknown = await res.json().catch(() => ({ errors: [] }));
      // Only the auth service's refusals of the token pass as they are; anything else is its failure.
      if (res.status === 401 || res.status === 403) return { status: res.status, body };
      return { status: 502, body: { errors: [{ title: `The auth service answered ${res.status}` }] } };
    }
    await res.body?.cancel();
    if (this.accepted.size >= MAX_REMEMBERED) this.accepted.clear();
    this.accepted.set(key, this.now() + ACCEPTED_FOR_MS);
    return null;
  }
}
