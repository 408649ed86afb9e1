// The crash drill: concurrent clients send a bounded burst of mixed mutations to a server process,
// which is killed with SIGKILL once a given number of them has been acknowledged; it is restarted on
// the same data for the next round. After the last round the data is opened directly and checked:
// every acknowledged mutation is there, every unacknowledged one is wholly there or wholly absent,
// and the integrity checker passes. Used by test/system/crash.test.ts and by `npm run crash`.
import { parseDatabaseUrl } from '../../src/config.ts';
import { openDatabase } from '../../src/db/client.ts';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { checkIntegrity } from '../../src/registry/history/integrity.ts';
import { postGraphQL, spawnServer } from './server-process.ts';

export interface CrashOptions {
  databaseUrl: string;
  /** One round per entry: SIGKILL once this many mutations of the round are acknowledged. */
  killAfterAcks: number[];
  clients: number;
  /** Upper bound on what one client sends in one round (the burst is bounded even if no kill comes). */
  opsPerClient: number;
  models?: number;
  log?: (line: string) => void;
}

export interface CrashFigures {
  rounds: Array<{ killAfterAcks: number; acknowledged: number; inFlightAtKill: number; killedAfterMs: number }>;
  acknowledged: { versions: number; tags: number; aliasMoves: number; conflicts: number };
  unacknowledged: { total: number; committedAnyway: number };
  problems: string[];
  integrity: { violations: string[]; events: number };
}

type Op =
  | { kind: 'version'; model: string; source: string; tag: string }
  | { kind: 'tag'; model: string; version: number; key: string; value: string }
  | { kind: 'alias'; model: string; alias: string; to: number; expected?: number };

interface ClientState {
  model: string;
  alias: string;
  /** Versions this client created and saw acknowledged. */
  versions: number[];
  /** Where this client believes its alias points (0: absent). */
  aliasAt: number;
}

const MUTATIONS = {
  version: `mutation($input: CreateModelVersionInput!) { createModelVersion(input: $input) { __typename
    ... on ModelVersionPayload { modelVersion { version } } ... on Error { message } } }`,
  tag: `mutation($input: SetModelVersionTagInput!) { setModelVersionTag(input: $input) { __typename ... on Error { message } } }`,
  alias: `mutation($input: SetModelAliasInput!) { setModelAlias(input: $input) { __typename
    ... on SetModelAliasPayload { changed previousVersion { version } } ... on ConflictError { currentVersion } ... on Error { message } } }`,
};

function input(op: Op): Record<string, unknown> {
  switch (op.kind) {
    case 'version':
      return {
        name: op.model,
        source: op.source,
        tags: [
          { key: 'op', value: op.tag },
          { key: 'kind', value: 'crash' },
        ],
      };
    case 'tag':
      return { name: op.model, version: op.version, key: op.key, value: op.value };
    case 'alias':
      return { name: op.model, alias: op.alias, version: op.to, ...(op.expected === undefined ? {} : { expectedVersion: op.expected }) };
  }
}

