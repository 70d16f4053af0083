// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AdminApi, JsonClient } from '../api/client';
import type { RtcApi } from '../api/rtc-api';
import type { SyncAdminApi } from '../api/sync-admin';
import type { AuthSession } from '../lib/auth';
import { ServicesContext } from '../lib/context';
import { UpstreamAccounts } from './UpstreamAccounts';

afterEach(cleanup);

const link = (id: string, providerId: string, subject: string, name: string | null) => ({
  type: 'upstream-oauth-link',
  id,
  attributes: {
    created_at: '2030-01-02T03:04:05Z',
    provider_id: providerId,
    subject,
    user_id: 'alice-id',
    human_account_name: name,
  },
  links: { self: `/api/admin/v1/upstream-oauth-links/${id}` },
  meta: { page: { cursor: id } },
});
const provider = (id: string, name: string | null, disabledAt: string | null) => ({
  type: 'upstream-oauth-provider',
  id,
  attributes: {
    issuer: 'https://id.example/',
    human_name: name,
    brand_name: null,
    created_at: '2030-01-01T00:00:00Z',
    disabled_at: disabledAt,
    registration_token_required: false,
  },
  links: { self: `/api/admin/v1/upstream-oauth-providers/${id}` },
  meta: { page: { cursor: id } },
});
const page = (data: unknown[]) => ({
  meta: { count: data.length },
  data,
  links: { self: '', first: '', last: '' },
});

/** The admin API with alice's links, recording its calls; a delete takes the link out of the next list. */
function show(links: ReturnType<typeof link>[]) {
  let current = links;
  const get = vi.fn((path: string, _options: unknown) =>
    Promise.resolve(
      path === '/api/admin/v1/upstream-oauth-links'
        ? page(current)
        : page([provider('google', 'Google', null), provider('old', null, '2030-01-01T00:00:00Z')]),
    ),
  );
  const del = vi.fn((_path: string, options: { path: { id: string } }) => {
    current = current.filter((l) => l.id !== options.path.id);
    return Promise.resolve(null);
  });
  const api = { get, delete: del } as unknown as AdminApi;
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
      <UpstreamAccounts userId="alice-id" />
    </ServicesContext>,
  );
  return { get, del };
}

describe('UpstreamAccounts', () => {
  it('lists the user’s links with the provider’s name, the account, the subject and when', async () => {
    const { get } = show([
      link('l1', 'google', '1234567890', 'alice@mail.example'),
      link('l2', 'old', 'alice-old', null),
    ]);
    const google = (await screen.findByText('Google')).closest('li')!;
    expect(google.textContent).toContain('alice@mail.example');
    expect(google.textContent).toContain('subject 1234567890');
    expect(google.textContent).toMatch(/linked .*2030/);
    // A provider without a name goes by its ID; one that left the configuration says so.
    const old = screen.getByText('old').closest('li')!;
    expect(old.textContent).toContain('Provider disabled');
    expect(old.textContent).toContain('alice-old');
    expect(old.textContent).not.toContain('subject');
    expect(get).toHaveBeenCalledWith('/api/admin/v1/upstream-oauth-links', {
      query: { 'filter[user]': 'alice-id', 'page[first]': 100 },
    });
  });

  it('says when there are none', async () => {
    show([]);
    expect(await screen.findByText('No upstream accounts.')).toBeTruthy();
  });

  it('unlinks only once confirmed, then lists what is left', async () => {
    const { del } = show([link('l1', 'google', '1234567890', 'alice@mail.example')]);
    fireEvent.click(await screen.findByRole('button', { name: 'Unlink' }));
    expect(del).not.toHaveBeenCalled();
    const dialog = screen.getByRole('dialog');
    expect(within(dialog).getByRole('heading').textContent).toBe('Unlink alice@mail.example at Google?');
    await act(async () => {
      fireEvent.click(within(dialog).getByRole('button', { name: 'Unlink' }));
      await Promise.resolve();
    });
    expect(del).toHaveBeenCalledWith('/api/admin/v1/upstream-oauth-links/{id}', { path: { id: 'l1' } });
    expect(await screen.findByText('Upstream account unlinked')).toBeTruthy();
    expect(await screen.findByText('No upstream accounts.')).toBeTruthy();
  });
});
