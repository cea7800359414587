-- The tenant registry of the management database: which database serves each tenant.
CREATE TABLE tenants (
  slug text PRIMARY KEY CHECK (slug ~ '^[a-z][a-z0-9_]{0,40}$'),
  database text NOT NULL UNIQUE,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  -- Caps each client class's pool on this tenant's database; NULL: the class's own size.
  pool_size int CHECK (pool_size > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