export async function runCrashRounds(options: CrashOptions): Promise<CrashFigures> {
  const log = options.log ?? (() => {});
  const modelNames = Array.from({ length: options.models ?? 3 }, (_, m) => `crash-${m}`);
  const clients: ClientState[] = Array.from({ length: options.clients }, (_, c) => ({
    model: modelNames[c % modelNames.length],
    alias: `a${c}`,
    versions: [],
    aliasAt: 0,
  }));
  const acked: Array<{ op: Op; result: any }> = [];
  const unacked: Op[] = [];
  const figures: CrashFigures = {
    rounds: [],
    acknowledged: { versions: 0, tags: 0, aliasMoves: 0, conflicts: 0 },
    unacknowledged: { total: 0, committedAnyway: 0 },
    problems: [],
    integrity: { violations: [], events: 0 },
  };
  const problem = (message: string) => figures.problems.push(message);

  for (const [round, killAfterAcks] of options.killAfterAcks.entries()) {
    const server = await spawnServer(options.databaseUrl);
    for (const name of modelNames) {
      await postGraphQL(server.url, `mutation($name: String!) { createRegisteredModel(input: { name: $name }) { __typename } }`, { name });
    }
    // What the last round's unacknowledged alias moves may have done.
    for (const client of clients) {
      const reply = await postGraphQL(
        server.url,
        `query($name: String!, $alias: String!) { registeredModel(name: $name) { versionByAlias(alias: $alias) { version } } }`,
        {
          name: client.model,
          alias: client.alias,
        },
      );
      client.aliasAt = reply.data?.registeredModel?.versionByAlias?.version ?? 0;
    }

    let roundAcks = 0;
    let killed = false;
    let inFlight = 0;
    let resolveKill: () => void = () => {};
    const killPoint = new Promise<void>((resolve) => (resolveKill = resolve));
    const started = Date.now();
    const burst = clients.map(async (client, c) => {
      for (let i = 0; i < options.opsPerClient && !killed; i++) {
        const id = `${round}.${c}.${i}`;
        let op: Op;
        const kind = client.versions.length === 0 ? 0 : i % 4;
        if (kind === 0) op = { kind: 'version', model: client.model, source: `s3://crash/${id}`, tag: id };
        else if (kind === 1) {
          op = { kind: 'tag', model: client.model, version: client.versions[i % client.versions.length], key: `t.${id}`, value: id };
        } else {
          const to = client.versions[(i * 7) % client.versions.length];
          op = { kind: 'alias', model: client.model, alias: client.alias, to, ...(kind === 3 ? { expected: client.aliasAt } : {}) };
        }
        inFlight++;
        let reply: Awaited<ReturnType<typeof postGraphQL>>;
        try {
          reply = await postGraphQL(server.url, MUTATIONS[op.kind], { input: input(op) });
        } catch {
          unacked.push(op); // no answer: the server died with this request in flight
          return;
        } finally {
          inFlight--;
        }
        const result = reply.data && (Object.values(reply.data)[0] as any);
        if (!result || reply.errors) {
          problem(`round ${round}: ${op.kind} ${JSON.stringify(input(op))} answered with errors ${JSON.stringify(reply.errors)}`);
          return;
        }
        if (result.__typename === 'ConflictError') {
          figures.acknowledged.conflicts++;
          client.aliasAt = result.currentVersion ?? 0;
        } else if (result.message) {
          problem(`round ${round}: ${op.kind} ${JSON.stringify(input(op))} failed: ${result.__typename} ${result.message}`);
          return;
        } else {
          acked.push({ op, result });
          if (op.kind === 'version') client.versions.push(result.modelVersion.version);
          if (op.kind === 'alias') client.aliasAt = op.to;
        }
        if (++roundAcks >= killAfterAcks) resolveKill();
      }
    });
    const bursting = Promise.all(burst);
    await Promise.race([killPoint, bursting]);
    const inFlightAtKill = inFlight;
    killed = true;
    server.child.kill('SIGKILL');
    const killedAfterMs = Date.now() - started;
    await server.exited;
    await bursting;
    figures.rounds.push({ killAfterAcks, acknowledged: roundAcks, inFlightAtKill, killedAfterMs });
    log(
      `round ${round + 1}: SIGKILL after ${roundAcks} acknowledged mutations (${killedAfterMs} ms into the burst), ${inFlightAtKill} request(s) in flight`,
    );
  }

  const db = await openDatabase(parseDatabaseUrl(options.databaseUrl), { log: false });
  try {
    await verify(db.prisma, acked, unacked, figures);
    const report = await checkIntegrity(db.prisma);
    figures.integrity = { violations: report.violations.map((v) => `[${v.invariant}] ${v.message}`), events: report.counts.events };
  } finally {
    await db.close();
  }
  return figures;
}

