import type { Queue } from 'bullmq';
import type { AuthStore, Session } from '@gateway/auth-data';
import type { JobPayload } from '@gateway/queues';

/**
 * A grant was revoked — a token revoked at /oauth2/revoke (which ends the whole session, as MAS does) or
 * a refresh token replayed. The session is marked finished once, and its device is deleted in Synapse
 * by a job, so a Synapse outage delays the deletion instead of failing the revocation.
 */
export class SessionEnd {
  constructor(
    private readonly store: AuthStore,
    private readonly queue: Queue<JobPayload<'auth.delete-device'>>,
  ) {}

  /** The session this call ended; null when there was none or it had ended already. */
  async grantRevoked(grantId: string): Promise<Session | null> {
    const session = await this.store.sessions.finish(grantId);
    if (!session) return null;
    await this.queue.add(
      'delete-device',
      { userId: session.userId, deviceId: session.deviceId },
      // One job per device, however many replicas saw the revocation.
      {
        jobId: `${session.userId}.${session.deviceId}`,
        attempts: 10,
        backoff: { type: 'exponential', delay: 1_000 },
      },
    );
    return session;
  }
}
