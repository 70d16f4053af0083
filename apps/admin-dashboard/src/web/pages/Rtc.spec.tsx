// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, type AdminApi, type JsonClient } from '../api/client';
import { RtcApi, type RtcRooms } from '../api/rtc-api';
import type { SyncAdminApi } from '../api/sync-admin';
import type { AuthSession } from '../lib/auth';
import { ServicesContext } from '../lib/context';
import { Rtc } from './Rtc';

afterEach(cleanup);

/** The RTC API with its answers chosen by the test, counting the calls it gets. */
class ScriptedRtc extends RtcApi {
  calls = 0;
  constructor(
    configured: boolean,
    private readonly answer: () => Promise<RtcRooms>,
  ) {
    super(() => Promise.resolve('token'), configured);
  }
  override rooms(): Promise<RtcRooms> {
    this.calls++;
    return this.answer();
  }
}

function show(rtc: RtcApi) {
  // The page uses only the RTC API.
  const services = {
    rtc,
    api: {} as AdminApi,
    sync: {} as SyncAdminApi,
    metrics: {} as JsonClient,
    session: {} as AuthSession,
  };
  render(
    <ServicesContext value={services}>
      <Rtc />
    </ServicesContext>,
  );
}

describe('the RTC page', () => {
  it('says the RTC admin API is not configured, and asks nothing', () => {
    const rtc = new ScriptedRtc(false, () => Promise.resolve({ data: [], meta: { count: 0 } }));
    show(rtc);
    expect(screen.getByRole('status').textContent).toContain('The RTC admin API is not configured.');
    expect(rtc.calls).toBe(0);
  });

  it('says when no call is live', async () => {
    show(new ScriptedRtc(true, () => Promise.resolve({ data: [], meta: { count: 0 } })));
    expect(await screen.findByText('No calls are live right now.')).toBeTruthy();
  });

  it('shows why the RTC service could not answer, with a retry', async () => {
    const cause =
      'LiveKit: the SFU is unreachable (ECONNREFUSED): check LIVEKIT_URL and that LiveKit is running';
    show(new ScriptedRtc(true, () => Promise.reject(new ApiError(502, [cause]))));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(cause);
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });
});
