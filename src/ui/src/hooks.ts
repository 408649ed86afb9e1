// Data hooks over client.ts: a query that re-runs when its variables change (or on refetch), and a
// live subscription to registryEvents that resubscribes after the token changes.
import type { TadaDocumentNode } from 'gql.tada';
import { useCallback, useEffect, useRef, useState } from 'react';
import { query } from './client.ts';
import { onTokenChange } from './token.ts';

export interface QueryState<R> {
  data: R | undefined;
  error: Error | undefined;
  loading: boolean;
  refetch: () => void;
}

export function useQuery<R, V>(document: TadaDocumentNode<R, V>, variables: V, options: { skip?: boolean } = {}): QueryState<R> {
  const key = JSON.stringify(variables);
  const [state, setState] = useState<{ data?: R; error?: Error; loading: boolean }>({ loading: !options.skip });
  const [generation, setGeneration] = useState(0);
  const refetch = useCallback(() => setGeneration((g) => g + 1), []);
  useEffect(() => onTokenChange(refetch), [refetch]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the variables are compared by value, through key
  useEffect(() => {
    if (options.skip) return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    query(document, JSON.parse(key) as V).then(
      (data) => live && setState({ data, loading: false }),
      (error: Error) => live && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => {
      live = false;
    };
  }, [document, key, generation, options.skip]);
  return { data: state.data, error: state.error, loading: state.loading, refetch };
}

/** Calls `fn` at most once per `ms`, with the latest arguments (for refetching on bursts of events). */
export function useThrottled(fn: () => void, ms: number): () => void {
  const latest = useRef(fn);
  latest.current = fn;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return useCallback(() => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      latest.current();
    }, ms);
  }, [ms]);
}

/** The value, `ms` after it last changed. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** A number that changes whenever the token does (subscriptions resubscribe with it). */
export function useTokenGeneration(): number {
  const [generation, setGeneration] = useState(0);
  useEffect(() => onTokenChange(() => setGeneration((g) => g + 1)), []);
  return generation;
}
