/**
 * Facts about a request that one subgraph knows and another needs, declared on both sides
 * (`provides` / `requires`) and handed over by the gateway. A subgraph never reads another's
 * repo: the one that knows a fact computes it with its own repo, once per request, and only
 * when a subgraph that requires it asks.
 */
export interface RequestFacts {
  /**
   * The billing customer codes of the tenant's companies (`companies.legacy_customer_code`).
   * A shared billing system that knows no tenants scopes its customers by these.
   */
  customerCodes: ReadonlySet<string>;
}

export type FactName = keyof RequestFacts;
