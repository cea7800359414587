-- btree_gist lets one GiST index hold a user id beside a time range (0006). A trusted extension:
-- the database's owner creates it without superuser rights.
CREATE EXTENSION IF NOT EXISTS btree_gist;
