import type { ParticipantPresence } from '../../src/livekit/livekit-rooms';
import type {
  DelayedEventResult,
  DelayedEventsClient,
  DelegationRequest,
  ParticipantLookup,
} from '../../src/delayed-leave/types';

/**
 * Stateful fakes of the manager's two dependencies, for unit and integration tests: a LiveKit that
 * knows whom you told it about, and a homeserver that records every restart/send.
 */
export class FakeParticipants implements ParticipantLookup {
  readonly lookups: { room: string; identity: string }[] = [];
  private readonly presence = new Map<string, ParticipantPresence>();
  fallback: ParticipantPresence = 'absent';

  set(room: string, identity: string, presence: ParticipantPresence): void {
    this.presence.set(JSON.stringify([room, identity]), presence);
  }

  getParticipant(room: string, identity: string): Promise<ParticipantPresence> {
    this.lookups.push({ room, identity });
    return Promise.resolve(this.presence.get(JSON.stringify([room, identity])) ?? this.fallback);
  }
}

export interface DelayedEventCall {
  action: 'restart' | 'send';
  csApiBaseUrl: string;
  delayId: string;
  at: number;
}

type Responder = (delayId: string, attempt: number) => DelayedEventResult;

export class FakeDelayedEvents implements DelayedEventsClient {
  readonly calls: DelayedEventCall[] = [];
  restartResponder: Responder = () => ({ kind: 'ok' });
  sendResponder: Responder = () => ({ kind: 'ok' });

  restart(csApiBaseUrl: string, delayId: string): Promise<DelayedEventResult> {
    return Promise.resolve(this.record('restart', csApiBaseUrl, delayId, this.restartResponder));
  }

  send(csApiBaseUrl: string, delayId: string): Promise<DelayedEventResult> {
    return Promise.resolve(this.record('send', csApiBaseUrl, delayId, this.sendResponder));
  }

  of(action: 'restart' | 'send', delayId?: string): DelayedEventCall[] {
    return this.calls.filter((c) => c.action === action && (delayId === undefined || c.delayId === delayId));
  }

  private record(
    action: 'restart' | 'send',
    csApiBaseUrl: string,
    delayId: string,
    responder: Responder,
  ): DelayedEventResult {
    const attempt = this.of(action, delayId).length;
    this.calls.push({ action, csApiBaseUrl, delayId, at: Date.now() });
    return responder(delayId, attempt);
  }
}

export function delegation(overrides: Partial<DelegationRequest> = {}): DelegationRequest {
  return {
    room: 'room-alias',
    identity: 'hashed-identity',
    delayId: 'syd_delay',
    delayTimeoutMs: 500,
    csApiBaseUrl: 'https://matrix.example.com',
    serverName: 'example.com',
    ...overrides,
  };
}

/** Polls `predicate` every 10 ms; fails after `timeoutMs`. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
