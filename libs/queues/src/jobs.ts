/**
 * Every background job of the gateway, by queue name. Payloads carry ids and small values only —
 * never entities — so a job stays valid however long it waits and whatever changed meanwhile.
 */
export interface JobPayloads extends AuthJobPayloads {
  /** rtc-jwt-service: keep a MatrixRTC delayed leave event alive / send it (MSC4140). */
  'rtc.delayed-leave': {
    /**
     * The delegation whose next step is due. Job ids are `<delegationId>-v<version>`: rescheduling adds
     * a new job and an outdated one finds a newer version and does nothing.
     */
    delegationId: string;
  };
}

export interface AuthJobPayloads {
  /** auth-service: a session ended (revoked, replayed refresh token); delete its device in Synapse. */
  'auth.delete-device': {
    userId: string;
    deviceId: string;
  };
  /**
   * auth-service: make Synapse's device list of one user match their live sessions; without `userId`,
   * the periodic sweep (a BullMQ job scheduler) that adds one such job per user.
   */
  'auth.sync-devices': {
    userId?: string;
  };
  /**
   * auth-service: delete audit events older than AUTH_AUDIT_RETENTION_DAYS (a BullMQ job scheduler, hourly);
   * nothing to carry: the worker reads the retention and the time when it runs.
   */
  'auth.prune-audit': Record<string, never>;
}

export type QueueName = keyof JobPayloads;
export type JobPayload<Q extends QueueName> = JobPayloads[Q];
