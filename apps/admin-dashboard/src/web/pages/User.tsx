import { useId, useState, type SyntheticEvent } from 'react';
import {
  Async,
  ConfirmButton,
  Empty,
  ErrorBox,
  FieldError,
  Pager,
  formatTime,
  useNotice,
} from '../components/ui';
import { Devices } from '../components/Devices';
import { PersonalTokenList } from '../components/PersonalTokenList';
import { UpstreamAccounts } from '../components/UpstreamAccounts';
import { checkPassword } from '../lib/forms';
import { Link } from '../lib/router';
import { useServices } from '../lib/context';
import { useAsync } from '../lib/use-async';
import { usePaged } from '../lib/use-paged';

function SetPasswordForm({ onSet }: { onSet: (password: string) => Promise<void> }) {
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const submit = async (e: SyntheticEvent) => {
    e.preventDefault();
    const p = checkPassword(password);
    setProblem(p);
    setError(null);
    if (p !== null) return;
    setBusy(true);
    try {
      await onSet(password);
      setPassword('');
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="inline" onSubmit={(e) => void submit(e)} aria-label="Set password" noValidate>
      <label>
        New password
        <input
          type="password"
          name="new-password"
          autoComplete="new-password"
          value={password}
          aria-invalid={problem !== null}
          aria-describedby={problem !== null ? `${id}-p` : undefined}
          onChange={(e) => {
            setPassword(e.target.value);
          }}
        />
        <FieldError id={`${id}-p`} message={problem ?? undefined} />
      </label>
      <button type="submit" disabled={busy}>
        Set password
      </button>
      {error && <ErrorBox error={error} />}
    </form>
  );
}

function Sessions({ userId }: { userId: string }) {
  const { api } = useServices();
  const [onlyActive, setOnlyActive] = useState(true);
  const [notice, say] = useNotice();
  const paged = usePaged(
    (page) =>
      api.get('/api/admin/v1/oauth2-sessions', {
        query: {
          'filter[user]': userId,
          ...(onlyActive ? { 'filter[status]': 'active' as const } : {}),
          ...page,
        },
      }),
    `${userId}|${String(onlyActive)}`,
  );
  return (
    <section aria-labelledby="sessions-h">
      <h2 id="sessions-h">OAuth sessions</h2>
      <label className="check">
        <input
          type="checkbox"
          checked={onlyActive}
          onChange={(e) => {
            setOnlyActive(e.target.checked);
          }}
        />
        Active only
      </label>
      {notice}
      <Async state={paged.state} what="sessions" retry={paged.reload}>
        {(page) =>
          (page.data ?? []).length === 0 ? (
            <Empty>No {onlyActive ? 'active ' : ''}sessions.</Empty>
          ) : (
            <ul className="rows">
              {(page.data ?? []).map((s) => (
                <li key={s.id} data-session={s.id}>
                  <div>
                    <strong>{s.attributes.client_id}</strong>{' '}
                    {s.attributes.finished_at === null ? (
                      <span className="badge ok">Active</span>
                    ) : (
                      <span className="badge">Finished {formatTime(s.attributes.finished_at)}</span>
                    )}
                    <div className="muted small">
                      {s.attributes.scope} · started {formatTime(s.attributes.created_at)} · last active{' '}
                      {formatTime(s.attributes.last_active_at)}
                      {s.attributes.last_active_ip !== null ? ` from ${s.attributes.last_active_ip}` : ''}
                    </div>
                  </div>
                  {s.attributes.finished_at === null && (
                    <ConfirmButton
                      label="Finish session"
                      title="Finish this session?"
                      confirmLabel="Finish session"
                      danger
                      onConfirm={async () => {
                        await api.post('/api/admin/v1/oauth2-sessions/{id}/finish', { path: { id: s.id } });
                        say('Session finished');
                        paged.reload();
                      }}
                    >
                      Its tokens stop working at once and the device is signed out of the homeserver.
                    </ConfirmButton>
                  )}
                </li>
              ))}
            </ul>
          )
        }
      </Async>
      <Pager label="Session pages" range={paged.range} onPrevious={paged.onPrevious} onNext={paged.onNext} />
    </section>
  );
}

function CompatSessions({ userId }: { userId: string }) {
  const { api } = useServices();
  const [onlyActive, setOnlyActive] = useState(true);
  const [notice, say] = useNotice();
  const paged = usePaged(
    (page) =>
      api.get('/api/admin/v1/compat-sessions', {
        query: {
          'filter[user]': userId,
          ...(onlyActive ? { 'filter[status]': 'active' as const } : {}),
          ...page,
        },
      }),
    `${userId}|${String(onlyActive)}`,
  );
  return (
    <section aria-labelledby="compat-h">
      <h2 id="compat-h">Legacy sessions</h2>
      <p className="muted small">
        Sessions of the Matrix <span className="mono">/login</span> API and tokens imported from Synapse.
      </p>
      <label className="check">
        <input
          type="checkbox"
          checked={onlyActive}
          onChange={(e) => {
            setOnlyActive(e.target.checked);
          }}
        />
        Active only
      </label>
      {notice}
      <Async state={paged.state} what="legacy sessions" retry={paged.reload}>
        {(page) =>
          (page.data ?? []).length === 0 ? (
            <Empty>No {onlyActive ? 'active ' : ''}legacy sessions.</Empty>
          ) : (
            <ul className="rows">
              {(page.data ?? []).map((s) => {
                const a = s.attributes;
                return (
                  <li key={s.id} data-compat-session={a.device_id ?? s.id}>
                    <div>
                      <strong>{a.human_name ?? a.device_id ?? 'No device'}</strong>{' '}
                      {a.finished_at === null ? (
                        <span className="badge ok">Active</span>
                      ) : (
                        <span className="badge">Finished {formatTime(a.finished_at)}</span>
                      )}
                      <div className="muted small">
                        {a.device_id !== null && (
                          <>
                            device <span className="mono">{a.device_id}</span> ·{' '}
                          </>
                        )}
                        started {formatTime(a.created_at)} · last active {formatTime(a.last_active_at)}
                        {a.last_active_ip !== null ? ` from ${a.last_active_ip}` : ''}
                        {a.user_agent !== null ? ` · ${a.user_agent}` : ''}
                      </div>
                    </div>
                    {a.finished_at === null && (
                      <ConfirmButton
                        label="Finish legacy session"
                        title={`Finish the session of ${a.device_id ?? 'this device'}?`}
                        confirmLabel="Finish session"
                        danger
                        onConfirm={async () => {
                          await api.post('/api/admin/v1/compat-sessions/{id}/finish', { path: { id: s.id } });
                          say('Legacy session finished');
                          paged.reload();
                        }}
                      >
                        Its tokens stop working at once and its device is deleted from the homeserver.
                      </ConfirmButton>
                    )}
                  </li>
                );
              })}
            </ul>
          )
        }
      </Async>
      <Pager
        label="Legacy session pages"
        range={paged.range}
        onPrevious={paged.onPrevious}
        onNext={paged.onNext}
      />
    </section>
  );
}

function BrowserSessions({ userId }: { userId: string }) {
  const { api } = useServices();
  const [notice, say] = useNotice();
  // Ended browser sessions leave no record, so the list is always the active ones.
  const paged = usePaged(
    (page) => api.get('/api/admin/v1/user-sessions', { query: { 'filter[user]': userId, ...page } }),
    userId,
  );
  return (
    <section aria-labelledby="browser-h">
      <h2 id="browser-h">Browser sessions</h2>
      <p className="muted small">
        Where the user is signed in to the auth service itself (account page, sign-in of new clients).
      </p>
      {notice}
      <Async state={paged.state} what="browser sessions" retry={paged.reload}>
        {(page) =>
          (page.data ?? []).length === 0 ? (
            <Empty>No browser sessions.</Empty>
          ) : (
            <ul className="rows">
              {(page.data ?? []).map((s) => {
                const a = s.attributes;
                return (
                  <li key={s.id} data-browser-session={s.id}>
                    <div>
                      <strong>{a.user_agent ?? 'Unknown browser'}</strong>
                      <div className="muted small">
                        signed in {formatTime(a.created_at)} · last active {formatTime(a.last_active_at)}
                        {a.last_active_ip !== null ? ` from ${a.last_active_ip}` : ''}
                      </div>
                    </div>
                    <ConfirmButton
                      label="Sign out browser"
                      title="Sign this browser out of the auth service?"
                      confirmLabel="Sign out"
                      danger
                      onConfirm={async () => {
                        await api.post('/api/admin/v1/user-sessions/{id}/finish', { path: { id: s.id } });
                        say('Browser signed out');
                        paged.reload();
                      }}
                    >
                      It must sign in again to authorize a new client. The user's Matrix sessions are not
                      ended.
                    </ConfirmButton>
                  </li>
                );
              })}
            </ul>
          )
        }
      </Async>
      <Pager
        label="Browser session pages"
        range={paged.range}
        onPrevious={paged.onPrevious}
        onNext={paged.onNext}
      />
    </section>
  );
}

function PersonalTokens({ userId, username }: { userId: string; username: string }) {
  const [onlyActive, setOnlyActive] = useState(true);
  return (
    <section aria-labelledby="tokens-h">
      <h2 id="tokens-h">Personal tokens</h2>
      <div className="actions wrap">
        <label className="check">
          <input
            type="checkbox"
            checked={onlyActive}
            onChange={(e) => {
              setOnlyActive(e.target.checked);
            }}
          />
          Active only
        </label>
        <Link to={`/personal-tokens?user=${encodeURIComponent(username)}&create=1`}>
          Create a token for {username}
        </Link>
      </div>
      <PersonalTokenList
        actorUserId={userId}
        status={onlyActive ? 'active' : ''}
        showUser={false}
        label={`${username}’s personal tokens`}
      />
    </section>
  );
}

function Emails({ userId }: { userId: string }) {
  const { api } = useServices();
  const [state, reload] = useAsync(
    () => api.get('/api/admin/v1/user-emails', { query: { 'filter[user]': userId, 'page[first]': 100 } }),
    userId,
  );
  return (
    <section aria-labelledby="emails-h">
      <h2 id="emails-h">Email addresses</h2>
      <Async state={state} what="email addresses" retry={reload}>
        {(page) =>
          (page.data ?? []).length === 0 ? (
            <Empty>No email addresses.</Empty>
          ) : (
            <ul>
              {(page.data ?? []).map((e) => (
                <li key={e.id}>
                  {e.attributes.email}{' '}
                  <span className="muted small">added {formatTime(e.attributes.created_at)}</span>
                </li>
              ))}
            </ul>
          )
        }
      </Async>
    </section>
  );
}

export function User({ id }: { id: string }) {
  const { api } = useServices();
  const [state, reload] = useAsync(() => api.get('/api/admin/v1/users/{id}', { path: { id } }), id);
  const [notice, say] = useNotice();
  const act = async (
    path:
      | '/api/admin/v1/users/{id}/lock'
      | '/api/admin/v1/users/{id}/unlock'
      | '/api/admin/v1/users/{id}/deactivate'
      | '/api/admin/v1/users/{id}/reactivate',
    done: string,
  ) => {
    await api.post(path, { path: { id } });
    say(done);
    reload();
  };
  return (
    <Async state={state} what="the user" retry={reload}>
      {({ data: user }) => {
        const a = user.attributes;
        const status = a.deactivated_at !== null ? 'Deactivated' : a.locked_at !== null ? 'Locked' : 'Active';
        return (
          <>
            <h1>{a.username}</h1>
            {notice}
            <dl className="facts">
              <dt>Status</dt>
              <dd>{status}</dd>
              <dt>Administrator</dt>
              <dd>{a.admin ? 'Yes' : 'No'}</dd>
              <dt>Created</dt>
              <dd>{formatTime(a.created_at)}</dd>
              <dt>Locked</dt>
              <dd>{formatTime(a.locked_at)}</dd>
              <dt>Deactivated</dt>
              <dd>{formatTime(a.deactivated_at)}</dd>
              <dt>ID</dt>
              <dd className="mono">{user.id}</dd>
            </dl>
            <section aria-labelledby="actions-h">
              <h2 id="actions-h">Actions</h2>
              <div className="actions wrap">
                {a.locked_at === null ? (
                  <ConfirmButton
                    label="Lock"
                    title={`Lock ${a.username}?`}
                    confirmLabel="Lock"
                    danger
                    onConfirm={() => act('/api/admin/v1/users/{id}/lock', 'User locked')}
                  >
                    They cannot sign in until unlocked; their sessions stop working.
                  </ConfirmButton>
                ) : (
                  <button
                    type="button"
                    onClick={() => void act('/api/admin/v1/users/{id}/unlock', 'User unlocked')}
                  >
                    Unlock
                  </button>
                )}
                {a.deactivated_at === null ? (
                  <ConfirmButton
                    label="Deactivate"
                    title={`Deactivate ${a.username}?`}
                    confirmLabel="Deactivate"
                    danger
                    onConfirm={() => act('/api/admin/v1/users/{id}/deactivate', 'User deactivated')}
                  >
                    Their sessions end and the homeserver deactivates the account.
                  </ConfirmButton>
                ) : (
                  <button
                    type="button"
                    onClick={() => void act('/api/admin/v1/users/{id}/reactivate', 'User reactivated')}
                  >
                    Reactivate
                  </button>
                )}
                <ConfirmButton
                  label={a.admin ? 'Demote' : 'Promote to admin'}
                  title={a.admin ? `Remove ${a.username}'s admin rights?` : `Make ${a.username} an admin?`}
                  confirmLabel={a.admin ? 'Demote' : 'Promote'}
                  danger={a.admin}
                  onConfirm={async () => {
                    await api.post('/api/admin/v1/users/{id}/set-admin', {
                      path: { id },
                      body: { admin: !a.admin },
                    });
                    say(a.admin ? 'No longer an admin' : 'Now an admin');
                    reload();
                  }}
                >
                  {a.admin
                    ? 'They can no longer ask for admin scopes.'
                    : 'They may then ask for the admin scopes, and use this dashboard.'}
                </ConfirmButton>
                <ConfirmButton
                  label="Reset MFA"
                  title={`Remove ${a.username}'s second factors?`}
                  confirmLabel="Reset MFA"
                  danger
                  onConfirm={async () => {
                    await api.post('/api/admin/v1/users/{id}/reset-mfa', { path: { id } });
                    say('Second factors removed');
                  }}
                >
                  Their authenticator app, passkeys and recovery codes are removed, for a user who lost them.
                  They sign in with their password alone (or set up a factor again where one is required).
                </ConfirmButton>
              </div>
              <SetPasswordForm
                onSet={async (password) => {
                  await api.post('/api/admin/v1/users/{id}/set-password', {
                    path: { id },
                    body: { password },
                  });
                  say('Password set');
                }}
              />
            </section>
            <Emails userId={id} />
            <UpstreamAccounts userId={id} />
            <Devices userId={id} />
            <Sessions userId={id} />
            <CompatSessions userId={id} />
            <BrowserSessions userId={id} />
            <PersonalTokens userId={id} username={a.username} />
          </>
        );
      }}
    </Async>
  );
}
