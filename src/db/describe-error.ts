// One line for the errors an operator causes (server down, wrong database, unwritable path), shared
// by `npm start` and every CLI: a stack trace there hides the one fact that matters.
import type { DatabaseTarget } from '../config.ts';
import { DataFolderInUseError } from './data-folder-lock.ts';

function hostPort(
  target: DatabaseTarget | undefined,
  error: NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string },
): string {
  if (error.address) return `${error.address}${error.port ? `:${error.port}` : ''}`;
  if (target?.kind !== 'postgres') return 'the configured address';
  try {
    const url = new URL(target.url);
    return `${url.hostname || 'localhost'}:${url.port || '5432'}`;
  } catch {
    return 'the configured address';
  }
}

/** A one-line description of `error`, or undefined when it is not one we recognise (show the stack). */
export function describeOperationalError(error: unknown, target?: DatabaseTarget): string | undefined {
  if (error instanceof DataFolderInUseError) return error.message;
  if (!(error instanceof Error)) return undefined;
  const e = error as NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string };
  const where = () => hostPort(target, e);
  switch (e.code) {
    case 'ECONNREFUSED':
      return `cannot connect to PostgreSQL at ${where()}: is it running?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve the PostgreSQL host ${e.hostname ?? where()}: check DATABASE_URL`;
    case 'ECONNRESET':
    case 'ETIMEDOUT':
      return `the connection to PostgreSQL at ${where()} failed (${e.code}): is PostgreSQL listening there?`;
    case '3D000':
    case '28000':
    case '28P01':
      return `PostgreSQL at ${where()} refused: ${e.message}`;
    case 'ENOENT':
    case 'EACCES':
    case 'EISDIR':
    case 'ENOTDIR':
    case 'EROFS':
      return `${e.path ?? 'file'}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.message}`;
    case 'EADDRINUSE':
      return `${e.message}: another process uses that port; set PORT to a free one`;
  }
  if (/^(timeout expired|Connection terminated unexpectedly|Connection terminated due to connection timeout)/.test(e.message)) {
    return `no PostgreSQL answered at ${where()} (${e.message}): is PostgreSQL listening there?`;
  }
  if (typeof e.code === 'string') return e.message;
  return undefined;
}

/** The error as one line when recognised, else its stack (a bug, worth the detail). */
export function describeError(error: unknown, target?: DatabaseTarget): string {
  return describeOperationalError(error, target) ?? (error instanceof Error ? (error.stack ?? error.message) : String(error));
}
