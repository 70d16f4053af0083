// Delegated delayed leave (MSC4140, rtc-jwt-service.md §6): keeps a MatrixRTC member's delayed leave
// event alive while LiveKit sees the participant, and sends it as soon as the participant is gone.
// Framework-free; the app wires in the LiveKit lookup, the homeserver client and, optionally, Redis.
export { createDelayedLeaveManager, type DelayedLeaveManagerOptions } from './create-delayed-leave-manager';
export { DelayedEventsHttpClient, type DelayedEventsHttpClientOptions } from './delayed-events-client';
export { DEFAULT_TIMING, type DelayedLeaveTiming } from './timing';
export {
  DelayedLeaveShuttingDownError,
  type DelayedEventResult,
  type DelayedEventsClient,
  type DelayedLeaveManager,
  type DelegationRequest,
  type ParticipantLookup,
  type ParticipantPresence,
} from './types';
