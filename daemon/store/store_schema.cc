#include "store_schema.h"

#include "store_error.h"

#include <string>

namespace faceauth {

namespace {

// Migration 1: the initial schema.
constexpr const char* kMigration1 = R"SQL(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value BLOB NOT NULL
) STRICT;

CREATE TABLE users (
  user                TEXT PRIMARY KEY,
  excluded            INTEGER NOT NULL DEFAULT 0 CHECK (excluded IN (0, 1)),
  excluded_reason     TEXT NOT NULL DEFAULT '',
  face_refused        INTEGER NOT NULL DEFAULT 0 CHECK (face_refused IN (0, 1)),
  face_refused_reason TEXT NOT NULL DEFAULT '',
  failures            INTEGER NOT NULL DEFAULT 0,
  locked_until        INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE templates (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  user       TEXT NOT NULL,
  label      TEXT NOT NULL,
  created    INTEGER NOT NULL,
  expires    INTEGER NOT NULL,
  format     INTEGER NOT NULL,
  dims       INTEGER NOT NULL,
  nonce      BLOB NOT NULL,
  ciphertext BLOB NOT NULL
) STRICT;
CREATE INDEX templates_by_user ON templates(user);
CREATE INDEX templates_by_expiry ON templates(expires);

CREATE TABLE consent (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  user              TEXT NOT NULL,
  notice_id         TEXT NOT NULL,
  notice_sha256     BLOB NOT NULL CHECK (length(notice_sha256) = 32),
  given_at          INTEGER NOT NULL,
  method            TEXT NOT NULL,
  withdrawn_at      INTEGER,
  withdrawal_method TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX consent_by_user ON consent(user);

CREATE TABLE audit (
  seq         INTEGER PRIMARY KEY,
  time        INTEGER NOT NULL,
  event       TEXT NOT NULL,
  user        TEXT NOT NULL,
  actor       TEXT NOT NULL,
  template_id INTEGER,
  detail      TEXT NOT NULL,
  prev_hash   BLOB NOT NULL,
  hash        BLOB NOT NULL
) STRICT;
CREATE INDEX audit_by_user ON audit(user);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TABLE incidents (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  user            TEXT NOT NULL,
  time            INTEGER NOT NULL,
  kind            TEXT NOT NULL,
  detail          TEXT NOT NULL,
  acknowledged_at INTEGER
) STRICT;
CREATE INDEX incidents_by_user ON incidents(user);
)SQL";

// Migration 2: every template records the embedder that made it. Rows
// written before (format 1) were all made by dlib's ResNet.
constexpr const char* kMigration2 = R"SQL(
ALTER TABLE templates ADD COLUMN embedder TEXT NOT NULL DEFAULT 'dlib-resnet';
)SQL";

// Migration 3: every row belongs to an account (name and uid), so a new
// account that reuses a deleted account's name sees none of it. users is
// rebuilt to key on (user, uid) and to record since_seq: the first audit
// entry that belongs to this account. The uid is -1 until the store binds
// the rows to the uid the name resolves to (Store::bind_accounts, with the
// key at hand, since templates are sealed again with the uid in their
// associated data); rows of a name that does not resolve keep -1 and are
// never used.
constexpr const char* kMigration3 = R"SQL(
CREATE TABLE users_v3 (
  user                TEXT NOT NULL,
  uid                 INTEGER NOT NULL DEFAULT -1 CHECK (uid >= -1),
  since_seq           INTEGER NOT NULL DEFAULT 0,
  excluded            INTEGER NOT NULL DEFAULT 0 CHECK (excluded IN (0, 1)),
  excluded_reason     TEXT NOT NULL DEFAULT '',
  face_refused        INTEGER NOT NULL DEFAULT 0 CHECK (face_refused IN (0, 1)),
  face_refused_reason TEXT NOT NULL DEFAULT '',
  failures            INTEGER NOT NULL DEFAULT 0,
  locked_until        INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (user, uid)
) STRICT;
INSERT INTO users_v3(user, excluded, excluded_reason, face_refused, face_refused_reason, failures,
                     locked_until)
  SELECT user, excluded, excluded_reason, face_refused, face_refused_reason, failures, locked_until
  FROM users;
DROP TABLE users;
ALTER TABLE users_v3 RENAME TO users;
ALTER TABLE templates ADD COLUMN uid INTEGER NOT NULL DEFAULT -1 CHECK (uid >= -1);
ALTER TABLE consent ADD COLUMN uid INTEGER NOT NULL DEFAULT -1 CHECK (uid >= -1);
ALTER TABLE incidents ADD COLUMN uid INTEGER NOT NULL DEFAULT -1 CHECK (uid >= -1);
INSERT INTO meta(key, value) VALUES('accounts_unbound', x'01');
)SQL";

constexpr const char* kMigrations[] = {kMigration1, kMigration2, kMigration3};
static_assert(sizeof kMigrations / sizeof kMigrations[0] == kSchemaVersion);

}  // namespace

void migrate_schema(Db& db) {
  const std::int64_t version = db.query_int("PRAGMA user_version");
  if (version > kSchemaVersion) {
    throw StoreError(StoreError::Kind::SchemaTooNew,
                     "the template store " + db.path() + " has schema version " + std::to_string(version) +
                         ", written by a newer faceauth (this one knows "
                         "up to version " +
                         std::to_string(kSchemaVersion) +
                         "). Install that newer faceauth again, or restore a backup made with "
                         "this version");
  }
  if (version < 0) {
    throw StoreError(StoreError::Kind::Corrupted,
                     "the template store " + db.path() + " has a negative schema version");
  }
  if (version == 0 && db.query_int("SELECT count(*) FROM sqlite_schema") != 0) {
    throw StoreError(StoreError::Kind::Corrupted,
                     "the file " + db.path() +
                         " is an SQLite database but not a faceauth "
                         "template store (it has tables but no schema version); move it away");
  }
  for (std::int64_t v = version; v < kSchemaVersion; ++v) {
    Transaction tx(db);
    db.exec(kMigrations[v]);
    db.exec("PRAGMA user_version = " + std::to_string(v + 1));
    tx.commit();
  }
}

}  // namespace faceauth
