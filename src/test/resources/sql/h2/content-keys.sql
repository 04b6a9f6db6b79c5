-- A content table whose key holds a value that the database prints otherwise than a batch carries it (ContentKeyTest).
CREATE TABLE IF NOT EXISTS flagged_content (
  conference_id  BIGINT       NOT NULL,
  shared         BOOLEAN      NOT NULL,
  label          VARCHAR(100),
  PRIMARY KEY (conference_id, shared)
);
