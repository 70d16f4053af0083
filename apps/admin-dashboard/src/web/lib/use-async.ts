import { useCallback, useEffect, useRef, useState } from 'react';

export type AsyncState<T> =
  { status: 'loading' } | { status: 'error'; error: Error } | { status: 'done'; value: T };

/**
 * Runs `load` whenever `key` changes (and on `reload`); a stale answer (an older key's) is dropped, so
 * a slow page never overwrites the one asked for after it.
 */
export function useAsync<T>(load: () => Promise<T>, key: string): [AsyncState<T>, () => void] {
  const [state, setState] = useState<AsyncState<T>>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    const ticket = ++latest.current;
    setState({ status: 'loading' });
    loadRef.current().then(
      (value) => {
        if (ticket === latest.current) setState({ status: 'done', value });
      },
      (err: unknown) => {
        if (ticket === latest.current)
          setState({ status: 'error', error: err instanceof Error ? err : new Error(String(err)) });
      },
    );
  }, [key, generation]);
  const reload = useCallback(() => {
    setGeneration((g) => g + 1);
  }, []);
  return [state, reload];
}
