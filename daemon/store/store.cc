// Store: opening, keys, templates, retention, export and health.
// Consent, exclusion, lockout, incidents and audit are in store_people.cc.
#include "store.h"

#include "audit_log.h"
#include "store_files.h"
#include "store_schema.h"
#include "template_crypto.h"

#include <sodium.h>

#include <cmath>

namespace faceauth {

namespace {
using K = StoreError::Kind;

std::int64_t secs(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint at(std::int64_t s) { return TimePoint(std::chrono::seconds(s)); }

void check_user(const std::string& user) {
  if (user.empty() || user.size() > 256 || user.find('\0') != std::string::npos) {
    throw StoreError(K::InvalidArgument, "invalid user name \"" + user + "\"");
  }
}

TemplateInfo info_from(Stmt& st) {
  // columns: id, user, label, created, expires, dims, embedder
  TemplateInfo t;
  t.id = st.int64(0);
  t.user = st.text(1);
  t.label = st.text(2);
  t.created = at(st.int64(3));
  t.expires = at(st.int64(4));
  t.dims = static_cast<std::uint32_t>(st.int64(5));
  t.embedder = st.text(6);
  return t;
}
}  // namespace

TimePoint system_now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

const char* to_string(VerifyOutcome o) noexcept {
  switch (o) {
    case VerifyOutcome::Match: return "match";
    case VerifyOutcome::NoMatch: return "no-match";
    case VerifyOutcome::SpoofSuspected: return "spoof-suspected";
    case VerifyOutcome::Error: return "error";
  }
  return "unknown";
}

Store::Store(StoreOptions options) : opts_(std::move(options)) {
  if (sodium_init() < 0) throw StoreError(K::Io, "libsodium failed to initialise");
  if (opts_.state_dir.empty()) {
    throw StoreError(K::InvalidArgument, "the store needs a state directory");
  }
  if (opts_.key.state_dir.empty()) opts_.key.state_dir = opts_.state_dir;
  if (!opts_.clock) opts_.clock = system_now;
  if (opts_.lockout.max_failures < 1) opts_.lockout.max_failures = 1;

  ensure_private_dir(opts_.state_dir);
  if (opts_.key.state_dir != opts_.state_dir) ensure_private_dir(opts_.key.state_dir);
  db_path_ = opts_.state_dir + "/" + opts_.db_file_name;
  ensure_private_file(db_path_, true);
  ensure_private_file(db_path_ + "-wal", false);
  ensure_private_file(db_path_ + "-shm", false);

  db_ = std::make_unique<Db>(db_path_);
  // Do not trust SQL found in the schema (views/triggers calling functions).
  db_->exec("PRAGMA trusted_schema = OFF");
  if (db_->query_text("PRAGMA journal_mode = WAL") != "wal") {
    throw StoreError(K::Io, "the template store " + db_path_ +
                                " cannot use write-ahead logging (is the file system read-only?)");
  }
  db_->exec("PRAGMA synchronous = FULL");
  db_->exec("PRAGMA secure_delete = ON");
  if (db_->query_int("PRAGMA secure_delete") != 1) {
    throw StoreError(K::Io, "SQLite refused secure_delete; deleted templates would linger");
  }
  db_->exec("PRAGMA foreign_keys = ON");
  db_->exec("PRAGMA cell_size_check = ON");
  migrate_schema(*db_);
  open_key();
  bind_accounts();
}

Store::~Store() = default;

void Store::open_key() {
  Stmt q(*db_, "SELECT value FROM meta WHERE key = 'key_check'");
  std::optional<std::vector<unsigned char>> check;
  if (q.step()) check = q.blob(0);
  const std::int64_t templates = db_->query_int("SELECT count(*) FROM templates");

  std::optional<StoreKey> key = load_key(opts_.key);
  if (!key) {
    const std::string where = key_file_path(opts_.key);
    if (templates > 0) {
      auto cred = credential_path(opts_.key);
      throw StoreError(K::KeyMissing,
                       "the store key is missing (looked for " + (cred ? *cred + " and " : std::string()) +
                           where + ") but the database " + db_path_ + " holds " + std::to_string(templates) +
                           " template(s) encrypted under it. A new key would strand them, so none is made. "
                           "Restore the key file from a backup (mode 0400, owned by the service user); if it "
                           "is lost for good, move " +
                           db_path_ + " away and enroll again");
    }
    if (!opts_.create_key_if_missing) {
      throw StoreError(K::KeyMissing, "no store key at " + where +
                                          " and creating one is disabled; provide the key file "
                                          "or the systemd credential " +
                                          opts_.key.credential_name);
    }
    key = create_key_file(opts_.key);
    key_created_ = true;
    check.reset();  // no template depends on an older key: record the new one
  }
  if (check) {
    if (!key_check_matches(*key, *check)) {
      throw StoreError(K::WrongKey,
                       "the store key " + key->source() + " does not match the database " + db_path_ +
                           " (the database was created with a different key). Put the original key back; if "
                           "it is lost, the enrollments cannot be decrypted: move " +
                           db_path_ + " away and enroll again");
    }
  } else {
    // A key that already existed next to a store without its key check means
    // the store was lost (emptied, truncated to 0 bytes, deleted) while its
    // key stayed: not a new install. Recorded as an incident and audited.
    const bool lost = !key_created_;
    auto kc = make_key_check(*key);
    Transaction tx(*db_);
    Stmt st(*db_,
            "INSERT INTO meta(key, value) VALUES('key_check', ?1) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    st.bind(1, std::span<const unsigned char>(kc)).run();
    if (lost) {
      const TimePoint now = opts_.clock();
      const std::string detail = "the template store " + db_path_ +
                                 " was found empty next to its existing key " + key->source() +
                                 ": earlier enrollments, consents and records are gone";
      Stmt inc(*db_, "INSERT INTO incidents(user, time, kind, detail) VALUES('', ?1, 'store-lost', ?2)");
      inc.bind(1, secs(now)).bind(2, detail).run();
      append_audit(*db_, {now, AuditEvent::TamperDetected, "", "faceauthd", std::nullopt, detail});
      lost_ = true;
    }
    tx.commit();
  }
  key_ = std::move(key);
}

void Store::checkpoint() {
  // Deleted rows are zeroed in the database file (secure_delete), but their
  // old pages can still sit in the WAL: copy back and truncate it now.
  try {
    db_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } catch (const StoreError&) {
    // A busy checkpoint is retried by the next deletion; the data is committed.
  }
}

std::int64_t Store::add_template(const std::string& user, const std::string& label,
                                 std::span<const float> embedding, std::string_view actor,
                                 std::string_view embedder) {
  check_user(user);
  if (embedder.empty() || embedder.size() > 32 ||
      embedder.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string_view::npos) {
    throw StoreError(K::InvalidArgument, "an embedder name is 1 to 32 of a-z, 0-9 and '-'");
  }
  if (label.size() > 200 || label.find('\0') != std::string::npos) {
    throw StoreError(K::InvalidArgument, "a template label must be at most 200 bytes of text");
  }
  if (embedding.empty() || embedding.size() > kMaxDims) {
    throw StoreError(K::InvalidArgument, "an embedding must have 1 to " + std::to_string(kMaxDims) +
                                             " values, got " + std::to_string(embedding.size()));
  }
  for (float f : embedding) {
    if (!std::isfinite(f)) throw StoreError(K::InvalidArgument, "the embedding has a non-finite value");
  }
  const TimePoint now = opts_.clock();
  const std::int64_t uid = account_uid(user);

  Transaction tx(*db_);
  ensure_user(user);
  auto row = user_row(user);
  if (row.excluded) {
    throw StoreError(K::Excluded, "the account " + user + " is excluded from face verification" +
                                      (row.excluded_reason.empty() ? "" : " (" + row.excluded_reason + ")") +
                                      "; enrollment is not possible. The password keeps working");
  }
  if (row.face_refused) {
    throw StoreError(K::FaceAuthRefused,
                     "face authentication is suspended for " + user +
                         " after stored data was tampered with; an administrator must review "
                         "the incident and run `faceauthctl restore --user " +
                         user + "` first");
  }
  if (!active_consent(user)) {
    throw StoreError(K::ConsentRequired,
                     "no active consent from " + user +
                         " to face verification; the privacy notice must be shown and accepted "
                         "before enrollment");
  }
  // The id is part of the associated data, so it is fixed before encrypting:
  // the next AUTOINCREMENT value, computed under this write transaction.
  const std::int64_t id = db_->query_int(
      "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = "
      "'templates'), 0), coalesce((SELECT max(id) FROM templates), 0)) + 1");
  TemplateBinding b;
  b.id = id;
  b.user = user;
  b.label = label;
  b.created = secs(now);
  b.expires = secs(now + opts_.retention);
  b.dims = static_cast<std::uint32_t>(embedding.size());
  b.embedder = std::string(embedder);
  b.uid = uid;
  SealedTemplate sealed = seal_template(*key_, b, embedding);

  Stmt ins(*db_,
           "INSERT INTO templates(id, user, label, created, expires, format, dims, nonce, "
           "ciphertext, embedder, uid) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  ins.bind(1, id).bind(2, user).bind(3, label).bind(4, b.created).bind(5, b.expires);
  ins.bind(6, std::int64_t{b.format}).bind(7, std::int64_t{b.dims});
  ins.bind(8, std::span<const unsigned char>(sealed.nonce));
  ins.bind(9, std::span<const unsigned char>(sealed.ciphertext));
  ins.bind(10, b.embedder).bind(11, uid);
  ins.run();
  append_audit(*db_, {now, AuditEvent::Enrolled, user, std::string(actor), id,
                      "label \"" + label + "\", embedder " + b.embedder + ", expires " +
                          std::to_string(b.expires)});
  tx.commit();
  return id;
}

std::int64_t Store::add_template_with_consent(const std::string& user, const std::string& notice_id,
                                              std::string_view notice_text, const std::string& method,
                                              const std::string& label, std::span<const float> embedding,
                                              std::string_view actor, std::string_view embedder) {
  Transaction tx(*db_);
  record_consent(user, notice_id, notice_text, method);
  const std::int64_t id = add_template(user, label, embedding, actor, embedder);
  tx.commit();
  return id;
}

std::vector<TemplateInfo> Store::list_templates(const std::string& user) {
  Stmt st(*db_,
          "SELECT id, user, label, created, expires, dims, embedder FROM templates WHERE user = ?1 "
          "AND uid = ?2 ORDER BY id");
  st.bind(1, user).bind(2, uid_now(user));
  std::vector<TemplateInfo> out;
  while (st.step()) out.push_back(info_from(st));
  return out;
}

std::vector<DecryptedTemplate> Store::load_templates(const std::string& user) {
  if (face_auth_refused(user)) {
    throw StoreError(K::FaceAuthRefused,
                     "face authentication is suspended for " + user +
                         " because stored data was tampered with; use the password. An "
                         "administrator must review the incident and run `faceauthctl restore --user " +
                         user + "`");
  }
  const TimePoint now = opts_.clock();
  const std::int64_t uid = uid_now(user);
  std::vector<DecryptedTemplate> out;
  std::vector<std::string> problems;
  std::vector<std::int64_t> bad_ids;
  {
    Stmt st(*db_,
            "SELECT id, user, label, created, expires, dims, embedder, format, nonce, ciphertext "
            "FROM templates WHERE user = ?1 AND uid = ?2 ORDER BY id");
    st.bind(1, user).bind(2, uid);
    while (st.step()) {
      TemplateInfo info = info_from(st);
      const std::int64_t format = st.int64(7);
      if (format == kLegacyTemplateFormat || format == kUnboundTemplateFormat) {
        // Rows from before schema 3 were sealed again with their uid when the
        // store was upgraded; one still in an old format failed to open then.
        problems.push_back("template " + std::to_string(info.id) + " (format " + std::to_string(format) +
                           ") could not be bound to its account when the store was upgraded: it failed "
                           "authentication, or a format 1 row claimed another embedder than " +
                           kLegacyEmbedder);
        bad_ids.push_back(info.id);
        continue;
      }
      if (format != kTemplateFormat) {
        problems.push_back("template " + std::to_string(info.id) + " has format version " +
                           std::to_string(format) +
                           ", which faceauth does not know (there is no plaintext format)");
        bad_ids.push_back(info.id);
        continue;
      }
      const std::int64_t dims = st.int64(5);
      if (dims < 1 || dims > kMaxDims) {
        problems.push_back("template " + std::to_string(info.id) + " claims " + std::to_string(dims) +
                           " values");
        bad_ids.push_back(info.id);
        continue;
      }
      TemplateBinding b;
      b.id = info.id;
      b.user = info.user;
      b.label = info.label;
      b.created = secs(info.created);
      b.expires = secs(info.expires);
      b.format = static_cast<std::uint32_t>(format);
      b.dims = static_cast<std::uint32_t>(dims);
      b.embedder = info.embedder;
      b.uid = uid;
      SecureEmbedding emb;
      if (!open_template(*key_, b, st.blob_view(8), st.blob_view(9), emb)) {
        problems.push_back("template " + std::to_string(info.id) +
                           " failed authentication (its ciphertext or a bound column was "
                           "changed, or it was copied from another user, account or id)");
        bad_ids.push_back(info.id);
        continue;
      }
      if (info.expired(now)) continue;  // awaiting purge; never used
      out.push_back(DecryptedTemplate{std::move(info), std::move(emb)});
    }
  }
  if (!problems.empty()) {
    out.clear();  // wipes what was decrypted
    record_tamper(user, problems, bad_ids);
    std::string msg = "stored face data of " + user + " was tampered with: " + problems.front();
    if (problems.size() > 1) msg += " (and " + std::to_string(problems.size() - 1) + " more)";
    msg +=
        ". Face authentication is suspended for this user; the password still works. "
        "After investigating, run `faceauthctl restore --user " +
        user + "` (it erases the user's templates; the person enrolls again)";
    throw StoreError(K::Tampered, msg);
  }
  return out;
}

std::int64_t Store::count_templates_not_made_by(std::string_view embedder) {
  Stmt st(*db_, "SELECT count(*) FROM templates WHERE embedder <> ?1");
  st.bind(1, embedder);
  return st.step() ? st.int64(0) : 0;
}

bool Store::is_enrolled(const std::string& user) {
  auto row = user_row(user);
  if (row.excluded || row.face_refused) return false;
  Stmt st(*db_, "SELECT count(*) FROM templates WHERE user = ?1 AND uid = ?3 AND expires > ?2");
  st.bind(1, user).bind(2, secs(opts_.clock())).bind(3, uid_now(user));
  st.step();
  return st.int64(0) > 0;
}

std::size_t Store::enrolled_user_count() {
  // Former accounts' templates are not counted: nobody can use them.
  Stmt st(*db_, "SELECT DISTINCT user, uid FROM templates WHERE expires > ?1");
  st.bind(1, secs(opts_.clock()));
  std::vector<std::pair<std::string, std::int64_t>> rows;
  std::vector<std::string> names;
  while (st.step()) {
    rows.emplace_back(st.text(0), st.int64(1));
    names.push_back(rows.back().first);
  }
  const auto now = uids_now(names);
  std::size_t n = 0;
  for (const auto& [user, uid] : rows)
    if (uid >= 0 && now.at(user) == uid) ++n;
  return n;
}

void Store::remove_template(const std::string& user, std::int64_t id, std::string_view actor) {
  const TimePoint now = opts_.clock();
  Transaction tx(*db_);
  Stmt del(*db_, "DELETE FROM templates WHERE id = ?1 AND user = ?2 AND uid = ?3");
  del.bind(1, id).bind(2, user).bind(3, uid_now(user)).run();
  if (db_->changes() == 0) {
    throw StoreError(K::NotFound,
                     "user " + user + " has no template " + std::to_string(id) + " (see `faceauthctl list`)");
  }
  append_audit(*db_, {now, AuditEvent::Removed, user, std::string(actor), id, "removed on request"});
  tx.commit();
  checkpoint();
}

std::size_t Store::delete_templates_audited(const std::string& user, AuditEvent event, std::string_view actor,
                                            const std::string& detail) {
  return delete_templates_of(user, uid_now(user), false, event, actor, user, detail);
}

std::size_t Store::delete_templates_of(const std::string& user, std::int64_t uid, bool other_uids,
                                       AuditEvent event, std::string_view actor,
                                       const std::string& audit_user, const std::string& detail) {
  const TimePoint now = opts_.clock();
  const std::string where = std::string(" WHERE user = ?1 AND uid ") + (other_uids ? "!=" : "=") + " ?2";
  std::vector<std::int64_t> ids;
  {
    Stmt st(*db_, "SELECT id FROM templates" + where + " ORDER BY id");
    st.bind(1, user).bind(2, uid);
    while (st.step()) ids.push_back(st.int64(0));
  }
  Stmt del(*db_, "DELETE FROM templates" + where);
  del.bind(1, user).bind(2, uid).run();
  for (auto id : ids) append_audit(*db_, {now, event, audit_user, std::string(actor), id, detail});
  return ids.size();
}

std::size_t Store::remove_all_templates(const std::string& user, std::string_view actor) {
  Transaction tx(*db_);
  std::size_t n = delete_templates_audited(user, AuditEvent::Removed, actor, "removed on request");
  tx.commit();
  if (n) checkpoint();
  return n;
}

std::size_t Store::purge_expired(std::string_view actor) {
  const TimePoint now = opts_.clock();
  Transaction tx(*db_);
  struct Expired {
    std::int64_t id, uid;
    std::string user;
  };
  std::vector<Expired> expired;
  {
    Stmt st(*db_, "SELECT id, user, uid FROM templates WHERE expires <= ?1 ORDER BY id");
    st.bind(1, secs(now));
    while (st.step()) expired.push_back({st.int64(0), st.int64(2), st.text(1)});
  }
  Stmt del(*db_, "DELETE FROM templates WHERE id = ?1");
  for (const auto& e : expired) {
    del.bind(1, e.id).run();
    del.reset();
    // A former account's purge goes to the store-wide log, not to the
    // history of the account that has the name now.
    if (e.uid >= 0 && uid_now(e.user) == e.uid)
      append_audit(*db_, {now, AuditEvent::ExpiryPurge, e.user, std::string(actor), e.id,
                          "retention period ended"});
    else
      append_audit(*db_, {now, AuditEvent::ExpiryPurge, "", std::string(actor), e.id,
                          "retention period ended (template of the former account " + e.user + ")"});
  }
  tx.commit();
  if (!expired.empty()) checkpoint();
  return expired.size();
}

UserExport Store::export_user(const std::string& user) {
  UserExport e;
  e.user = user;
  auto row = user_row(user);
  e.excluded = row.excluded;
  e.exclusion_reason = row.excluded_reason;
  e.face_auth_refused = row.face_refused;
  e.face_auth_refused_reason = row.face_refused_reason;
  e.lockout = lockout_state(user);
  e.templates = list_templates(user);
  e.consents = consent_history(user);
  e.audit = audit_entries(user);
  e.incidents = incidents(user);
  return e;
}

std::string Store::integrity_check() { return db_->query_text("PRAGMA integrity_check"); }

}  // namespace faceauth
