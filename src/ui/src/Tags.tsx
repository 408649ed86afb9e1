// Tags of a model or a version: each with a remove button, and a form to set one (add or
// overwrite). A ValidationError shows under the field it names (key or value).
import { useState } from 'react';
import { mutate } from './client.ts';
import { graphql } from './graphql.ts';
import { ErrorBanner, Field } from './widgets.tsx';

const SetModelTag = graphql(`
  mutation SetModelTag($input: SetRegisteredModelTagInput!) {
    setRegisteredModelTag(input: $input) {
      __typename
      ... on Error { message }
      ... on ValidationError { field }
    }
  }
`);
const DeleteModelTag = graphql(`
  mutation DeleteModelTag($input: DeleteRegisteredModelTagInput!) {
    deleteRegisteredModelTag(input: $input) { __typename ... on Error { message } }
  }
`);
const SetVersionTag = graphql(`
  mutation SetVersionTag($input: SetModelVersionTagInput!) {
    setModelVersionTag(input: $input) {
      __typename
      ... on Error { message }
      ... on ValidationError { field }
    }
  }
`);
const DeleteVersionTag = graphql(`
  mutation DeleteVersionTag($input: DeleteModelVersionTagInput!) {
    deleteModelVersionTag(input: $input) { __typename ... on Error { message } }
  }
`);

type Outcome = { __typename: string; message?: string; field?: string | null };

export function TagEditor({
  modelName,
  version,
  tags,
  onChanged,
}: {
  modelName: string;
  version?: number;
  tags: readonly { key: string; value: string }[];
  onChanged: () => void;
}) {
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [fieldErrors, setFieldErrors] = useState<{ key?: string; value?: string }>({});
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (action: () => Promise<Outcome>, onDone?: () => void) => {
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      const outcome = await action();
      if (outcome.__typename === 'ValidationError') {
        const field = outcome.field === 'value' ? 'value' : 'key';
        setFieldErrors({ [field]: outcome.message });
      } else if (outcome.message) setError(new Error(outcome.message));
      else {
        onDone?.();
        onChanged();
      }
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  const setTag = () =>
    run(
      async () =>
        version === undefined
          ? (await mutate(SetModelTag, { input: { name: modelName, key, value } })).setRegisteredModelTag
          : (await mutate(SetVersionTag, { input: { name: modelName, version, key, value } })).setModelVersionTag,
      () => {
        setKey('');
        setValue('');
      },
    );
  const deleteTag = (k: string) =>
    run(async () =>
      version === undefined
        ? (await mutate(DeleteModelTag, { input: { name: modelName, key: k } })).deleteRegisteredModelTag
        : (await mutate(DeleteVersionTag, { input: { name: modelName, version, key: k } })).deleteModelVersionTag,
    );
  return (
    <div className="tags">
      <ul className="tag-list">
        {tags.map((t) => (
          <li key={t.key} className="chip">
            {t.key}={t.value}
            <button type="button" className="remove" aria-label={`Remove tag ${t.key}`} disabled={busy} onClick={() => deleteTag(t.key)}>
              ×
            </button>
          </li>
        ))}
        {tags.length === 0 ? <li className="muted">No tags.</li> : null}
      </ul>
      <form
        className="tag-form"
        onSubmit={(e) => {
          e.preventDefault();
          void setTag();
        }}
      >
        <Field label="Tag key" error={fieldErrors.key ?? ''}>
          {(field) => <input {...field} name="key" value={key} onChange={(e) => setKey(e.target.value)} />}
        </Field>
        <Field label="Value" error={fieldErrors.value ?? ''}>
          {(field) => <input {...field} name="value" value={value} onChange={(e) => setValue(e.target.value)} />}
        </Field>
        <button type="submit" disabled={busy}>
          Set tag
        </button>
      </form>
      <ErrorBanner error={error} />
    </div>
  );
}
