import { useId, useState } from 'react';
import type { AdminApi } from '../api/client';
import { expiryDays } from '../lib/forms';
import { useServices } from '../lib/context';
import { Link } from '../lib/router';
import { useAsync } from '../lib/use-async';
import { usePaged } from '../lib/use-paged';
import { OneTimeToken } from './PersonalTokenForm';
import { Async, ConfirmButton, Empty, Pager, formatTime, useNotice } from './ui';

export type PersonalTokenStatus = 'active' | 'revoked' | '';

/** Usernames by user ID, asked once per ID for the dashboard's life (a list shows IDs otherwise). */
const usernames = new WeakMap<AdminApi, Map<string, Promise<string>>>();
function usernameOf(api: AdminApi, id: string): Promise<string> {
  let known = usernames.get(api);
  if (known === undefined) {
    known = new Map<string, Promise<string>>();
    usernames.set(api, known);
  }
  let name = known.get(id);
  if (name === undefined) {
    name = api.get('/api/admin/v1/users/{id}', { path: { id } }).then((u) => u.data.attributes.username);
    // A failed look-up is asked again next time.
    name.catch(() => {
      known.delete(id);
    });
    known.set(id, name);
  }
  return name;
}

function UserLink({ id }: { id: string }) {
  const { api } = useServices();
  const [state] = useAsync(() => usernameOf(api, id), id);
  return (
    <Link to={`/users/${encodeURIComponent(id)}`}>
      {state.status === 'done' ? state.value : <span className="mono small">{id}</span>}
    </Link>
  );
}

/** Regenerate, asking for the new token's lifetime (the old one's is not kept). */
function RegenerateButton(props: { name: string; onRegenerate: (seconds: number | null) => Promise<void> }) {
  const [days, setDays] = useState('30');
  const id = useId();
  return (
    <ConfirmButton
      label="Regenerate"
      title={`Regenerate “${props.name}”?`}
      confirmLabel="Regenerate"
      danger
      onConfirm={async () => {
        const checked = expiryDays(days);
        if (!checked.ok) throw new Error(checked.problem);
        await props.onRegenerate(checked.seconds);
      }}
    >
      <p>The current token stops working here at once; a new one is shown once.</p>
      <label>
        New token expires in (days)
        <input
          type="text"
          inputMode="numeric"
          value={days}
          aria-describedby={`${id}-hint`}
          onChange={(e) => {
            setDays(e.target.value);
          }}
        />
      </label>
      <span id={`${id}-hint`} className="small muted">
        1 to 366; empty: never expires.
      </span>
    </ConfirmButton>
  );
}

/**
 * Personal tokens (the admin API's personal sessions) with revoke and regenerate; on the Personal
 * tokens page for everyone, on a user's page for theirs. `version` changes when a token was created
 * elsewhere on the page, to list it.
 */
export function PersonalTokenList(props: {
  actorUserId?: string;
  status: PersonalTokenStatus;
  showUser: boolean;
  version?: number;
  label: string;
}) {
  const { api } = useServices();
  const [notice, say] = useNotice();
  const [shown, setShown] = useState<{ title: string; token: string } | null>(null);
  const paged = usePaged(
    (page) =>
      api.get('/api/admin/v1/personal-sessions', {
        query: {
          ...(props.actorUserId !== undefined ? { 'filter[actor_user]': props.actorUserId } : {}),
          ...(props.status !== '' ? { 'filter[status]': props.status } : {}),
          ...page,
        },
      }),
    `${props.actorUserId ?? ''}|${props.status}|${String(props.version ?? 0)}`,
  );
  const now = Date.now();
  return (
    <>
      {notice}
      {shown && (
        <OneTimeToken
          title={shown.title}
          token={shown.token}
          onDone={() => {
            setShown(null);
          }}
        />
      )}
      <Async state={paged.state} what="personal tokens" retry={paged.reload}>
        {(page) =>
          (page.data ?? []).length === 0 ? (
            <Empty>No {props.status === '' ? '' : `${props.status} `}personal tokens.</Empty>
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="visually-hidden">{props.label}</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    {props.showUser && <th scope="col">Acts as</th>}
                    <th scope="col">State</th>
                    <th scope="col">Scope</th>
                    <th scope="col">Created</th>
                    <th scope="col">Expires</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {(page.data ?? []).map((t) => {
                    const a = t.attributes;
                    const expired = a.expires_at !== null && new Date(a.expires_at).getTime() <= now;
                    return (
                      <tr key={t.id} data-personal-token={a.human_name}>
                        <td>{a.human_name}</td>
                        {props.showUser && (
                          <td>
                            <UserLink id={a.actor_user_id} />
                          </td>
                        )}
                        <td>
                          {a.revoked_at !== null ? (
                            <span className="badge bad">Revoked {formatTime(a.revoked_at)}</span>
                          ) : expired ? (
                            <span className="badge warn">Expired</span>
                          ) : (
                            <span className="badge ok">Active</span>
                          )}
                        </td>
                        <td className="mono small scopes">{a.scope.split(' ').join('\n')}</td>
                        <td>{formatTime(a.created_at)}</td>
                        <td>{a.expires_at === null ? 'Never' : formatTime(a.expires_at)}</td>
                        <td className="actions">
                          {a.revoked_at === null && (
                            <>
                              <RegenerateButton
                                name={a.human_name}
                                onRegenerate={async (seconds) => {
                                  const answer = await api.post(
                                    '/api/admin/v1/personal-sessions/{id}/regenerate',
                                    { path: { id: t.id }, body: { expires_in: seconds } },
                                  );
                                  setShown({
                                    title: `New token for “${a.human_name}”`,
                                    token: answer.data.attributes.access_token,
                                  });
                                  paged.reload();
                                }}
                              />
                              <ConfirmButton
                                label="Revoke"
                                title={`Revoke “${a.human_name}”?`}
                                confirmLabel="Revoke"
                                danger
                                onConfirm={async () => {
                                  await api.post('/api/admin/v1/personal-sessions/{id}/revoke', {
                                    path: { id: t.id },
                                  });
                                  say('Token revoked');
                                  paged.reload();
                                }}
                              >
                                It stops working at once; a token with the Matrix API loses its device, so the
                                homeserver refuses it too. This cannot be undone.
                              </ConfirmButton>
                            </>
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
      <Pager
        label={`${props.label} pages`}
        range={paged.range}
        onPrevious={paged.onPrevious}
        onNext={paged.onNext}
      />
    </>
  );
}