async function verify(prisma: PrismaClient, acked: Array<{ op: Op; result: any }>, unacked: Op[], figures: CrashFigures): Promise<void> {
  const problem = (message: string) => figures.problems.push(message);
  const versions = await prisma.modelVersion.findMany({ include: { tags: true, model: { select: { name: true } } } });
  const bySource = new Map(versions.map((v) => [v.source, v]));
  const versionKey = (model: string, version: number) => `${model}/${version}`;
  const byNumber = new Map(versions.map((v) => [versionKey(v.model.name, v.version), v]));
  const aliasEvents = await prisma.auditEvent.findMany({ where: { action: 'ALIAS_SET' }, orderBy: { sequence: 'asc' } });
  const unclaimedAliasEvents = new Set(aliasEvents);

  for (const { op, result } of acked) {
    if (op.kind === 'version') {
      figures.acknowledged.versions++;
      const v = bySource.get(op.source);
      if (!v) problem(`acknowledged version ${op.source} (number ${result.modelVersion.version}) is missing`);
      else if (v.version !== result.modelVersion.version || v.model.name !== op.model)
        problem(
          `acknowledged version ${op.source} is ${v.model.name}/${v.version}, was acknowledged as ${op.model}/${result.modelVersion.version}`,
        );
      else if (v.tags.find((t) => t.key === 'op')?.value !== op.tag || !v.tags.some((t) => t.key === 'kind'))
        problem(`acknowledged version ${op.source} lacks its tags`);
    } else if (op.kind === 'tag') {
      figures.acknowledged.tags++;
      const v = byNumber.get(versionKey(op.model, op.version));
      if (v?.tags.find((t) => t.key === op.key)?.value !== op.value)
        problem(`acknowledged tag ${op.key} on ${op.model}/${op.version} is missing`);
    } else {
      if (!result.changed) continue;
      figures.acknowledged.aliasMoves++;
      const from = result.previousVersion?.version ?? null;
      const event = aliasEvents.find(
        (e) =>
          unclaimedAliasEvents.has(e) &&
          e.modelName === op.model &&
          e.alias === op.alias &&
          e.version === op.to &&
          e.previousVersion === from,
      );
      if (!event) problem(`acknowledged alias move ${op.model}@${op.alias} ${from} -> ${op.to} is not in the history`);
      else unclaimedAliasEvents.delete(event);
    }
  }

  figures.unacknowledged.total = unacked.length;
  for (const op of unacked) {
    if (op.kind === 'version') {
      const v = bySource.get(op.source);
      if (!v) continue;
      figures.unacknowledged.committedAnyway++;
      if (v.tags.find((t) => t.key === 'op')?.value !== op.tag || !v.tags.some((t) => t.key === 'kind'))
        problem(`unacknowledged version ${op.source} is half there: tags missing`);
    } else if (op.kind === 'tag') {
      if (byNumber.get(versionKey(op.model, op.version))?.tags.some((t) => t.key === op.key)) figures.unacknowledged.committedAnyway++;
    } else {
      const event = aliasEvents.find(
        (e) => unclaimedAliasEvents.has(e) && e.modelName === op.model && e.alias === op.alias && e.version === op.to,
      );
      if (event) {
        figures.unacknowledged.committedAnyway++;
        unclaimedAliasEvents.delete(event);
      }
    }
  }
  for (const event of unclaimedAliasEvents) {
    problem(`alias event ${event.sequence} (${event.modelName}@${event.alias} -> ${event.version}) matches no mutation that was sent`);
  }
  const sentSources = new Set([...acked.map((a) => a.op), ...unacked].flatMap((op) => (op.kind === 'version' ? [op.source] : [])));
  for (const v of versions)
    if (!sentSources.has(v.source)) problem(`version ${v.model.name}/${v.version} (${v.source}) matches no mutation that was sent`);
}
