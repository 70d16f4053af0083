import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeHomeserver, newUser } from '@gateway/testing';
import type { Identity } from '../auth/token-store';
import { PresenceReporter } from './presence-reporter';

// The stable API's `set_presence`, as the README promises it: put upstream with the client's token, at
// most once a minute per token while unchanged, a change at once, nothing for `offline`. The clock is
// the reporter's injectable one (PRESENCE_CLOCK), so "a minute" costs nothing; the homeserver is a
// loopback fake recording the PUTs.
describe('PresenceReporter', () => {
  let fake: FakeHomeserver;
  beforeAll(async () => {
    fake = await FakeHomeserver.start();
    fake.script('PUT', /\/presence\/.*\/status$/, { status: 200, json: {} });
  });
  afterAll(async () => {
    await fake.stop();
  });

  const identity = (user: { userId: string; deviceId: string; token: string }): Identity => ({
    ...user,
    tokenHash: Buffer.alloc(32),
  });
  const puts = () =>
    fake.requests
      .filter((r) => r.method === 'PUT')
      .map((r) => ({
        path: r.path,
        auth: r.headers.authorization,
        presence: (JSON.parse(r.body) as { presence: unknown }).presence,
      }));

  it('puts presence once a minute per token while unchanged, a change at once, nothing for offline', async () => {
    let now = 1_700_000_000_000;
    const reporter = new PresenceReporter(fake.url, () => now);
    const user = newUser('presence');
    const phone = identity(user);
    // The same user's other device: its own token, so its own minute.
    const laptop = identity({ ...user, deviceId: `${user.deviceId}_2`, token: `${user.token}_2` });
    const path = `/_matrix/client/v3/presence/${encodeURIComponent(user.userId)}/status`;
    const put = (who: Identity, presence: string) => ({ path, auth: `Bearer ${who.token}`, presence });
    const expected: ReturnType<typeof put>[] = [];
    /** Reports at `at`; `sent` is the PUT that must follow at once, or none. */
    const step = async (
      at: number,
      who: Identity,
      presence: 'online' | 'unavailable' | 'offline',
      sent: boolean,
    ) => {
      now = at;
      reporter.report(who, presence);
      if (sent) expected.push(put(who, presence));
      await expect.poll(() => puts().length).toBe(expected.length);
    };
    const t0 = now;

    await step(t0, phone, 'offline', false);
    await step(t0, phone, 'online', true);
    await step(t0 + 1_000, phone, 'online', false);
    await step(t0 + 59_999, phone, 'online', false);
    // Another token of the same user within that minute is put at once.
    await step(t0 + 59_999, laptop, 'online', true);
    await step(t0 + 60_000, phone, 'online', true);
    await step(t0 + 60_001, phone, 'online', false);
    // A change is put at once, and so is the change back.
    await step(t0 + 60_002, phone, 'unavailable', true);
    await step(t0 + 60_003, phone, 'online', true);
    await step(t0 + 60_004, phone, 'offline', false);
    await step(t0 + 60_005, laptop, 'offline', false);
    // No PUT still in flight from a step that should have sent none.
    await new Promise((r) => setTimeout(r, 100));
    expect(puts()).toEqual(expected);
  });
});
