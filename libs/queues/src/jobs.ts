/**
 * Every background job of the gateway, by queue name. Payloads carry ids and small values only —
 * never entities — so a job stays valid however long it waits and whatever changed meanwhile.
 */
export interface JobPayloads {
  /** rtc-jwt-service: keep a MatrixRTC delayed leave event alive / send it (MSC4140). */
  'rtc.delayed-leave': {
    /**
     * The delegation whose next step is due. Job ids are `<delegationId>-v<version>`: rescheduling adds
     * a new job and an outdated one finds a newer version and does nothing.
     */
    delegationId: string;
  };
}

export type QueueName = keyof JobPayloads;
export type JobPayload<Q extends QueueName> = JobPayloads[Q];
