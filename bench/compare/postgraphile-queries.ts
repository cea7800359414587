/**
 * Q4 and Q5 as PostGraphile v5 operations (servers/postgraphile.ts), with the same variables as
 * scenarios.ts, and how PostGraphile's `data` becomes the gateway's, so the runner can check
 * PostGraphile answers the same question before timing it.
 *
 * PostGraphile's names differ from the gateway's: `id` is its global Node id, the primary key is
 * `rowId` (BigInt, serialised as a string like the gateway's ID); the date-time scalar is
 * `Datetime`, answered as "2026-10-31T07:15:41.986000+00:00", so timestamps are re-read into
 * the gateway's ISO form; a backward relation is a connection (`timeEntries { nodes }`), not a list.
 */
const iso = (value: string | null) => (value === null ? null : new Date(value).toISOString());

type Converted = { query: string; toGatewayShape(data: any): any };

export const postgraphileQueries: Record<'Q4' | 'Q5', Converted> = {
  Q4: {
    // The gateway's window, spelled with connection-filter: started_at <= to AND
    // coalesce(ended_at, 'infinity') >= from. Orders are explicit so both sides agree.
    query: `query Q4($from: Datetime!, $to: Datetime!) {
  companies(first: 20, orderBy: ROW_ID_ASC) { edges { node { rowId name
    users(first: 50, orderBy: ROW_ID_ASC) { edges { node { rowId name
      timeEntries(
        filter: { startedAt: { lessThanOrEqualTo: $to }, or: [{ endedAt: { isNull: true } }, { endedAt: { greaterThanOrEqualTo: $from } }] }
        orderBy: [STARTED_AT_ASC, ROW_ID_ASC]
      ) { nodes { rowId startedAt endedAt } } } } } } } }
}`,
    toGatewayShape: (data) => ({
      companies: {
        edges: data.companies.edges.map(({ node: company }: any) => ({
          node: {
            id: company.rowId,
            name: company.name,
            users: {
              edges: company.users.edges.map(({ node: user }: any) => ({
                node: {
                  id: user.rowId,
                  name: user.name,
                  timeEntries: user.timeEntries.nodes.map((entry: any) => ({
                    id: entry.rowId,
                    startedAt: iso(entry.startedAt),
                    endedAt: iso(entry.endedAt),
                  })),
                },
              })),
            },
          },
        })),
      },
    }),
  },
  Q5: {
    query: `query Q5($id: BigInt!) { user(rowId: $id) { rowId name company { rowId name } } }`,
    toGatewayShape: ({ user }) => ({
      user: user && {
        id: user.rowId,
        name: user.name,
        company: user.company && { id: user.company.rowId, name: user.company.name },
      },
    }),
  },
};
