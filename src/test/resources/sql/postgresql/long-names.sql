-- Two tables whose names take PostgreSQL's 63 bytes and differ only at the end (PostgresStatementCaptureTest).
CREATE TABLE IF NOT EXISTS replicated_table_with_a_name_that_fills_postgresql_limit_of_one (
  id     INTEGER      NOT NULL PRIMARY KEY,
  label  VARCHAR(100)
);
CREATE TABLE IF NOT EXISTS replicated_table_with_a_name_that_fills_postgresql_limit_of_two (
  id     INTEGER      NOT NULL PRIMARY KEY,
  label  VARCHAR(100)
);
