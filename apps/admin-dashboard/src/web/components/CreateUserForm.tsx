import { useId, useState, type SyntheticEvent } from 'react';
import { checkCreateUser, type CreateUserInput, type Problems } from '../lib/forms';
import { ErrorBox, FieldError } from './ui';

/**
 * Creating a user is up to three calls (create, set password, make admin); `onCreate` makes them and
 * answers the new user's ID.
 */
export function CreateUserForm(props: { onCreate: (input: CreateUserInput) => Promise<void> }) {
  const [input, setInput] = useState<CreateUserInput>({ username: '', password: '', admin: false });
  const [problems, setProblems] = useState<Problems<CreateUserInput>>({});
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const submit = async (e: SyntheticEvent) => {
    e.preventDefault();
    const found = checkCreateUser(input);
    setProblems(found);
    setError(null);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      await props.onCreate({ ...input, username: input.username.trim() });
      setInput({ username: '', password: '', admin: false });
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="stack" onSubmit={(e) => void submit(e)} aria-label="Create a user" noValidate>
      <label>
        Username
        <input
          name="username"
          autoComplete="off"
          value={input.username}
          aria-invalid={problems.username !== undefined}
          aria-describedby={problems.username !== undefined ? `${id}-u` : undefined}
          onChange={(e) => {
            setInput({ ...input, username: e.target.value });
          }}
        />
        <FieldError id={`${id}-u`} message={problems.username} />
      </label>
      <label>
        Password (optional)
        <input
          name="password"
          type="password"
          autoComplete="new-password"
          value={input.password}
          onChange={(e) => {
            setInput({ ...input, password: e.target.value });
          }}
        />
      </label>
      <label className="check">
        <input
          type="checkbox"
          name="admin"
          checked={input.admin}
          onChange={(e) => {
            setInput({ ...input, admin: e.target.checked });
          }}
        />
        Administrator
      </label>
      {error && <ErrorBox error={error} />}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Creating…' : 'Create user'}
      </button>
    </form>
  );
}
