import type { AdminApi } from '../api/client';
import { useServices } from '../lib/context';
import { useAsync } from '../lib/use-async';
import { Async, ConfirmButton, Empty, formatTime, useNotice } from './ui';

interface ProviderName {
  name: string;
  disabled: boolean;
}

/** The user's links and the providers' names (links name providers by ID; there are few of either). */
async function loadAccounts(api: AdminApi, userId: string) {
  const [links, providers] = await Promise.all([
    api.get('/api/admin/v1/upstream-oauth-links', { query: { 'filter[user]': userId, 'page[first]': 100 } }),
    api.get('/api/admin/v1/upstream-oauth-providers', { query: { 'page[first]': 1000 } }),
  ]);
  const names = new Map<string, ProviderName>();
  for (const p of providers.data ?? [])
    names.set(p.id, { name: p.attributes.human_name ?? p.id, disabled: p.attributes.disabled_at !== null });
  return { links: links.data ?? [], names };
}

/**
 * The user's accounts at upstream identity providers (the admin API's upstream links): who signs in as
 * this user through which provider. Unlinking stops that account signing in here; nothing else changes.
 */
export function UpstreamAccounts({ userId }: { userId: string }) {
  const { api } = useServices();
  const [notice, say] = useNotice();
  const [state, reload] = useAsync(() => loadAccounts(api, userId), userId);
  return (
    <section aria-labelledby="upstream-h">
      <h2 id="upstream-h">Upstream accounts</h2>
      <p className="muted small">Accounts at upstream identity providers that sign in as this user.</p>
      {notice}
      <Async state={state} what="upstream accounts" retry={reload}>
        {({ links, names }) =>
          links.length === 0 ? (
            <Empty>No upstream accounts.</Empty>
          ) : (
            <ul className="rows">
              {links.map((l) => {
                const a = l.attributes;
                const provider = names.get(a.provider_id) ?? { name: a.provider_id, disabled: false };
                const account = a.human_account_name ?? a.subject;
                return (
                  <li key={l.id} data-upstream-link={l.id}>
                    <div>
                      <strong>{provider.name}</strong>{' '}
                      {provider.disabled && <span className="badge">Provider disabled</span>}
                      <div className="muted small">
                        {account}
                        {a.human_account_name !== null && (
                          <>
                            {' '}
                            · subject <span className="mono">{a.subject}</span>
                          </>
                        )}{' '}
                        · linked {formatTime(a.created_at)}
                      </div>
                    </div>
                    <ConfirmButton
                      label="Unlink"
                      title={`Unlink ${account} at ${provider.name}?`}
                      confirmLabel="Unlink"
                      danger
                      onConfirm={async () => {
                        await api.delete('/api/admin/v1/upstream-oauth-links/{id}', { path: { id: l.id } });
                        say('Upstream account unlinked');
                        reload();
                      }}
                    >
                      That account can no longer sign in as this user. The user's sessions are not ended.
                    </ConfirmButton>
                  </li>
                );
              })}
            </ul>
          )
        }
      </Async>
    </section>
  );
}
