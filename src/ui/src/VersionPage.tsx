// One version: its fields, tags (editable) and the aliases pointing at it.
import { formatInstant } from './format.ts';
import { graphql } from './graphql.ts';
import { useQuery } from './hooks.ts';
import { Link, paths } from './router.tsx';
import { TagEditor } from './Tags.tsx';
import { ErrorBanner } from './widgets.tsx';

const VersionQuery = graphql(`
  query Version($name: String!, $version: Int!) {
    modelVersion(name: $name, version: $version) {
      id
      version
      description
      status
      statusMessage
      stage
      source
      storageLocation
      runId
      runLink
      createdAt
      updatedAt
      aliases
      tags { key value }
    }
  }
`);

export function VersionPage({ name, version }: { name: string; version: number }) {
  const { data, error, refetch } = useQuery(VersionQuery, { name, version });
  const v = data?.modelVersion;
  if (error && !data) return <ErrorBanner error={error} />;
  if (!data) return <p aria-busy="true">Loading...</p>;
  return (
    <article aria-labelledby="version-heading">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link href={paths.models()}>Models</Link> / <Link href={paths.model(name)}>{name}</Link> /{' '}
        <span aria-current="page">v{version}</span>
      </nav>
      <h1 id="version-heading">
        {name} v{version}
      </h1>
      {!v ? (
        <p role="alert">
          There is no version {version} of {name}.
        </p>
      ) : (
        <>
          <dl className="fields">
            <dt>Status</dt>
            <dd>
              <span className={`status ${v.status.toLowerCase()}`}>{v.status}</span>
              {v.statusMessage ? ` (${v.statusMessage})` : ''}
            </dd>
            <dt>Stage</dt>
            <dd>{v.stage}</dd>
            <dt>Aliases</dt>
            <dd>{v.aliases.length ? v.aliases.join(', ') : 'none'}</dd>
            <dt>Source</dt>
            <dd className="source">{v.source}</dd>
            {v.storageLocation ? (
              <>
                <dt>Storage location</dt>
                <dd className="source">{v.storageLocation}</dd>
              </>
            ) : null}
            <dt>Run</dt>
            <dd>{v.runLink ? <a href={v.runLink}>{v.runId ?? v.runLink}</a> : (v.runId ?? 'none')}</dd>
            <dt>Description</dt>
            <dd>{v.description || 'none'}</dd>
            <dt>Created</dt>
            <dd>{formatInstant(v.createdAt)}</dd>
            <dt>Updated</dt>
            <dd>{formatInstant(v.updatedAt)}</dd>
          </dl>
          <section aria-labelledby="version-tags-heading">
            <h2 id="version-tags-heading">Tags</h2>
            <TagEditor modelName={name} version={version} tags={v.tags} onChanged={refetch} />
          </section>
        </>
      )}
    </article>
  );
}
