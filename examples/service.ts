/**
 * A small service that uses the typed SDK end to end: it reports, per company, how many of its
 * users were seen by GPS in the last day of the demo data and how much it owes.
 *
 *   npm start                      # in another terminal
 *   npx tsx examples/service.ts    # REPOGATE_URL / REPOGATE_TOKEN to point elsewhere (the token
 *                                  # defaults to an api token from the dev stack)
 */
import { createClient, RepogateError } from '../src/sdk/client.js';

/** Without REPOGATE_TOKEN, next to `npm start`: an `api` token for acme, signed with the dev stack's secret. */
async function devToken(): Promise<string | undefined> {
  const [{ readStackInfo }, { signDevToken }] = await Promise.all([import('../dev/stack/stack.js'), import('../src/auth/tokens.js')]);
  const auth = readStackInfo()?.topology.auth;
  return auth && 'hs256Secret' in auth ? signDevToken(auth.hs256Secret, { clientClass: 'api', tenant: 'acme', subject: 'examples/service.ts', expiresIn: '5m' }) : undefined;
}

const url = process.env.REPOGATE_URL ?? 'http://127.0.0.1:4000/graphql';
const token = process.env.REPOGATE_TOKEN || (await devToken());
if (!token) {
  console.error('set REPOGATE_TOKEN (no dev stack here to sign one: `npm start` makes it)');
  process.exit(1);
}
const repogate = createClient({ url, token });

const euros = (cents: number) => (cents / 100).toLocaleString('en', { style: 'currency', currency: 'EUR' });

const answer = await repogate.CompanyDashboard({ companies: 5, users: 50 }).catch((error: unknown) => {
  if (error instanceof RepogateError && error.code === 'NETWORK_ERROR') {
    console.error(`cannot reach Repogate at ${url} (is \`npm start\` running?)`);
    process.exit(1);
  }
  throw error;
});
const { data, errors } = answer;
for (const error of errors) {
  // Partial answers are normal: a repo that is down nulls only its own fields.
  console.warn(`warning: ${error.code} at ${error.path?.join('.') ?? '(request)'}: ${error.message}`);
}
if (!data) process.exit(1);

const dayBefore = (iso: string) => new Date(new Date(iso).getTime() - 24 * 3_600_000).toISOString();
for (const { node: company } of data.companies.edges) {
  const users = company.users.edges.map((edge) => edge.node);
  const newest = users.map((u) => u.lastPosition?.recordedAt).filter((t): t is string => !!t).sort().at(-1);
  const seen = newest ? users.filter((u) => u.lastPosition && u.lastPosition.recordedAt >= dayBefore(newest)).length : 0;
  const balance = company.openBalanceCents === null ? 'unknown (billing unavailable)' : euros(company.openBalanceCents);
  console.log(`${company.name}: ${seen}/${users.length} users on the road, open balance ${balance}`);
}
