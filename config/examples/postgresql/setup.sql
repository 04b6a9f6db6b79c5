-- A PostgreSQL pair on one server, for trying poolpair (in production each pool has its own server):
-- the role poolpair connects as, and one database per pool, owned by that role. Run once as a superuser:
--   sudo -u postgres psql -v ON_ERROR_STOP=1 -f config/examples/postgresql/setup.sql
-- Change the password (and keep it in the pools' files, mode 0600, or in POOLPAIR_DATASOURCE_PASSWORD).
CREATE ROLE poolpair LOGIN PASSWORD 'change-me';
CREATE DATABASE poola OWNER poolpair;
CREATE DATABASE poolb OWNER poolpair;
