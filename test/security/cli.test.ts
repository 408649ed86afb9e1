// End to end over real processes: `npm start` refuses REGISTRY_AUTH=required without an admin
// token and says how to create one; the token CLI creates, lists and revokes tokens in the
// server's database; the promotion script from the README runs against the server as written.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths.ts';
import { processes } from '../support/processes.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'registry-auth-'));
const env = { ...process.env, DATABASE_URL: `pglite:${path.join(dir, 'data')}`, PORT: '0', HOST: '127.0.0.1', REGISTRY_AUTH: 'required' };
const { run, startServer, killAll } = processes(env);
afterAll(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

const token = (...args: string[]) => run(['src/auth/cli.ts', ...args]);

async function post(url: string, secret: string, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as any;
}

/** The promotion script exactly as the README shows it. */
function readmeScript(): string {
  const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
  return /```ts\n(\/\/ promote\.ts[\s\S]*?)```/.exec(readme)![1];
}

it('refuses to start in required mode without an admin token, and says how to create one', { timeout: 60_000 }, async () => {
  const refused = await run(['src/main.ts']);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('no active admin token');
  expect(refused.stderr).toContain('npm run token -- create --name admin --role admin --promote');
  expect(refused.stderr).not.toMatch(/\n\s+at /);
});

it('creates tokens with the CLI; the server accepts them; the README script promotes with them; revoke stops them', {
  timeout: 180_000,
}, async () => {
  const admin = await token('create', '--name', 'admin', '--role', 'admin');
  expect(admin.code).toBe(0);
  const adminSecret = admin.stdout.trim().split('\n').at(-1)!;
  expect(adminSecret).toMatch(/^mrt_[A-Za-z0-9_-]{43}$/);
  const bot = await token('create', '--name', 'release-bot', '--role', 'writer', '--models', 'fraud*', '--promote', '--expires', '90d');
  const botSecret = bot.stdout.trim().split('\n').at(-1)!;
  expect(botSecret).toMatch(/^mrt_/);
  expect(bot.stdout).toContain('models fraud*');
  expect((await token('create', '--name', 'x', '--role', 'boss')).code).toBe(2);

  const server = await startServer();
  try {
    const created = await post(server.url, adminSecret, 'mutation { createRegisteredModel(input: { name: "fraud" }) { __typename } }');
    expect(created.data.createRegisteredModel.__typename).toBe('RegisteredModelPayload');
    const anonymous = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ __typename }"}',
    });
    expect(anonymous.status).toBe(401);

    const script = path.join(dir, 'promote.ts');
    writeFileSync(script, readmeScript());
    const promote = (source: string) => run([script, 'fraud', source], { REGISTRY_URL: server.url, REGISTRY_TOKEN: botSecret });
    const first = await promote('s3://models/fraud/run-1');
    expect(first).toMatchObject({ code: 0, stdout: 'fraud@production: version none -> 1\n' });
    const rerun = await promote('s3://models/fraud/run-1');
    expect(rerun).toMatchObject({ code: 0, stdout: 'fraud@production is already version 1\n' });
    const next = await promote('s3://models/fraud/run-2');
    expect(next).toMatchObject({ code: 0, stdout: 'fraud@production: version 1 -> 2\n' });
    const outOfScope = await run([script, 'churn', 's3://x'], { REGISTRY_URL: server.url, REGISTRY_TOKEN: botSecret });
    expect(outOfScope.code).toBe(1);
    expect(outOfScope.stderr).toContain('refused: FORBIDDEN');

    const history = await post(
      server.url,
      adminSecret,
      '{ registeredModel(name: "fraud") { versions { totalCount } history { nodes { action actor } } } }',
    );
    expect(history.data.registeredModel.versions.totalCount).toBe(2);
    expect(history.data.registeredModel.history.nodes).toEqual([
      { action: 'ALIAS_SET', actor: 'release-bot' },
      { action: 'VERSION_CREATED', actor: 'release-bot' },
      { action: 'ALIAS_SET', actor: 'release-bot' },
      { action: 'VERSION_CREATED', actor: 'release-bot' },
      { action: 'MODEL_CREATED', actor: 'admin' },
    ]);
  } finally {
    server.child.kill('SIGTERM');
    expect(await server.exit).toBe(0);
  }

  const listed = await token('list');
  expect(listed.stdout).toMatch(/^release-bot\twriter\tmodels=fraud\*\tpromote=true\t.*lastUsed=20.*\tactive$/m);
  const revoked = await token('revoke', 'release-bot');
  expect(revoked.stdout).toMatch(/revoked token "release-bot"/);
});

// D6: connection and path mistakes get one line and exit 1, never a stack trace.
it('CLIs describe connection and path errors in one line, without a stack', async () => {
  const refused = { DATABASE_URL: 'postgres://root@127.0.0.1:1/x' };
  const results = await Promise.all([
    run(['scripts/export.ts', '--out', path.join(dir, 'x.jsonl')], refused),
    run(['src/auth/cli.ts', 'list'], refused),
    run(['scripts/export.ts', '--out', path.join(dir, 'no-such-dir', 'x.jsonl')]),
    run(['src/main.ts'], refused),
  ]);
  for (const r of results.slice(0, 2).concat(results[3])) {
    expect(r.stderr).toContain('cannot connect to PostgreSQL at 127.0.0.1:1: is it running?');
  }
  expect(results[2].stderr).toMatch(/export failed: .*no-such-dir.*: no such file or directory/);
  for (const r of results) {
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }
}, 120_000);

it('the token CLI without a command prints the usage and exits 2', async () => {
  const result = await run(['src/auth/cli.ts']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('no command given');
});

it('with pglite:memory and tokens required, the refusal says only REGISTRY_AUTH=off or a real database works', async () => {
  const result = await run(['src/main.ts'], { DATABASE_URL: 'pglite:memory' });
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('pglite:memory lives only inside this process');
  expect(result.stderr).not.toContain('npm run token');
}, 120_000);
