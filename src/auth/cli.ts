// `npm run token -- <command>`: manage API tokens in the database named by DATABASE_URL (the same
// setting as the server's). `create` prints the new secret alone on the last line of stdout, so a
// script can capture it with `| tail -n 1`; everything else about the run goes to stderr.
import { parseDatabaseUrl, describeDatabaseTarget } from '../config.ts';
import { openDatabase } from '../db/client.ts';
import { describeError } from '../db/describe-error.ts';
import { RegistryError } from '../registry/rules/errors.ts';
import type { Role } from './access.ts';
import { ROLES, createApiToken, isActive, listApiTokens, parseDuration, revokeApiToken } from './tokens.ts';

const USAGE = `Usage: npm run token -- <command>
  create --name NAME --role reader|writer|admin [--models PATTERN]... [--promote] [--expires 90d|12h|30m]
         prints the token on the last line of stdout (it is shown only once)
         --models limits the token to model names matching PATTERN (* matches any characters);
           repeat it or separate patterns with commas; omitted: every model
         --promote allows setting and deleting protected aliases (PROTECTED_ALIASES)
  list   [--json]   every token: name, role, models, promote, created, expires, last used, revoked
  revoke NAME       stops the token at once, on every server using this database
Uses DATABASE_URL like the server (unset: PGlite in data/pglite; stop a PGlite server first).`;

class UsageError extends Error {}

function parseOptions(args: string[], flags: readonly string[], valued: readonly string[]) {
  const values = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (flags.includes(name)) values.set(name, ['true']);
    else if (valued.includes(name)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      values.set(name, [...(values.get(name) ?? []), value]);
    } else throw new UsageError(`unknown option --${name}`);
  }
  return { values, positional };
}

function date(value: Date | null): string {
  return value ? value.toISOString() : '-';
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === 'help') {
    console.log(USAGE);
    return;
  }
  // No command is a mistake (a script that lost its arguments), not a request for help.
  if (!command) throw new UsageError('no command given');
  if (!['create', 'list', 'revoke'].includes(command)) throw new UsageError(`unknown command "${command}"`);
  const options =
    command === 'create'
      ? parseOptions(rest, ['promote'], ['name', 'role', 'models', 'expires'])
      : parseOptions(rest, command === 'list' ? ['json'] : [], []);

  // Arguments are checked before the database is opened (which can take seconds).
  const name = options.values.get('name')?.[0];
  const role = options.values.get('role')?.[0]?.toUpperCase();
  if (command === 'create') {
    if (!name || !role) throw new UsageError('create needs --name and --role');
    if (!ROLES.includes(role as Role)) throw new UsageError(`--role must be reader, writer or admin (got "${role.toLowerCase()}")`);
  }
  if (command === 'revoke' && options.positional.length !== 1) throw new UsageError('revoke needs exactly one token NAME');

  const target = parseDatabaseUrl(process.env.DATABASE_URL);
  console.error(`token: using ${describeDatabaseTarget(target)}`);
  const db = await openDatabase(target, { log: (line) => console.error(line) });
  try {
    if (command === 'create' && name && role) {
      const models =
        options.values.get('models')?.flatMap((m) =>
          m
            .split(',')
            .map((p) => p.trim())
            .filter(Boolean),
        ) ?? null;
      const expires = options.values.get('expires')?.[0];
      const { token, secret } = await createApiToken(
        db.prisma,
        {
          name,
          role: role as Role,
          models,
          promote: options.values.has('promote'),
          expiresAt: expires ? new Date(Date.now() + parseDuration(expires)) : null,
        },
        null,
      );
      console.log(
        `created token "${token.name}": role ${token.role.toLowerCase()}, models ${models ? models.join(', ') : 'all'}, ` +
          `promote ${token.promote ? 'yes' : 'no'}, expires ${date(token.expiresAt)}`,
      );
      console.log('Store it now: it is not shown again. Send it as "Authorization: Bearer <token>".');
      console.log(secret);
    } else if (command === 'list') {
      const tokens = await listApiTokens(db.prisma);
      if (options.values.has('json')) {
        console.log(
          JSON.stringify(
            tokens.map(({ tokenHash: _hash, id: _id, ...visible }) => visible),
            null,
            2,
          ),
        );
        return;
      }
      if (tokens.length === 0) console.log('no tokens');
      for (const t of tokens) {
        const state = t.revokedAt ? `revoked ${date(t.revokedAt)}` : isActive(t) ? 'active' : 'expired';
        console.log(
          [
            t.name,
            t.role.toLowerCase(),
            `models=${t.modelPatterns?.split('\n').join(',') ?? '*'}`,
            `promote=${t.promote}`,
            `created=${date(t.createdAt)}`,
            `expires=${date(t.expiresAt)}`,
            `lastUsed=${date(t.lastUsedAt)}`,
            state,
          ].join('\t'),
        );
      }
    } else {
      const token = await revokeApiToken(db.prisma, options.positional[0]);
      console.log(`revoked token "${token.name}" at ${date(token.revokedAt)}`);
    }
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).catch((error) => {
  if (error instanceof UsageError) console.error(`token: ${error.message}\n\n${USAGE}`);
  else if (error instanceof RegistryError) console.error(`token: ${error.message}`);
  else console.error(`token: failed: ${describeError(error, parseDatabaseUrl(process.env.DATABASE_URL))}`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
