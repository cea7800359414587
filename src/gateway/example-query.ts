/** The query GraphiQL opens with: one request touching all three repos. */
export const exampleQuery = /* GraphQL */ `# One query, three databases: companies and users from main (PostgreSQL),
# devices and positions from telemetry (PostgreSQL), invoices from legacy (MariaDB).
# Send the header {"x-repogate-debug": "1"} to see extensions.repos: round trips per repo.
query CompanyOverview {
  companies(first: 2) {
    edges {
      node {
        name
        legacyCustomerCode
        openBalanceCents
        invoices(status: OPEN) {
          number
          dueOn
          totalCents
          lines { lineNo description quantity unitPriceCents }
        }
        users(first: 3) {
          edges {
            node {
              name
              devices { serial }
              lastPosition { recordedAt latitude longitude speedKmh }
            }
          }
        }
      }
    }
  }
}
`;
