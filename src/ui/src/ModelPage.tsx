// A model: description, tags, aliases with their versions (move, roll back, remove), the alias
// timeline, the versions table and the model's live history. A live event for this model refetches
// what it changed.
import { useEffect, useMemo, useState } from 'react';
import { type AliasEdit, AliasDialog } from './AliasDialog.tsx';
import { AliasTimeline } from './AliasTimeline.tsx';
import { query } from './client.ts';
import { formatInstant } from './format.ts';
import { type ResultOf, graphql } from './graphql.ts';
import { HistoryFeed } from './History.tsx';
import { useQuery, useThrottled } from './hooks.ts';
import { Link, paths } from './router.tsx';
import { TagEditor } from './Tags.tsx';
import { type AliasMove, buildLanes, previousVersion } from './timeline.ts';
import { ErrorBanner, Table, TagChips } from './widgets.tsx';

const VERSIONS_PAGE = 50;

const ModelQuery = graphql(`
  query Model($name: String!, $first: Int!) {
    registeredModel(name: $name) {
      id
      name
      description
      createdAt
      updatedAt
      tags { key value }
      aliases { alias updatedAt version { version } }
      versions(first: $first) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { id version status source runId runLink createdAt updatedAt aliases tags { key value } }
      }
    }
  }
`);

const MoreVersionsQuery = graphql(`
  query MoreVersions($name: String!, $first: Int!, $after: String) {
    registeredModel(name: $name) {
      id
      versions(first: $first, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { id version status source runId runLink createdAt updatedAt aliases tags { key value } }
      }
    }
  }
`);

const AliasHistoryQuery = graphql(`
  query AliasHistory($name: String!, $after: String) {
    registeredModel(name: $name) {
      id
      history(actions: [ALIAS_SET, ALIAS_DELETED], first: 100, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { sequence action alias version previousVersion actor at }
      }
    }
  }
`);

/** Every alias move of the model, oldest first (pages of 100; at most 5,000 moves). */
async function loadAliasMoves(name: string): Promise<AliasMove[]> {
  const moves: AliasMove[] = [];
  let after: string | null = null;
  for (let page = 0; page < 50; page++) {
    const result: ResultOf<typeof AliasHistoryQuery> = await query(AliasHistoryQuery, { name, after });
    const history = result.registeredModel?.history;
    if (!history) break;
    moves.push(...history.nodes);
    if (!history.pageInfo.hasNextPage) break;
    after = history.pageInfo.endCursor ?? null;
  }
  return moves.reverse();
}

type Version = NonNullable<NonNullable<ReturnType<typeof useModel>['data']>['registeredModel']>['versions']['nodes'][number];
function useModel(name: string) {
  return useQuery(ModelQuery, { name, first: VERSIONS_PAGE });
}

