// Moving an alias, always with compare-and-set: the dialog shows "production: v7 -> v8" and sends
// expectedVersion 7 (0 for a new alias). When someone moved it first, the ConflictError's
// currentVersion is shown ("someone moved it to v9 meanwhile") and the next try compares with v9.
import { useEffect, useState } from 'react';
import { mutate } from './client.ts';
import { graphql } from './graphql.ts';
import { Dialog, ErrorBanner, Field } from './widgets.tsx';

const SetAlias = graphql(`
  mutation SetAlias($input: SetModelAliasInput!) {
    setModelAlias(input: $input) {
      __typename
      ... on SetModelAliasPayload { changed alias { alias version { version } } }
      ... on ConflictError { message currentVersion }
      ... on ValidationError { message field }
      ... on NotFoundError { message }
    }
  }
`);

const DeleteAlias = graphql(`
  mutation DeleteAlias($input: DeleteModelAliasInput!) {
    deleteModelAlias(input: $input) {
      __typename
      ... on ConflictError { message currentVersion }
      ... on NotFoundError { message }
    }
  }
`);

export interface AliasEdit {
  /** Empty for a new alias (the dialog asks for its name). */
  alias: string;
  /** Where it points now, as the page knows it; null for a new alias. */
  current: number | null;
  target: number | null;
  title: string;
  mode: 'move' | 'delete';
}

export function AliasDialog({
  modelName,
  edit,
  versions,
  onClose,
  onDone,
}: {
  modelName: string;
  edit: AliasEdit | null;
  versions: readonly number[];
  onClose: () => void;
  onDone: () => void;
}) {
  const [alias, setAlias] = useState('');
  const [target, setTarget] = useState('');
  const [expected, setExpected] = useState<number | null>(null);
  const [conflict, setConflict] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<{ alias?: string; version?: string }>({});
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!edit) return;
    setAlias(edit.alias);
    setTarget(edit.target == null ? '' : String(edit.target));
    setExpected(edit.current);
    setConflict(null);
    setFieldErrors({});
    setError(null);
  }, [edit]);

  const name = edit?.alias || alias.trim();
  const targetNumber = Number.parseInt(target, 10);
  const submit = async () => {
    if (!edit) return;
    setBusy(true);
    setConflict(null);
    setFieldErrors({});
    setError(null);
    try {
      if (edit.mode === 'delete') {
        const { deleteModelAlias: r } = await mutate(DeleteAlias, {
          input: { name: modelName, alias: name, expectedVersion: expected ?? 0 },
        });
        if (r.__typename === 'ConflictError') return void onConflict(r.currentVersion ?? null);
        if (r.__typename === 'NotFoundError') return void setError(new Error(r.message));
      } else {
        if (!Number.isInteger(targetNumber)) return void setFieldErrors({ version: 'Choose a version.' });
        const { setModelAlias: r } = await mutate(SetAlias, {
          input: { name: modelName, alias: name, version: targetNumber, expectedVersion: expected ?? 0 },
        });
        if (r.__typename === 'ConflictError') return void onConflict(r.currentVersion ?? null);
        if (r.__typename === 'ValidationError') {
          if (r.field === 'version' || r.field === 'alias') setFieldErrors({ [r.field]: r.message });
          else setError(new Error(r.message));
          return;
        }
        if (r.__typename === 'NotFoundError') return void setFieldErrors({ version: r.message });
      }
      onDone();
      onClose();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  const onConflict = (current: number | null) => {
    setConflict(current === null ? 'someone removed it meanwhile' : `someone moved it to v${current} meanwhile`);
    setExpected(current);
    onDone();
  };

  const from = expected == null ? 'new' : `v${expected}`;
  const to = edit?.mode === 'delete' ? 'removed' : Number.isInteger(targetNumber) ? `v${targetNumber}` : '?';
  return (
    <Dialog title={edit?.title ?? ''} open={edit !== null} onClose={onClose}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        {edit && !edit.alias ? (
          <Field label="Alias name" error={fieldErrors.alias ?? ''}>
            {(field) => <input {...field} name="alias" value={alias} onChange={(e) => setAlias(e.target.value)} />}
          </Field>
        ) : null}
        {edit?.mode === 'move' ? (
          <Field label="Version" error={fieldErrors.version ?? ''}>
            {(field) => (
              <select {...field} name="version" value={target} onChange={(e) => setTarget(e.target.value)}>
                <option value="">choose...</option>
                {versions.map((v) => (
                  <option key={v} value={v}>
                    v{v}
                  </option>
                ))}
              </select>
            )}
          </Field>
        ) : null}
        <p className="change" data-testid="alias-change">
          {name || 'alias'}: {from} {'->'} {to}
        </p>
        {conflict ? (
          <p className="conflict" role="alert" data-testid="alias-conflict">
            Not changed: {conflict}. Confirm again to change it from v{expected ?? '-'}.
          </p>
        ) : null}
        <ErrorBanner error={error} />
        <div className="buttons">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {edit?.mode === 'delete' ? 'Remove alias' : 'Move alias'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
