import { CreateUserForm } from '../components/CreateUserForm';
import { UserFilterForm, userFiltersFromSearch, userFiltersToSearch } from '../components/UserFilterForm';
import { Async, Empty, Pager, formatTime } from '../components/ui';
import type { CreateUserInput } from '../lib/forms';
import { userFilterQuery } from '../lib/filters';
import { useServices } from '../lib/context';
import { Link, navigate, useLocation } from '../lib/router';
import { usePaged } from '../lib/use-paged';

export function Users() {
  const { api } = useServices();
  const { search } = useLocation();
  const filters = userFiltersFromSearch(search);
  const key = userFiltersToSearch(filters);
  const paged = usePaged(
    (page) => api.get('/api/admin/v1/users', { query: { ...userFilterQuery(filters), ...page } }),
    key,
  );
  const create = async (input: CreateUserInput) => {
    const created = await api.post('/api/admin/v1/users', { body: { username: input.username } });
    const id = created.data.id;
    if (input.password !== '')
      await api.post('/api/admin/v1/users/{id}/set-password', {
        path: { id },
        body: { password: input.password },
      });
    if (input.admin)
      await api.post('/api/admin/v1/users/{id}/set-admin', { path: { id }, body: { admin: true } });
    navigate(`/users/${encodeURIComponent(id)}`);
  };
  return (
    <>
      <h1>Users</h1>
      <UserFilterForm
        key={key}
        value={filters}
        onApply={(f) => {
          navigate(`/users${userFiltersToSearch(f)}`);
        }}
      />
      <Async state={paged.state} what="users" retry={paged.reload}>
        {(page) =>
          (page.data ?? []).length === 0 ? (
            <Empty>No users match these filters.</Empty>
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="visually-hidden">Users</caption>
                <thead>
                  <tr>
                    <th scope="col">Username</th>
                    <th scope="col">Status</th>
                    <th scope="col">Admin</th>
                    <th scope="col">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {(page.data ?? []).map((u) => (
                    <tr key={u.id}>
                      <td>
                        <Link to={`/users/${encodeURIComponent(u.id)}`}>{u.attributes.username}</Link>
                      </td>
                      <td>
                        {u.attributes.deactivated_at !== null ? (
                          <span className="badge bad">Deactivated</span>
                        ) : u.attributes.locked_at !== null ? (
                          <span className="badge warn">Locked</span>
                        ) : (
                          <span className="badge ok">Active</span>
                        )}
                      </td>
                      <td>{u.attributes.admin ? 'Yes' : 'No'}</td>
                      <td>{formatTime(u.attributes.created_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Async>
      <Pager label="Users pages" range={paged.range} onPrevious={paged.onPrevious} onNext={paged.onNext} />
      <details className="panel">
        <summary>Create a user</summary>
        <CreateUserForm onCreate={create} />
      </details>
    </>
  );
}
