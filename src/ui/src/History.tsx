// The history feed, per model or for the whole registry: filters by action, alias and actor, pages
// of 50, and live: a registryEvents subscription resuming after the newest event shown, so nothing
// committed between the page and the subscription is lost.
import { useEffect, useMemo, useState } from 'react';
import { query, subscribe } from './client.ts';
import { describeEvent, formatInstant } from './format.ts';
import { type ResultOf, graphql } from './graphql.ts';
import { useDebounced, useQuery, useTokenGeneration } from './hooks.ts';
import { Link, paths } from './router.tsx';
import { ErrorBanner, Field } from './widgets.tsx';

const HistoryQuery = graphql(`
  query History($first: Int!, $after: String, $filter: AuditEventFilter) {
    auditEvents(first: $first, after: $after, filter: $filter) {
      pageInfo { hasNextPage endCursor }
      nodes { id sequence action modelName alias version previousVersion key previousValue newValue actor at }
    }
  }
`);

export const LiveEvents = graphql(`
  subscription LiveEvents($modelName: String, $aliases: [String!], $actions: [AuditAction!], $afterSequence: Int) {
    registryEvents(modelName: $modelName, aliases: $aliases, actions: $actions, afterSequence: $afterSequence) {
      id sequence action modelName alias version previousVersion key previousValue newValue actor at
    }
  }
`);

export type HistoryEvent = ResultOf<typeof HistoryQuery>['auditEvents']['nodes'][number];

const ACTIONS = [
  'ALIAS_SET',
  'ALIAS_DELETED',
  'MODEL_CREATED',
  'MODEL_UPDATED',
  'MODEL_RENAMED',
  'MODEL_DELETED',
  'MODEL_TAG_SET',
  'MODEL_TAG_DELETED',
  'VERSION_CREATED',
  'VERSION_UPDATED',
  'VERSION_DELETED',
  'VERSION_TAG_SET',
  'VERSION_TAG_DELETED',
  'VERSION_STAGE_CHANGED',
] as const;
type Action = (typeof ACTIONS)[number];

export function HistoryFeed({ modelName, onLiveEvent }: { modelName?: string; onLiveEvent?: (event: HistoryEvent) => void }) {
  const [action, setAction] = useState<Action | ''>('');
  const [aliasText, setAlias] = useState('');
  const [actorText, setActor] = useState('');
  const alias = useDebounced(aliasText.trim(), 250);
  const actor = useDebounced(actorText.trim(), 250);
  const filter = useMemo(
    () => ({
      ...(modelName ? { modelName } : {}),
      ...(action ? { actions: [action] } : {}),
      ...(alias ? { alias } : {}),
      ...(actor ? { actor } : {}),
    }),
    [modelName, action, alias, actor],
  );
  const first = useQuery(HistoryQuery, { first: 50, after: null, filter });
  const [older, setOlder] = useState<HistoryEvent[]>([]);
  const [live, setLive] = useState<HistoryEvent[]>([]);
  const [status, setStatus] = useState<'connecting' | 'live' | 'error'>('connecting');
  const [moreCursor, setMoreCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [loadingMore, setLoadingMore] = useState(false);

  const tokenGeneration = useTokenGeneration();
  const base = first.data?.auditEvents;
  useEffect(() => {
    setOlder([]);
    setLive([]);
    setMoreCursor(base?.pageInfo.endCursor ?? null);
    setHasMore(base?.pageInfo.hasNextPage ?? false);
  }, [base]);

  const newest = base ? (base.nodes[0]?.sequence ?? 0) : null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: resubscribe only for a new filter or a new first page
  useEffect(() => {
    if (newest === null) return;
    setStatus('connecting');
    const stop = subscribe(
      LiveEvents,
      {
        modelName: modelName ?? null,
        aliases: alias ? [alias] : null,
        actions: action ? [action] : null,
        afterSequence: newest,
      },
      {
        next: ({ registryEvents: event }) => {
          setStatus('live');
          if (actor && event.actor !== actor) return;
          setLive((events) => (events.some((e) => e.sequence === event.sequence) ? events : [event, ...events]));
          onLiveEvent?.(event);
        },
        error: () => setStatus('error'),
      },
    );
    // The server sends nothing until an event commits: treat a started subscription as live.
    const timer = setTimeout(() => setStatus((s) => (s === 'connecting' ? 'live' : s)), 300);
    return () => {
      clearTimeout(timer);
      stop();
    };
  }, [newest, modelName, alias, action, actor, tokenGeneration]);

  const loadMore = async () => {
    setLoadingMore(true);
    try {
      const page = await query(HistoryQuery, { first: 50, after: moreCursor, filter });
      setOlder((events) => [...events, ...page.auditEvents.nodes]);
      setMoreCursor(page.auditEvents.pageInfo.endCursor ?? null);
      setHasMore(page.auditEvents.pageInfo.hasNextPage);
    } finally {
      setLoadingMore(false);
    }
  };

  const events = [...live, ...(base?.nodes ?? []), ...older];
  const liveSet = new Set(live.map((e) => e.sequence));
  const headingId = modelName ? 'model-history-heading' : 'history-heading';
  const Heading = modelName ? 'h2' : 'h1';
  return (
    <section aria-labelledby={headingId} className="history">
      <Heading id={headingId}>
        History{' '}
        <span className={`live-status ${status}`} data-testid="live-status">
          {status === 'live' ? 'live' : status === 'error' ? 'reconnecting' : 'connecting'}
        </span>
      </Heading>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <Field label="Action">
          {(field) => (
            <select {...field} value={action} onChange={(e) => setAction(e.target.value as Action | '')}>
              <option value="">all</option>
              {ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Alias">
          {(field) => <input {...field} value={aliasText} onChange={(e) => setAlias(e.target.value)} placeholder="e.g. production" />}
        </Field>
        <Field label="Actor">
          {(field) => <input {...field} value={actorText} onChange={(e) => setActor(e.target.value)} placeholder="token name" />}
        </Field>
      </form>
      <ErrorBanner error={first.error} />
      <ol className="feed" aria-live="polite" aria-label="Recorded changes, newest first">
        {events.map((e) => (
          <li key={e.sequence} className={liveSet.has(e.sequence) ? 'new' : undefined} data-sequence={e.sequence}>
            <span className="when">{formatInstant(e.at)}</span>{' '}
            {modelName ? null : (
              <>
                <Link href={paths.model(e.modelName)}>{e.modelName}</Link>{' '}
              </>
            )}
            <span className="what">{describeEvent(e)}</span> <span className="who">by {e.actor ?? 'anonymous'}</span>
          </li>
        ))}
        {base && events.length === 0 ? <li>No recorded change matches.</li> : null}
      </ol>
      {hasMore ? (
        <button type="button" onClick={loadMore} disabled={loadingMore}>
          Older changes
        </button>
      ) : null}
    </section>
  );
}
