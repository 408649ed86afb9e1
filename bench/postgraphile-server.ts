// The reference: PostGraphile 5 (amber preset, its node-postgres adaptor with a pool of 10),
// served by grafserv on node:http, over the benchmark database named by argv[2], with the schema
// it generates for it (no plugin, no tag, no smart comment). Run with NODE_ENV=production like our
// server. Its queries are in bench/postgraphile.ts.
import './promise-with-resolvers.ts';
import { createServer } from 'node:http';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { countPgStatements, listenOnLoopback, serve } from './child.ts';

// Patches pg.Client.prototype.query before PostGraphile's pool connects: every statement it sends counts.
countPgStatements();

await serve(async () => {
  const pgl = postgraphile({
    extends: [PostGraphileAmberPreset],
    pgServices: [makePgService({ connectionString: process.argv[2], schemas: ['public'], poolConfig: { max: 10 } })],
    grafserv: { graphqlPath: '/graphql', graphiql: false, watch: false },
    grafast: { explain: false },
  });
  const serv = pgl.createServ(grafserv);
  // Building the schema (introspection) before the first request, so that no slice pays for it.
  await pgl.getSchemaResult();
  const server = createServer();
  await serv.addTo(server);
  return listenOnLoopback(server, async () => {
    await serv.release();
    await pgl.release();
  });
});
