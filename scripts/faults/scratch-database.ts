// A database nobody else uses, for drills and the soak: a temp PGlite folder, or a fresh database on
// the PostgreSQL at TEST_POSTGRES_URL (default postgres://root@127.0.0.1:5432/postgres).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface ScratchDatabase {
  kind: 'pglite' | 'postgres';
  url: string;
  /** Deletes the folder or drops the database. */
  remove(): Promise<void>;
}

export async function createScratchDatabase(kind: string, label: string): Promise<ScratchDatabase> {
  if (kind === 'pglite') {
    const dir = mkdtempSync(path.join(tmpdir(), `registry-${label}-`));
    return { kind, url: `pglite:${dir}`, remove: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (kind !== 'postgres') throw new Error(`--database must be pglite or postgres (got ${kind})`);
  const admin = process.env.TEST_POSTGRES_URL || 'postgres://root@127.0.0.1:5432/postgres';
  const name = `registry_${label}_${process.pid}_${Date.now()}`;
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE "${name}"`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { kind, url: url.toString(), remove: () => run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
