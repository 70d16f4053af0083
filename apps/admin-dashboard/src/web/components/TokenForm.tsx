import { useId, useState, type SyntheticEvent } from 'react';
import { tokenBody, type Problems, type TokenBody, type TokenInput } from '../lib/forms';
import { ErrorBox, FieldError } from './ui';

const BLANK: TokenInput = { token: '', usageLimit: '', expiresAt: '' };

export function TokenForm(props: { onCreate: (body: TokenBody) => Promise<void>; now?: () => Date }) {
  const [input, setInput] = useState<TokenInput>(BLANK);
  const [problems, setProblems] = useState<Problems<TokenInput>>({});
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const submit = async (e: SyntheticEvent) => {
    e.preventDefault();
    const checked = tokenBody(input, (props.now ?? (() => new Date()))());
    setError(null);
    if (!checked.ok) {
      setProblems(checked.problems);
      return;
    }
    setProblems({});
    setBusy(true);
    try {
      await props.onCreate(checked.body);
      setInput(BLANK);
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  };
  const field = (name: keyof TokenInput, label: string, type: string, hint?: string) => (
    <label>
      {label}
      <input
        name={name}
        type={type}
        value={input[name]}
        placeholder={hint}
        aria-invalid={problems[name] !== undefined}
        aria-describedby={problems[name] !== undefined ? `${id}-${name}` : undefined}
        onChange={(e) => {
          setInput({ ...input, [name]: e.target.value });
        }}
      />
      <FieldError id={`${id}-${name}`} message={problems[name]} />
    </label>
  );
  return (
    <form
      className="stack"
      onSubmit={(e) => void submit(e)}
      aria-label="Create a registration token"
      noValidate
    >
      {field('token', 'Token (optional)', 'text', 'random when empty')}
      {field('usageLimit', 'Uses allowed (optional)', 'text', 'unlimited when empty')}
      {field('expiresAt', 'Expires (optional)', 'datetime-local')}
      {error && <ErrorBox error={error} />}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Creating…' : 'Create token'}
      </button>
    </form>
  );
}
