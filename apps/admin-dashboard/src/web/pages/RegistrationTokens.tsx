import { useState } from 'react';
import { TokenForm } from '../components/TokenForm';
import { Async, ConfirmButton, Empty, Pager, formatTime, useNotice } from '../components/ui';
import { useServices } from '../lib/context';
import { tokenFilterQuery, type TokenView } from '../lib/filters';
import { usePaged } from '../lib/use-paged';

export function RegistrationTokens() {
  const { api } = useServices();
  const [view, setView] = useState<TokenView>('');
  const [notice, say] = useNotice();
  const paged = usePaged(
    (page) =>
      api.get('/api/admin/v1/user-registration-tokens', { query: { ...tokenFilterQuery(view), ...page } }),
    view,
  );
  return (
    <>
      <h1>Registration tokens</h1>
      {notice}
      <label className="filters">
        Show
        <select
          value={view}
          onChange={(e) => {
            setView(e.target.value as TokenView);
          }}
        >
          <option value="">All tokens</option>
          <option value="valid">Usable now</option>
          <option value="used">Used at least once</option>
          <option value="revoked">Revoked</option>
          <option value="expired">Expired</option>
        </select>
      </label>
      <Async state={paged.state} what="registration tokens" retry={paged.reload}>
        {(page) =>
          (page.data ?? []).length === 0 ? (
            <Empty>No registration tokens here.</Empty>
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="visually-hidden">Registration tokens</caption>
                <thead>
                  <tr>
                    <th scope="col">Token</th>
                    <th scope="col">State</th>
                    <th scope="col">Used</th>
                    <th scope="col">Expires</th>
                    <th scope="col">Last used</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {(page.data ?? []).map((t) => {
                    const a = t.attributes;
                    return (
                      <tr key={t.id} data-token={a.token}>
                        <td className="mono">{a.token}</td>
                        <td>
                          {a.revoked_at !== null ? (
                            <span className="badge bad">Revoked</span>
                          ) : a.valid ? (
                            <span className="badge ok">Usable</span>
                          ) : (
                            <span className="badge warn">Not usable</span>
                          )}
                        </td>
                        <td>
                          {a.times_used} / {a.usage_limit ?? '∞'}
                        </td>
                        <td>{formatTime(a.expires_at)}</td>
                        <td>{formatTime(a.last_used_at)}</td>
                        <td className="actions">
                          {a.revoked_at === null ? (
                            <>
                              <ConfirmButton
                                label="Expire now"
                                title={`Expire ${a.token}?`}
                                confirmLabel="Expire"
                                danger
                                disabled={!a.valid}
                                onConfirm={async () => {
                                  await api.put('/api/admin/v1/user-registration-tokens/{id}', {
                                    path: { id: t.id },
                                    body: { expires_at: new Date().toISOString() },
                                  });
                                  say('Token expired');
                                  paged.reload();
                                }}
                              >
                                Nobody can register with it from now on.
                              </ConfirmButton>
                              <ConfirmButton
                                label="Revoke"
                                title={`Revoke ${a.token}?`}
                                confirmLabel="Revoke"
                                danger
                                onConfirm={async () => {
                                  await api.post('/api/admin/v1/user-registration-tokens/{id}/revoke', {
                                    path: { id: t.id },
                                  });
                                  say('Token revoked');
                                  paged.reload();
                                }}
                              >
                                Nobody can register with it until it is restored.
                              </ConfirmButton>
                            </>
                          ) : (
                            <button
                              type="button"
                              onClick={() =>
                                void api
                                  .post('/api/admin/v1/user-registration-tokens/{id}/unrevoke', {
                                    path: { id: t.id },
                                  })
                                  .then(() => {
                                    say('Token restored');
                                    paged.reload();
                                  })
                              }
                            >
                              Restore
                            </button>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )
        }
      </Async>
      <Pager label="Token pages" range={paged.range} onPrevious={paged.onPrevious} onNext={paged.onNext} />
      <details className="panel">
        <summary>Create a registration token</summary>
        <TokenForm
          onCreate={async (body) => {
            const created = await api.post('/api/admin/v1/user-registration-tokens', { body });
            say(`Token ${created.data.attributes.token} created`);
            paged.reload();
          }}
        />
      </details>
    </>
  );
}
