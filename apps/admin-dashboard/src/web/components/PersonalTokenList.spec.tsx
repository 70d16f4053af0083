// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AdminApi, JsonClient } from '../api/client';
import type { SyncAdminApi } from '../api/sync-admin';
import type { AuthSession } from '../lib/auth';
import { ServicesContext } from '../lib/context';
import type { RtcApi } from '../api/rtc-api';
import { PersonalTokenList } from './PersonalTokenList';

afterEach(cleanup);

const TOKEN = {
  type: 'personal-session',
  id: 'ps1',
  attributes: {
    created_at: '2030-01-01T00:00:00Z',
    revoked_at: null,
    owner_user_id: 'admin-id',
    owner_client_id: null,
    actor_user_id: 'alice-id',
    human_name: 'bridge bot',
    scope: 'urn:matrix:client:api:* urn:matrix:client:device:ABCDEFGHIJ',
    last_active_at: null,
    last_active_ip: null,
    expires_at: null,
  },
  links: { self: '/api/admin/v1/personal-sessions/ps1' },
  meta: { page: { cursor: 'ps1' } },
};

/** The admin API's answers for one token of alice's, recording what the list posts. */
function show() {
  const post = vi.fn((path: string, _options: unknown) =>
    Promise.resolve(
      path.endsWith('/regenerate')
        ? { data: { ...TOKEN, attributes: { ...TOKEN.attributes, access_token: 'mpt_fresh' } } }
        : { data: TOKEN },
    ),
  );
  const api = {
    get: (path: string) =>
      Promise.resolve(
        path === '/api/admin/v1/users/{id}'
          ? { data: { id: 'alice-id', attributes: { username: 'alice' } } }
          : { data: [TOKEN], meta: { count: 1 }, links: { self: '', first: '', last: '' } },
      ),
    post,
  } as unknown as AdminApi;
  render(
    <ServicesContext
      value={{
        api,
        rtc: {} as RtcApi,
        sync: {} as SyncAdminApi,
        metrics: {} as JsonClient,
        session: {} as AuthSession,
      }}
    >
      <PersonalTokenList status="active" showUser label="Personal tokens" />
    </ServicesContext>,
  );
  return post;
}

async function confirmIn(name: string) {
  const dialog = screen.getByRole('dialog');
  await act(async () => {
    fireEvent.click(within(dialog).getByRole('button', { name }));
    await Promise.resolve();
  });
  return dialog;
}

describe('PersonalTokenList', () => {
  it('lists a token with the username it acts as', async () => {
    show();
    expect(await screen.findByRole('link', { name: 'alice' })).toBeTruthy();
    expect(screen.getByText('Never')).toBeTruthy();
  });

  it('regenerates with the lifetime asked for and shows the new token once', async () => {
    const post = show();
    fireEvent.click(await screen.findByRole('button', { name: 'Regenerate' }));
    const days = screen.getByLabelText('New token expires in (days)');
    fireEvent.change(days, { target: { value: '400' } });
    const dialog = await confirmIn('Regenerate');
    expect(within(dialog).getByRole('alert').textContent).toContain('A whole number of days, 1 to 366');
    expect(post).not.toHaveBeenCalled();

    fireEvent.change(days, { target: { value: '2' } });
    await confirmIn('Regenerate');
    expect(post).toHaveBeenCalledWith('/api/admin/v1/personal-sessions/{id}/regenerate', {
      path: { id: 'ps1' },
      body: { expires_in: 2 * 24 * 3600 },
    });
    expect((await screen.findByLabelText<HTMLInputElement>('Token')).value).toBe('mpt_fresh');
    expect(screen.getByText(/you will not see it again/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.queryByDisplayValue('mpt_fresh')).toBeNull();
  });

  it('revokes only once confirmed', async () => {
    const post = show();
    fireEvent.click(await screen.findByRole('button', { name: 'Revoke' }));
    expect(post).not.toHaveBeenCalled();
    await confirmIn('Revoke');
    expect(post).toHaveBeenCalledWith('/api/admin/v1/personal-sessions/{id}/revoke', { path: { id: 'ps1' } });
    expect(await screen.findByText('Token revoked')).toBeTruthy();
  });
});
