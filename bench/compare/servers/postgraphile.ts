/**
 * PostGraphile v5 over acme's tenant database (repo `main` only), as the comparison's
 * "generated from the schema" contender: the Amber preset, simplified inflection (so relations
 * read `users`, `company`, `timeEntries` as in the gateway) and the connection-filter plugin,
 * which is how Q4's time-entry window is expressed without owning a database function. The
 * operations it answers, and how its answers map to the gateway's, are in
 * ../postgraphile-queries.ts.
 */
import { createServer } from 'node:http';
import { PgSimplifyInflectionPreset } from '@graphile/simplify-inflection';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { pgSmartTags } from 'postgraphile/utils';
import { PostGraphileConnectionFilterPreset } from 'postgraphile-plugin-connection-filter';
import { announce, countedPgPool, serveQueryCount } from './common.js';

// PostGraphile v5 (grafast, @dataplan/pg, grafserv) declares node >= 22 and calls
// Promise.withResolvers (new in 22) while executing, not at import; on our node 20 every
// query would fail with "Cannot read properties of undefined (reading 'items')". Provide it.
if (!('withResolvers' in Promise)) {
  Object.assign(Promise, {
    withResolvers<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
      return { promise, resolve, reject };
    },
  });
}

const pgl = postgraphile({
  extends: [PostGraphileAmberPreset, PgSimplifyInflectionPreset, PostGraphileConnectionFilterPreset],
  plugins: [
    // Amber offers filters only on indexed columns; ended_at isn't one, but Q4 filters it within
    // a user's entries (found by the (user_id, started_at) index), so allow it. A smart tag in
    // the preset, not a COMMENT in the database, which we don't own.
    pgSmartTags([{ kind: 'attribute', match: 'public.time_entries.ended_at', tags: { behavior: '+filterBy' } }]),
  ],
  pgServices: [
    makePgService({
      // Our pool (api role, BENCH_POOL_SIZE) so every statement is counted like the other servers'.
      pool: countedPgPool('main'),
      schemas: ['public'],
      // No subscriptions: don't let a LISTEN client take a slot in the pool.
      pubsub: false,
    }),
  ],
  // A benchmark target, not a dev server: no schema watching, no Ruru, no websockets.
  grafserv: { graphqlPath: '/graphql', graphiql: false, watch: false, websockets: false },
});

const serv = pgl.createServ(grafserv);
// createHandler (not serv.addTo) so /__bench/queries can be answered before grafserv sees the request.
const handler = serv.createHandler();
const server = createServer((request, response) => {
  if (!serveQueryCount(request, response)) handler(request, response);
});
// Build the schema (introspection) before announcing, so the first timed request doesn't pay for it.
await pgl.getSchema();
announce(server);
