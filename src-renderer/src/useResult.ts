import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { Result } from '../../src-shared/contract';
import type { ErrorObject } from '../../src-shared/errors';

export interface Loaded<T> {
  /** The latest data loaded (kept while a reload or a new key is loading), or null. */
  data: T | null;
  /** The error of the latest load, or null. */
  error: ErrorObject | null;
  /** True until the load for the current key and reload count has answered. */
  loading: boolean;
  reload(): void;
}

/**
 * Loads a contract call whenever `key` (a string naming every input of the call) changes or
 * `reload()` is called. Replies that arrive after a newer load started are dropped.
 */
export function useResult<T>(key: string | null, load: () => Promise<Result<T>>): Loaded<T> {
  const loadRef = useRef(load);
  useLayoutEffect(() => {
    loadRef.current = load;
  });
  const [nonce, setNonce] = useState(0);
  const [state, setState] = useState<{ ticket: string; data: T | null; error: ErrorObject | null }>({
    ticket: '',
    data: null,
    error: null,
  });
  const ticket = key === null ? '' : `${nonce}:${key}`;

  useEffect(() => {
    if (key === null) return;
    let live = true;
    void loadRef.current().then((res) => {
      if (!live) return;
      setState((prev) =>
        res.ok ? { ticket, data: res.data, error: null } : { ticket, data: prev.data, error: res.error },
      );
    });
    return () => {
      live = false;
    };
  }, [key, ticket]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { data: state.data, error: state.error, loading: key !== null && state.ticket !== ticket, reload };
}
