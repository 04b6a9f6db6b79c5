-- What poolpair's database role needs, in a database whose tables another role owns (run as that owner or a
-- superuser, in each pool's database; replace app_owner and the table names with yours).
--
-- At the first start (and whenever a table is added to a module) poolpair creates its own tables (pp_*), one
-- capture function and trigger per replicated table, and reads the catalog. PostgreSQL lets only a table's owner
-- create a trigger on it, so either run poolpair as the owner of the replicated tables (simplest: the setup.sql
-- of this folder), or grant the owner role to poolpair for the first start:
--   GRANT app_owner TO poolpair;          -- first start only; REVOKE it afterwards
GRANT CONNECT, TEMPORARY ON DATABASE poola TO poolpair;
GRANT USAGE, CREATE ON SCHEMA public TO poolpair;
-- then, on every replicated table: read it to export, write it to apply the peer's batches
GRANT SELECT, INSERT, UPDATE, DELETE ON user_contact, conference_directory, user_setting, cms_document, conference_content TO poolpair;
--
-- Least privilege once poolpair's tables, functions and triggers exist: it keeps them (it creates nothing more
-- until a table is added), so CREATE on the schema can go:
--   REVOKE CREATE ON SCHEMA public FROM poolpair;
-- The application's own roles need nothing on pp_* except what the capture trigger does in their transaction (the
-- trigger functions run with the writer's rights, not SECURITY DEFINER): one insert into pp_change:
--   GRANT INSERT ON pp_change TO app_writer;  GRANT USAGE ON SEQUENCE pp_change_id_seq TO app_writer;
