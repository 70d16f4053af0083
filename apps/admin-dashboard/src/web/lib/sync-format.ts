import type { PollerState } from '../api/sync-admin';

/** How a poller's state reads on the Sync page, and how alarming it is. */
export const POLLER_STATES = {
  running: { label: 'Running', tone: 'ok' },
  'initial-sync': { label: 'First sync', tone: 'ok' },
  'backing-off': { label: 'Backing off', tone: 'warn' },
  unleased: { label: 'No replica', tone: 'warn' },
  'token-rejected': { label: 'Token rejected', tone: 'bad' },
  idle: { label: 'Idle (stopped)', tone: 'muted' },
} as const satisfies Record<PollerState, { label: string; tone: 'ok' | 'warn' | 'bad' | 'muted' }>;

/**
 * A poller's lag (seconds since it last stored an upstream answer) in words. A quiet, healthy poller
 * long-polls for 30 s, so up to a minute is normal; beyond that it is flagged.
 */
export function formatLag(seconds: number | null): { text: string; late: boolean } {
  if (seconds === null) return { text: 'never polled', late: false };
  const late = seconds > 60;
  if (seconds < 60) return { text: `${Math.round(seconds)} s`, late };
  if (seconds < 3600) return { text: `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`, late };
  if (seconds < 86_400)
    return { text: `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`, late };
  return { text: `${Math.floor(seconds / 86_400)} d ${Math.floor((seconds % 86_400) / 3600)} h`, late };
}
