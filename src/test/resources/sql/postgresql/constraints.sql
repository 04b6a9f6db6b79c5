-- Tables with constraints beyond the primary key, and a binary key (ApplyOrderTest, BinaryKeyTest).
CREATE TABLE IF NOT EXISTS account (
  id     INTEGER      NOT NULL PRIMARY KEY,
  email  VARCHAR(200) NOT NULL UNIQUE,
  name   VARCHAR(100)
);
CREATE TABLE IF NOT EXISTS account_alias (
  alias       VARCHAR(200) NOT NULL PRIMARY KEY,
  account_id  INTEGER      NOT NULL REFERENCES account (id)
);
CREATE TABLE IF NOT EXISTS blob_keyed (
  k      BYTEA        NOT NULL PRIMARY KEY,
  label  VARCHAR(100)
);
