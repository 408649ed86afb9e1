// The model list: search by name, filter by tag and alias, sort, cursor paging (25 a page, so a
// registry of thousands of models costs one small query per page).
import { useState } from 'react';
import { formatInstant } from './format.ts';
import { graphql } from './graphql.ts';
import { useDebounced, useQuery } from './hooks.ts';
import { Link, type Location, navigate, paths } from './router.tsx';
import { ErrorBanner, Field, Table, TagChips } from './widgets.tsx';

const PAGE = 25;

export const ModelsQuery = graphql(`
  query Models($first: Int!, $after: String, $filter: RegisteredModelFilter, $orderBy: RegisteredModelOrder) {
    registeredModels(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        name
        description
        updatedAt
        latestVersion { version }
        aliases { alias version { version } }
        tags { key value }
      }
    }
  }
`);

const SORTS = [
  ['NAME_ASC', 'Name A-Z'],
  ['NAME_DESC', 'Name Z-A'],
  ['UPDATED_AT_DESC', 'Recently changed'],
  ['CREATED_AT_DESC', 'Newest'],
] as const;
type Sort = (typeof SORTS)[number][0];

function tagFilter(text: string): { key: string; value?: string }[] | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  const at = trimmed.indexOf('=');
  return [at < 0 ? { key: trimmed } : { key: trimmed.slice(0, at).trim(), value: trimmed.slice(at + 1).trim() }];
}

export function ModelList({ location }: { location: Location }) {
  const params = location.search;
  const [name, setName] = useState(params.get('q') ?? '');
  const [tag, setTag] = useState(params.get('tag') ?? '');
  const [alias, setAlias] = useState(params.get('alias') ?? '');
  const sort = (SORTS.some(([s]) => s === params.get('sort')) ? params.get('sort') : 'NAME_ASC') as Sort;
  // Cursors of the pages before this one, for "Previous".
  const [cursors, setCursors] = useState<(string | null)[]>([]);
  const [after, setAfter] = useState<string | null>(null);
  const filters = useDebounced({ name: name.trim(), tag: tag.trim(), alias: alias.trim() }, 250);

  const update = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    navigate(`/?${next}`.replace(/\?$/, ''), { replace: true });
    setCursors([]);
    setAfter(null);
  };

  const filter = {
    ...(filters.name ? { nameContains: filters.name } : {}),
    ...(filters.alias ? { hasAlias: filters.alias } : {}),
    ...(tagFilter(filters.tag) ? { tags: tagFilter(filters.tag) } : {}),
  };
  const { data, error, loading } = useQuery(ModelsQuery, { first: PAGE, after, filter, orderBy: sort });
  const page = data?.registeredModels;

  return (
    <section aria-labelledby="models-heading">
      <h1 id="models-heading">Models</h1>
      <form className="filters" aria-label="Find models" onSubmit={(e) => e.preventDefault()}>
        <TextFilter label="Name" name="q" type="search" value={name} placeholder="contains..." onChange={setName} update={update} />
        <TextFilter label="Tag" name="tag" value={tag} placeholder="key or key=value" onChange={setTag} update={update} />
        <TextFilter label="Alias" name="alias" value={alias} placeholder="e.g. production" onChange={setAlias} update={update} />
        <Field label="Sort">
          {(field) => (
            <select
              {...field}
              name="sort"
              value={sort}
              onChange={(e) => update('sort', e.target.value === 'NAME_ASC' ? '' : e.target.value)}
            >
              {SORTS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
      </form>
      <ErrorBanner error={error} />
      <p className="muted" aria-live="polite" data-testid="model-count">
        {page ? `${page.totalCount} model${page.totalCount === 1 ? '' : 's'}` : loading ? 'Loading...' : ''}
      </p>
      <Table className="models" columns={['Name', 'Latest', 'Aliases', 'Tags', 'Updated']} busy={loading}>
        {page?.nodes.map((model) => (
          <tr key={model.id}>
            <td>
              <Link href={paths.model(model.name)}>{model.name}</Link>
              {model.description ? <div className="muted small">{model.description}</div> : null}
            </td>
            <td>{model.latestVersion ? `v${model.latestVersion.version}` : '-'}</td>
            <td>
              {model.aliases.map((a) => (
                <span key={a.alias} className="chip alias">
                  {a.alias}: v{a.version.version}
                </span>
              ))}
            </td>
            <td>
              <TagChips tags={model.tags} />
            </td>
            <td className="nowrap">{formatInstant(model.updatedAt)}</td>
          </tr>
        ))}
        {page && page.nodes.length === 0 ? (
          <tr>
            <td colSpan={5}>No model matches.</td>
          </tr>
        ) : null}
      </Table>
      <nav className="pager" aria-label="Model pages">
        <button
          type="button"
          disabled={cursors.length === 0}
          onClick={() => {
            setAfter(cursors[cursors.length - 1] ?? null);
            setCursors(cursors.slice(0, -1));
          }}
        >
          Previous page
        </button>
        <span className="muted">Page {cursors.length + 1}</span>
        <button
          type="button"
          disabled={!page?.pageInfo.hasNextPage}
          onClick={() => {
            setCursors([...cursors, after]);
            setAfter(page?.pageInfo.endCursor ?? null);
          }}
        >
          Next page
        </button>
      </nav>
    </section>
  );
}

function TextFilter(props: {
  label: string;
  name: string;
  type?: string;
  value: string;
  placeholder: string;
  onChange: (value: string) => void;
  update: (key: string, value: string) => void;
}) {
  return (
    <Field label={props.label}>
      {(field) => (
        <input
          {...field}
          type={props.type ?? 'text'}
          name={props.name}
          value={props.value}
          placeholder={props.placeholder}
          onChange={(e) => {
            props.onChange(e.target.value);
            props.update(props.name, e.target.value.trim());
          }}
        />
      )}
    </Field>
  );
}
