-- Demo schema for the UserServices.PresenceFocus and CentralMgmt.CMSMaster modules (PostgreSQL).
CREATE TABLE IF NOT EXISTS user_contact (
  owner_uri     VARCHAR(200) NOT NULL,
  contact_uri   VARCHAR(200) NOT NULL,
  group_name    VARCHAR(100),
  display_name  VARCHAR(200),
  is_favorite   BOOLEAN DEFAULT FALSE NOT NULL,
  home_pool     VARCHAR(64)  NOT NULL,
  PRIMARY KEY (owner_uri, contact_uri)
);
CREATE TABLE IF NOT EXISTS conference_directory (
  conference_id  BIGINT       NOT NULL PRIMARY KEY,
  organizer_uri  VARCHAR(200) NOT NULL,
  title          VARCHAR(400),
  starts_at      TIMESTAMP,
  max_attendees  INTEGER,
  home_pool      VARCHAR(64)  NOT NULL
);
CREATE TABLE IF NOT EXISTS user_setting (
  user_uri       VARCHAR(200) NOT NULL,
  setting_name   VARCHAR(100) NOT NULL,
  setting_value  VARCHAR(4000),
  updated_at     TIMESTAMP,
  home_pool      VARCHAR(64)  NOT NULL,
  PRIMARY KEY (user_uri, setting_name)
);
CREATE TABLE IF NOT EXISTS cms_document (
  doc_id      VARCHAR(100)  NOT NULL PRIMARY KEY,
  version     INTEGER       NOT NULL,
  content     TEXT,
  checksum    BYTEA,
  price       NUMERIC(12, 3),
  updated_at  TIMESTAMP,
  home_pool   VARCHAR(64)   NOT NULL
);
-- ConfServices.DataConf: one row per uploaded file; the file itself lies at <content-dir>/<conference_id>/<file_name>
CREATE TABLE IF NOT EXISTS conference_content (
  conference_id  BIGINT        NOT NULL,
  file_name      VARCHAR(255)  NOT NULL,
  size_bytes     BIGINT        NOT NULL,
  sha256         VARCHAR(64)   NOT NULL,
  uploaded_at    TIMESTAMP,
  home_pool      VARCHAR(64)   NOT NULL,
  PRIMARY KEY (conference_id, file_name)
);
