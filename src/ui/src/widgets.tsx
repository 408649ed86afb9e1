// Small shared pieces: error texts, a modal dialog (native <dialog>: focus kept inside, Escape closes).
import { type ReactNode, useEffect, useId, useRef } from 'react';
import { RequestError } from './client.ts';

export function describeError(error: Error): string {
  if (error instanceof RequestError) {
    if (error.code === 'UNAUTHENTICATED') return 'This server needs a token: enter one with "Token" at the top of the page.';
    if (error.code === 'FORBIDDEN') return `Your token may not do this: ${error.message}`;
    if (error.code === 'NETWORK') return `The server cannot be reached (${error.message}).`;
  }
  return error.message;
}

export function ErrorBanner({ error }: { error: Error | undefined | null }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {describeError(error)}
    </p>
  );
}

/** A typed error's message, under the input it names (aria-describedby points here). */
export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return (
    <span id={id} className="field-error" role={message ? 'alert' : undefined}>
      {message ?? ''}
    </span>
  );
}

export function Dialog({ title, open, onClose, children }: { title: string; open: boolean; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-label={title} onClose={onClose}>
      <h2>{title}</h2>
      {open ? children : null}
    </dialog>
  );
}

/**
 * A labelled form control: the label names the control alone (not its value or its error), and a
 * typed error's message sits under it, tied to it by aria-describedby.
 */
export function Field({
  label,
  error,
  children,
}: {
  label: string;
  error?: string;
  children: (props: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: true }) => ReactNode;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-describedby': error === undefined ? undefined : errorId, 'aria-invalid': error ? true : undefined })}
      {error === undefined ? null : <FieldError id={errorId} message={error || undefined} />}
    </div>
  );
}

/** A table with column headers, scrolling sideways inside its frame on narrow screens. */
export function Table({
  className,
  columns,
  busy,
  children,
}: {
  className: string;
  columns: string[];
  busy?: boolean;
  children: ReactNode;
}) {
  return (
    <div className="table-wrap">
      <table className={className} aria-busy={busy}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

export function TagChips({ tags }: { tags: readonly { key: string; value: string }[] }) {
  return tags.map((t) => (
    <span key={t.key} className="chip">
      {t.key}={t.value}
    </span>
  ));
}
