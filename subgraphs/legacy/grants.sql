-- Privileges of the client classes' accounts on the legacy database (applied after migrations).
-- :database is the legacy schema's quoted name; :interactive, :api, :admin the accounts.
GRANT SELECT ON :database.* TO :interactive;
-- api (services): customers and invoice headers, no invoice lines.
GRANT SELECT ON :database.CUST_MASTER TO :api;
GRANT SELECT ON :database.INV_HDR TO :api;
-- admin may mark invoices paid.
GRANT SELECT, INSERT, UPDATE ON :database.* TO :admin;
