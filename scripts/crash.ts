// `npm run crash -- [--database pglite|postgres] [--rounds 5] [--clients 8] [--ops 40]`: the crash
// drill of scripts/faults/crash.ts on a throwaway database (a temp PGlite folder, or a fresh
// database on the PostgreSQL at TEST_POSTGRES_URL / 127.0.0.1:5432), with its figures.
import { parseArgs } from 'node:util';
import { runCrashRounds } from './faults/crash.ts';
import { createScratchDatabase } from './faults/scratch-database.ts';

const { values } = parseArgs({
  options: {
    database: { type: 'string', default: 'pglite' },
    rounds: { type: 'string', default: '5' },
    clients: { type: 'string', default: '8' },
    ops: { type: 'string', default: '40' },
  },
});
const rounds = Number(values.rounds);
const clients = Number(values.clients);
const ops = Number(values.ops);
// Kill points spread over the burst: right at the start, then ever later.
const killAfterAcks = Array.from({ length: rounds }, (_, r) => (r === 0 ? 1 : Math.round((clients * ops * r) / (rounds + 1))));

const database = await createScratchDatabase(values.database!, 'crash');
const databaseUrl = database.url;

console.error(
  `crash drill on ${values.database}: ${rounds} rounds, ${clients} clients x at most ${ops} mutations, SIGKILL after ${killAfterAcks.join(', ')} acknowledgements`,
);
try {
  const figures = await runCrashRounds({ databaseUrl, killAfterAcks, clients, opsPerClient: ops, log: (line) => console.error(line) });
  const a = figures.acknowledged;
  console.log(`kill points: ${figures.rounds.map((r) => `${r.acknowledged} acks/${r.inFlightAtKill} in flight`).join('; ')}`);
  console.log(
    `acknowledged and verified: ${a.versions} versions, ${a.tags} tags, ${a.aliasMoves} alias moves (+${a.conflicts} compare-and-set conflicts)`,
  );
  console.log(
    `unacknowledged: ${figures.unacknowledged.total}, of which committed anyway (wholly): ${figures.unacknowledged.committedAnyway}`,
  );
  console.log(`integrity: ${figures.integrity.events} events replayed, ${figures.integrity.violations.length} violations`);
  for (const line of [...figures.problems, ...figures.integrity.violations]) console.log(`PROBLEM ${line}`);
  process.exitCode = figures.problems.length + figures.integrity.violations.length === 0 ? 0 : 1;
} finally {
  await database.remove();
}