export function ModelPage({ name }: { name: string }) {
  const model = useModel(name);
  const [moves, setMoves] = useState<AliasMove[] | null>(null);
  const [movesError, setMovesError] = useState<Error | null>(null);
  const [movesGeneration, setMovesGeneration] = useState(0);
  const [moreVersions, setMoreVersions] = useState<Version[]>([]);
  const [moreCursor, setMoreCursor] = useState<string | null | undefined>(undefined);
  const [edit, setEdit] = useState<AliasEdit | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: movesGeneration asks for a reload
  useEffect(() => {
    let live = true;
    loadAliasMoves(name).then(
      (m) => live && setMoves(m),
      (e: Error) => live && setMovesError(e),
    );
    return () => {
      live = false;
    };
  }, [name, movesGeneration]);

  const data = model.data?.registeredModel;
  useEffect(() => {
    setMoreVersions([]);
    setMoreCursor(data?.versions.pageInfo.hasNextPage ? data.versions.pageInfo.endCursor : undefined);
  }, [data]);

  const refresh = useThrottled(() => {
    model.refetch();
    setMovesGeneration((g) => g + 1);
  }, 200);
  const lanes = useMemo(() => buildLanes(moves ?? []), [moves]);

  if (model.error && !data) return <ErrorBanner error={model.error} />;
  if (!model.data) return <p aria-busy="true">Loading {name}...</p>;
  if (!data)
    return (
      <section>
        <h1>{name}</h1>
        <p role="alert">There is no model named {name}.</p>
        <Link href={paths.models()}>All models</Link>
      </section>
    );

  const versions = [...data.versions.nodes, ...moreVersions];
  const versionNumbers = versions.map((v) => v.version);
  const loadMore = async () => {
    const result = await query(MoreVersionsQuery, { name, first: VERSIONS_PAGE, after: moreCursor ?? null });
    const page = result.registeredModel?.versions;
    if (!page) return;
    setMoreVersions((vs) => [...vs, ...page.nodes]);
    setMoreCursor(page.pageInfo.hasNextPage ? page.pageInfo.endCursor : undefined);
  };

  return (
    <article aria-labelledby="model-heading">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link href={paths.models()}>Models</Link> / <span aria-current="page">{data.name}</span>
      </nav>
      <h1 id="model-heading">{data.name}</h1>
      <p className="description">{data.description || <span className="muted">No description.</span>}</p>
      <p className="muted small">
        Created {formatInstant(data.createdAt)}, changed {formatInstant(data.updatedAt)}, {data.versions.totalCount} version
        {data.versions.totalCount === 1 ? '' : 's'}
      </p>
      <ErrorBanner error={model.error} />

      <section aria-labelledby="aliases-heading">
        <h2 id="aliases-heading">Aliases</h2>
        <Table className="aliases" columns={['Alias', 'Version', 'Moved', 'Actions']}>
          {data.aliases.map((a) => {
            const back = previousVersion(lanes.find((l) => l.alias === a.alias));
            return (
              <tr key={a.alias} data-alias={a.alias}>
                <th scope="row">{a.alias}</th>
                <td>
                  <Link href={paths.version(data.name, a.version.version)}>v{a.version.version}</Link>
                </td>
                <td className="nowrap">{formatInstant(a.updatedAt)}</td>
                <td className="actions">
                  <button
                    type="button"
                    onClick={() =>
                      setEdit({ alias: a.alias, current: a.version.version, target: null, title: `Move ${a.alias}`, mode: 'move' })
                    }
                  >
                    Move {a.alias}
                  </button>
                  {back !== undefined ? (
                    <button
                      type="button"
                      onClick={() =>
                        setEdit({
                          alias: a.alias,
                          current: a.version.version,
                          target: back,
                          title: `Roll back ${a.alias} to v${back}`,
                          mode: 'move',
                        })
                      }
                    >
                      Roll back {a.alias} to v{back}
                    </button>
                  ) : null}
                  <button
                    type="button"
                    onClick={() =>
                      setEdit({ alias: a.alias, current: a.version.version, target: null, title: `Remove ${a.alias}`, mode: 'delete' })
                    }
                  >
                    Remove {a.alias}
                  </button>
                </td>
              </tr>
            );
          })}
          {data.aliases.length === 0 ? (
            <tr>
              <td colSpan={4}>No aliases.</td>
            </tr>
          ) : null}
        </Table>
        <button type="button" onClick={() => setEdit({ alias: '', current: null, target: null, title: 'Add an alias', mode: 'move' })}>
          Add an alias
        </button>
      </section>

      <section aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">Alias timeline</h2>
        <ErrorBanner error={movesError} />
        {moves ? (
          <AliasTimeline modelName={data.name} createdAt={data.createdAt} moves={moves} />
        ) : (
          <p aria-busy="true">Loading history...</p>
        )}
      </section>

      <section aria-labelledby="tags-heading">
        <h2 id="tags-heading">Tags</h2>
        <TagEditor modelName={data.name} tags={data.tags} onChanged={refresh} />
      </section>

      <section aria-labelledby="versions-heading">
        <h2 id="versions-heading">Versions</h2>
        <Table className="versions" columns={['Version', 'Status', 'Source', 'Run', 'Tags', 'Aliases', 'Created', 'Updated']}>
          {versions.map((v) => (
            <tr key={v.id}>
              <td>
                <Link href={paths.version(data.name, v.version)}>v{v.version}</Link>
              </td>
              <td>
                <span className={`status ${v.status.toLowerCase()}`}>{v.status}</span>
              </td>
              <td className="source">{v.source}</td>
              <td>{v.runLink ? <a href={v.runLink}>{v.runId ?? 'run'}</a> : (v.runId ?? '-')}</td>
              <td>
                <TagChips tags={v.tags} />
              </td>
              <td>
                {v.aliases.map((a) => (
                  <span key={a} className="chip alias">
                    {a}
                  </span>
                ))}
              </td>
              <td className="nowrap">{formatInstant(v.createdAt)}</td>
              <td className="nowrap">{formatInstant(v.updatedAt)}</td>
            </tr>
          ))}
        </Table>
        {moreCursor ? (
          <button type="button" onClick={loadMore}>
            More versions
          </button>
        ) : null}
      </section>

      <HistoryFeed modelName={data.name} onLiveEvent={refresh} />
      <AliasDialog modelName={data.name} edit={edit} versions={versionNumbers} onClose={() => setEdit(null)} onDone={refresh} />
    </article>
  );
}
