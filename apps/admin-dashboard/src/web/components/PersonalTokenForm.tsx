import { useEffect, useId, useRef, useState, type SyntheticEvent } from 'react';
import {
  PERSONAL_TOKEN_SCOPES,
  personalTokenBody,
  type PersonalTokenBody,
  type PersonalTokenInput,
  type Problems,
} from '../lib/forms';
import { ErrorBox, FieldError } from './ui';

const blank = (username: string): PersonalTokenInput => ({
  username,
  name: '',
  scopes: ['urn:matrix:client:api:*'],
  expiresInDays: '30',
});

/** Create a personal access token acting as a user: their username, a name, scopes and a lifetime. */
export function PersonalTokenForm(props: {
  onCreate: (username: string, body: PersonalTokenBody) => Promise<void>;
  username?: string;
}) {
  const [input, setInput] = useState<PersonalTokenInput>(() => blank(props.username ?? ''));
  const [problems, setProblems] = useState<Problems<PersonalTokenInput>>({});
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const submit = async (e: SyntheticEvent) => {
    e.preventDefault();
    const checked = personalTokenBody(input);
    setError(null);
    if (!checked.ok) {
      setProblems(checked.problems);
      return;
    }
    setProblems({});
    setBusy(true);
    try {
      await props.onCreate(checked.username, checked.body);
      setInput(blank(props.username ?? ''));
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  };
  const described = (name: keyof PersonalTokenInput, hint?: string) => {
    const ids = [problems[name] !== undefined ? `${id}-${name}` : '', hint ?? ''].filter((s) => s !== '');
    return ids.length > 0 ? ids.join(' ') : undefined;
  };
  const text = (name: 'username' | 'name' | 'expiresInDays', label: string, placeholder?: string) => (
    <label>
      {label}
      <input
        name={name}
        type="text"
        inputMode={name === 'expiresInDays' ? 'numeric' : undefined}
        autoComplete="off"
        value={input[name]}
        placeholder={placeholder}
        aria-invalid={problems[name] !== undefined}
        aria-describedby={described(name, name === 'expiresInDays' ? `${id}-days-hint` : undefined)}
        onChange={(e) => {
          setInput({ ...input, [name]: e.target.value });
        }}
      />
      <FieldError id={`${id}-${name}`} message={problems[name]} />
    </label>
  );
  return (
    <form className="stack" onSubmit={(e) => void submit(e)} aria-label="Create a personal token" noValidate>
      {text('username', 'User', 'username, e.g. alice')}
      {text('name', 'Token name', 'what it is for')}
      <fieldset aria-invalid={problems.scopes !== undefined} aria-describedby={described('scopes')}>
        <legend>Scopes</legend>
        {PERSONAL_TOKEN_SCOPES.map((s) => (
          <label className="check" key={s.scope}>
            <input
              type="checkbox"
              name="scope"
              value={s.scope}
              checked={input.scopes.includes(s.scope)}
              onChange={(e) => {
                const others = input.scopes.filter((x) => x !== s.scope);
                setInput({ ...input, scopes: e.target.checked ? [...others, s.scope] : others });
              }}
            />
            {s.label} <span className="mono small muted">{s.scope}</span>
            {s.adminOnly && <span className="small muted"> (administrators only)</span>}
          </label>
        ))}
        <FieldError id={`${id}-scopes`} message={problems.scopes} />
      </fieldset>
      {text('expiresInDays', 'Expires in (days)')}
      <span id={`${id}-days-hint`} className="small muted">
        1 to 366; empty: never expires.
      </span>
      {error && <ErrorBox error={error} />}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Creating…' : 'Create token'}
      </button>
    </form>
  );
}

/**
 * A token the API answered once (create, regenerate): shown with a copy button until dismissed, and
 * never again. Focus moves to it so a keyboard or screen reader user finds it.
 */
export function OneTimeToken(props: { title: string; token: string; onDone: () => void }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const field = useRef<HTMLInputElement>(null);
  const id = useId();
  useEffect(() => {
    heading.current?.focus();
  }, [props.token]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.token);
      setCopied('yes');
    } catch {
      // No clipboard (an insecure origin, a refused permission): select it for Ctrl+C instead.
      field.current?.select();
      setCopied('failed');
    }
  };
  return (
    <section className="state one-time" aria-labelledby={`${id}-h`} data-one-time-token>
      <h2 id={`${id}-h`} ref={heading} tabIndex={-1}>
        {props.title}
      </h2>
      <p>
        <strong>Copy it now: you will not see it again.</strong> Only its hash is kept; if it is lost,
        regenerate it.
      </p>
      <label>
        Token
        <input
          ref={field}
          className="mono"
          readOnly
          value={props.token}
          onFocus={(e) => {
            e.target.select();
          }}
        />
      </label>
      <div className="actions">
        <button type="button" className="primary" onClick={() => void copy()}>
          Copy token
        </button>
        <button type="button" onClick={props.onDone}>
          Done
        </button>
        <span role="status" aria-live="polite" className="small">
          {copied === 'yes'
            ? 'Copied'
            : copied === 'failed'
              ? 'Copying failed: the token is selected, copy it by hand'
              : ''}
        </span>
      </div>
    </section>
  );
}
