// The shell: header with navigation and the token entry, then the page the URL names.
import { useEffect, useState } from 'react';
import { HistoryFeed } from './History.tsx';
import { ModelList } from './ModelList.tsx';
import { ModelPage } from './ModelPage.tsx';
import { Link, paths, useLocation } from './router.tsx';
import { onTokenChange, readToken, writeToken } from './token.ts';
import { VersionPage } from './VersionPage.tsx';
import { Dialog, Field } from './widgets.tsx';

function TokenEntry() {
  const [token, setToken] = useState(readToken);
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState('');
  useEffect(() => onTokenChange(setToken), []);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)} aria-haspopup="dialog">
        {token ? 'Token: set' : 'Token'}
      </button>
      <Dialog title="Bearer token" open={open} onClose={() => setOpen(false)}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            writeToken(draft.trim() || null);
            setDraft('');
            setOpen(false);
          }}
        >
          <p className="small">
            For servers that require one (REGISTRY_AUTH=required), or to act as a token with more rights. It is kept in this tab's session
            storage only, and sent as <code>Authorization: Bearer ...</code>.
          </p>
          <Field label="Token">
            {(field) => (
              <input
                {...field}
                type="password"
                name="token"
                autoComplete="off"
                value={draft}
                onChange={(e) => setDraft(e.target.value)}
                placeholder="mrt_..."
              />
            )}
          </Field>
          <div className="buttons">
            {token ? (
              <button
                type="button"
                onClick={() => {
                  writeToken(null);
                  setOpen(false);
                }}
              >
                Forget the token
              </button>
            ) : null}
            <button type="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
            <button type="submit" className="primary">
              Use this token
            </button>
          </div>
        </form>
      </Dialog>
    </>
  );
}

function Page() {
  const location = useLocation();
  const parts = location.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  // Each page under a key, so moving between models starts from a clean state.
  if (parts.length === 0) return <ModelList location={location} />;
  if (parts[0] === 'history' && parts.length === 1) return <HistoryFeed />;
  if (parts[0] === 'models' && parts.length === 2) return <ModelPage key={parts[1]} name={parts[1]} />;
  if (parts[0] === 'models' && parts.length === 4 && parts[2] === 'versions' && /^\d+$/.test(parts[3]))
    return <VersionPage key={location.pathname} name={parts[1]} version={Number(parts[3])} />;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        Nothing here. <Link href={paths.models()}>All models</Link>
      </p>
    </section>
  );
}

export function App() {
  const location = useLocation();
  useEffect(() => {
    const parts = location.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    document.title = parts[0] === 'models' && parts[1] ? `${parts[1]} - Model registry` : 'Model registry';
  }, [location.pathname]);
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link href={paths.models()} className="brand">
          Model registry
        </Link>
        <nav aria-label="Main">
          <Link href={paths.models()} aria-current={location.pathname === '/' ? 'page' : undefined}>
            Models
          </Link>
          <Link href={paths.history()} aria-current={location.pathname === '/history' ? 'page' : undefined}>
            History
          </Link>
          <a href="/graphql">GraphiQL</a>
        </nav>
        <TokenEntry />
      </header>
      <main id="main" tabIndex={-1}>
        <Page />
      </main>
    </>
  );
}
