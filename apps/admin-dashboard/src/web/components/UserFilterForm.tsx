import { useState, type SyntheticEvent } from 'react';
import type { UserFilters } from '../lib/filters';

/** The users list's search and filters; applied on submit (Enter in the search box). */
export function UserFilterForm(props: { value: UserFilters; onApply: (f: UserFilters) => void }) {
  const [f, setF] = useState<UserFilters>(props.value);
  const submit = (e: SyntheticEvent) => {
    e.preventDefault();
    props.onApply(f);
  };
  return (
    <form className="filters" onSubmit={submit} role="search" aria-label="Filter users">
      <label>
        Search
        <input
          type="search"
          name="search"
          value={f.search}
          placeholder="part of a username"
          onChange={(e) => {
            setF({ ...f, search: e.target.value });
          }}
        />
      </label>
      <label>
        Admin
        <select
          name="admin"
          value={f.admin}
          onChange={(e) => {
            setF({ ...f, admin: e.target.value as UserFilters['admin'] });
          }}
        >
          <option value="">Any</option>
          <option value="true">Admins</option>
          <option value="false">Not admins</option>
        </select>
      </label>
      <label>
        Status
        <select
          name="status"
          value={f.status}
          onChange={(e) => {
            setF({ ...f, status: e.target.value as UserFilters['status'] });
          }}
        >
          <option value="">Any</option>
          <option value="active">Active</option>
          <option value="locked">Locked</option>
          <option value="deactivated">Deactivated</option>
        </select>
      </label>
      <button type="submit">Apply</button>
    </form>
  );
}

/** The filters as the page's URL keeps them (so a filtered list can be linked to and gone back to). */
export function userFiltersFromSearch(search: URLSearchParams): UserFilters {
  const admin = search.get('admin');
  const status = search.get('status');
  return {
    search: search.get('q') ?? '',
    admin: admin === 'true' || admin === 'false' ? admin : '',
    status: status === 'active' || status === 'locked' || status === 'deactivated' ? status : '',
  };
}

export function userFiltersToSearch(f: UserFilters): string {
  const params = new URLSearchParams();
  if (f.search.trim() !== '') params.set('q', f.search.trim());
  if (f.admin !== '') params.set('admin', f.admin);
  if (f.status !== '') params.set('status', f.status);
  const qs = params.toString();
  return qs === '' ? '' : `?${qs}`;
}
