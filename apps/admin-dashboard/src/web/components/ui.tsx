import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { ApiError } from '../api/client';
import type { AsyncState } from '../lib/use-async';

export function Loading({ what }: { what: string }) {
  return (
    <p className="state" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function describeError(error: Error): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return 'Your session has expired. Sign in again.';
    if (error.status === 403) return 'Your account may not use this admin API.';
    // The dashboard server and the services name the cause (which service is unreachable, LiveKit down, …).
    return error.titles.length > 0 ? error.message : `The server answered ${String(error.status)}.`;
  }
  return error.message;
}

export function ErrorBox({ error, retry }: { error: Error; retry?: () => void }) {
  return (
    <div className="state error" role="alert">
      <p>{describeError(error)}</p>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state empty">{children}</p>;
}

/** Shows loading and error states; the content only once there is a value. */
export function Async<T>(props: {
  state: AsyncState<T>;
  what: string;
  retry?: () => void;
  children: (value: T) => ReactNode;
}) {
  if (props.state.status === 'loading') return <Loading what={props.what} />;
  if (props.state.status === 'error')
    return <ErrorBox error={props.state.error} {...(props.retry ? { retry: props.retry } : {})} />;
  return <>{props.children(props.state.value)}</>;
}

/**
 * A button that asks first: a modal <dialog> (focus moves into it, Escape cancels, focus returns to the
 * button) with the consequence spelled out. Used for every destructive action.
 */
export function ConfirmButton(props: {
  label: string;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
  danger?: boolean;
  disabled?: boolean;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const titleId = useId();
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await props.onConfirm();
      dialog.current?.close();
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        className={props.danger === true ? 'danger' : undefined}
        disabled={props.disabled}
        onClick={() => {
          setError(null);
          dialog.current?.showModal();
        }}
      >
        {props.label}
      </button>
      <dialog ref={dialog} aria-labelledby={titleId}>
        <h2 id={titleId}>{props.title}</h2>
        <div>{props.children}</div>
        {error && <ErrorBox error={error} />}
        <div className="actions">
          <button type="button" onClick={() => dialog.current?.close()} disabled={busy} autoFocus>
            Cancel
          </button>
          <button
            type="button"
            className={props.danger === true ? 'danger' : 'primary'}
            disabled={busy}
            onClick={() => void confirm()}
          >
            {busy ? 'Working…' : props.confirmLabel}
          </button>
        </div>
      </dialog>
    </>
  );
}

export function Pager(props: {
  label: string;
  range: string;
  onPrevious: (() => void) | null;
  onNext: (() => void) | null;
}) {
  return (
    <nav className="pager" aria-label={props.label}>
      <button type="button" disabled={props.onPrevious === null} onClick={() => props.onPrevious?.()}>
        ← Previous
      </button>
      <span aria-live="polite">{props.range}</span>
      <button type="button" disabled={props.onNext === null} onClick={() => props.onNext?.()}>
        Next →
      </button>
    </nav>
  );
}

export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (message === undefined) return null;
  return (
    <span id={id} className="field-error">
      {message}
    </span>
  );
}

/** A short-lived message after an action ("User locked"), read out by screen readers. */
export function useNotice(): [ReactNode, (message: string) => void] {
  const [message, setMessage] = useState<string | null>(null);
  useEffect(() => {
    if (message === null) return;
    const t = setTimeout(() => {
      setMessage(null);
    }, 6000);
    return () => {
      clearTimeout(t);
    };
  }, [message]);
  const node = (
    <p className="notice" role="status" aria-live="polite">
      {message ?? ''}
    </p>
  );
  return [node, setMessage];
}

export function formatTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}
