-- Test schema: every column type poolpair must carry exactly, names that need quoting, and a parent/child pair.
CREATE TABLE IF NOT EXISTS type_matrix (
  id             INTEGER      NOT NULL,
  code           VARCHAR(20)  NOT NULL,
  c_smallint     SMALLINT,
  c_integer      INTEGER,
  c_bigint       BIGINT,
  c_numeric      NUMERIC(18, 4),
  c_real         REAL,
  c_double       DOUBLE PRECISION,
  c_boolean      BOOLEAN,
  c_varchar      VARCHAR(200),
  c_text         VARCHAR(100000),
  c_char         CHAR(5),
  c_date         DATE,
  c_time         TIME(6),
  c_timestamp    TIMESTAMP(6),
  c_timestamptz  TIMESTAMP(6) WITH TIME ZONE,
  c_uuid         UUID,
  c_bytes        VARBINARY(1000),
  c_json         JSON,
  PRIMARY KEY (id, code)
);
CREATE TABLE IF NOT EXISTS "Order" (
  "Order Id"   BIGINT NOT NULL PRIMARY KEY,
  "Group"      VARCHAR(50),
  "mixedCase"  INTEGER
);
CREATE TABLE IF NOT EXISTS parent_item (
  id    INTEGER NOT NULL PRIMARY KEY,
  name  VARCHAR(50)
);
CREATE TABLE IF NOT EXISTS child_item (
  id         INTEGER NOT NULL PRIMARY KEY,
  parent_id  INTEGER NOT NULL REFERENCES parent_item (id),
  label      VARCHAR(50)
);
CREATE TABLE IF NOT EXISTS no_key_table (
  event  VARCHAR(50)
);
