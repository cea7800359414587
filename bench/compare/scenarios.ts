/**
 * The six scenarios of the comparison (issue 5), as one GraphQL operation each: the same text
 * goes to naive yoga and to Repogate; the floor gets the same variables on its own path and
 * answers with the same JSON. Every request draws its ids at random from a fixed list, so caches
 * see a realistic spread rather than one hot key.
 *
 * Windows are fixed instants inside the demo data (the week before SEED_END) so each server's
 * answer is the same on every run and can be compared with the floor's.
 */
import { SEED_END } from '../../dev/stack/demo.js';

export type ScenarioName = 'Q1' | 'Q2' | 'Q3' | 'Q4' | 'Q5' | 'Q6';

export interface Scenario {
  name: ScenarioName;
  title: string;
  query: string;
  /** Fresh variables for one request. */
  variables(random: () => number): Record<string, unknown>;
  /** Repos the scenario reads; a server covering only `main` (PostGraphile) runs main-only scenarios. */
  repos: readonly ('main' | 'telemetry' | 'legacy')[];
}

const iso = (ms: number) => new Date(ms).toISOString();
const END = SEED_END.getTime();
const DAY = 86_400_000;
export const lastWeek = { from: iso(END - 7 * DAY), to: iso(END) };
export const lastHour = { from: iso(END - 3_600_000), to: iso(END) };

/** acme's companies with a legacy customer (every id but multiples of 4), its users and devices. */
export const ids = {
  companiesWithLegacy: Array.from({ length: 20 }, (_, i) => i + 1).filter((id) => id % 4 !== 0),
  users: Array.from({ length: 400 }, (_, i) => i + 1),
  // acme's devices are the even ids 2..1000 in the demo seed; see deviceIds() for the check.
  devices: [] as string[],
};

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

export const scenarios: readonly Scenario[] = [
  {
    name: 'Q1',
    title: 'a company, 50 of its users with their last position, its OPEN invoices with lines',
    repos: ['main', 'telemetry', 'legacy'],
    query: `query Q1($id: ID!) {
  company(id: $id) {
    id name
    users(first: 50) { edges { node { id name lastPosition { recordedAt latitude longitude } } } }
    invoices(status: OPEN) { number totalCents dueOn lines { lineNo description quantity unitPriceCents } }
  }
}`,
    variables: (random) => ({ id: String(pick(random, ids.companiesWithLegacy)) }),
  },
  {
    name: 'Q2',
    title: "one device's 1-hour track",
    repos: ['telemetry'],
    query: `query Q2($id: ID!, $from: DateTime!, $to: DateTime!) {
  device(id: $id) { id track(from: $from, to: $to) { recordedAt latitude longitude speedKmh heading } }
}`,
    variables: (random) => ({ id: pick(random, ids.devices), ...lastHour }),
  },
  {
    name: 'Q3',
    title: "a company dashboard: users' tracked seconds this week, their devices' last positions, open balance",
    repos: ['main', 'telemetry', 'legacy'],
    query: `query Q3($id: ID!, $from: DateTime!, $to: DateTime!) {
  company(id: $id) {
    id name openBalanceCents
    users(first: 50) { edges { node { id name trackedSeconds(from: $from, to: $to)
      devices { id lastPosition { recordedAt latitude longitude } } } } }
  }
}`,
    variables: (random) => ({ id: String(pick(random, ids.companiesWithLegacy)), ...lastWeek }),
  },
  {
    name: 'Q4',
    title: 'main only: 20 companies → users → their time entries of the last 7 days',
    repos: ['main'],
    query: `query Q4($from: DateTime!, $to: DateTime!) {
  companies(first: 20) { edges { node { id name
    users(first: 50) { edges { node { id name timeEntries(from: $from, to: $to) { id startedAt endedAt } } } } } } }
}`,
    variables: () => ({ ...lastWeek }),
  },
  {
    name: 'Q5',
    title: 'a user by id with its company (fixed overhead)',
    repos: ['main'],
    query: `query Q5($id: ID!) { user(id: $id) { id name company { id name } } }`,
    variables: (random) => ({ id: String(pick(random, ids.users)) }),
  },
  {
    name: 'Q6',
    title: 'the last position of 500 devices',
    repos: ['telemetry'],
    query: `query Q6 { devices(first: 500) { edges { node { id lastPosition { recordedAt latitude longitude } } } } }`,
    variables: () => ({}),
  },
];
