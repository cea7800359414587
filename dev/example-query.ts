/** The query GraphiQL opens with: one request touching all three repos. */
export const exampleQuery = /* GraphQL */ `# One query, three databases: companies and users from main (PostgreSQL),
# devices and positions from telemetry (PostgreSQL), invoices from legacy (MariaDB).
# In dev mode GraphiQL sends x-repogate-debug: 1, so extensions.repos shows the
# round trips each database cost: one per repo per nesting level.
query CompanyOverview {
  companies(first: 2) {
    edges {
      node {
        name
        users(first: 2) {
          edges {
            node {
              name
              devices { serial }
              lastPosition { recordedAt latitude longitude speedKmh }
            }
          }
        }
        legacyCustomerName
        openBalanceCents
        invoices(status: OPEN) {
          number
          dueOn
          totalCents
          lines { lineNo description quantity unitPriceCents }
        }
      }
    }
  }
}
`;
