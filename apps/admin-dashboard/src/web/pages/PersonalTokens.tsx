import { useState, type SyntheticEvent } from 'react';
import { ApiError } from '../api/client';
import { PersonalTokenList, type PersonalTokenStatus } from '../components/PersonalTokenList';
import { OneTimeToken, PersonalTokenForm } from '../components/PersonalTokenForm';
import { Async, ErrorBox } from '../components/ui';
import { useServices } from '../lib/context';
import { navigate, useLocation } from '../lib/router';
import { useAsync } from '../lib/use-async';

const STATUSES: PersonalTokenStatus[] = ['active', 'revoked', ''];

function search(status: PersonalTokenStatus, user: string, create: boolean): string {
  const q = new URLSearchParams();
  if (status !== 'active') q.set('status', status === '' ? 'all' : status);
  if (user !== '') q.set('user', user);
  if (create) q.set('create', '1');
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

function Filters(props: { status: PersonalTokenStatus; user: string }) {
  const [status, setStatus] = useState(props.status);
  const [user, setUser] = useState(props.user);
  const submit = (e: SyntheticEvent) => {
    e.preventDefault();
    navigate(`/personal-tokens${search(status, user.trim(), false)}`);
  };
  return (
    <form className="filters" onSubmit={submit} role="search" aria-label="Filter personal tokens">
      <label>
        User
        <input
          type="search"
          name="user"
          value={user}
          placeholder="username"
          onChange={(e) => {
            setUser(e.target.value);
          }}
        />
      </label>
      <label>
        Status
        <select
          name="status"
          value={status}
          onChange={(e) => {
            setStatus(e.target.value as PersonalTokenStatus);
          }}
        >
          <option value="active">Active</option>
          <option value="revoked">Revoked</option>
          <option value="">All</option>
        </select>
      </label>
      <button type="submit">Apply</button>
    </form>
  );
}

/** A username as its user ID; a 404 is "no such user" rather than an error. */
async function userIdOf(
  api: ReturnType<typeof useServices>['api'],
  username: string,
): Promise<string | null> {
  try {
    return (await api.get('/api/admin/v1/users/by-username/{username}', { path: { username } })).data.id;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

export function PersonalTokens() {
  const { api } = useServices();
  const { search: query } = useLocation();
  const rawStatus = query.get('status');
  const status: PersonalTokenStatus =
    rawStatus === 'all'
      ? ''
      : STATUSES.includes(rawStatus as PersonalTokenStatus)
        ? (rawStatus as PersonalTokenStatus)
        : 'active';
  const user = query.get('user') ?? '';
  const [created, setCreated] = useState<{ title: string; token: string } | null>(null);
  const [version, setVersion] = useState(0);
  const [actor, reloadActor] = useAsync(
    () => (user === '' ? Promise.resolve(undefined) : userIdOf(api, user)),
    user,
  );
  return (
    <>
      <h1>Personal tokens</h1>
      <p className="muted">
        Personal access tokens (<span className="mono">mpt_…</span>) act as a user without a sign-in: for
        bots, scripts and admin tools.
      </p>
      <Filters key={`${status}|${user}`} status={status} user={user} />
      {created && (
        <OneTimeToken
          title={created.title}
          token={created.token}
          onDone={() => {
            setCreated(null);
          }}
        />
      )}
      <Async state={actor} what="the user" retry={reloadActor}>
        {(actorId) =>
          actorId === null ? (
            <ErrorBox error={new Error(`There is no user ${user}.`)} />
          ) : (
            <PersonalTokenList
              {...(actorId !== undefined ? { actorUserId: actorId } : {})}
              status={status}
              showUser
              version={version}
              label="Personal tokens"
            />
          )
        }
      </Async>
      <details className="panel" open={query.has('create')}>
        <summary>Create a personal token</summary>
        <PersonalTokenForm
          key={user}
          username={user}
          onCreate={async (username, body) => {
            const id = await userIdOf(api, username);
            if (id === null) throw new Error(`There is no user ${username}.`);
            const answer = await api.post('/api/admin/v1/personal-sessions', {
              body: { actor_user_id: id, ...body },
            });
            setCreated({
              title: `New token “${answer.data.attributes.human_name}” for ${username}`,
              token: answer.data.attributes.access_token,
            });
            setVersion((v) => v + 1);
          }}
        />
      </details>
    </>
  );
}
