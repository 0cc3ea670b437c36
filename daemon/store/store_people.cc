// Store: consent, exclusion, lockout, tampering/incidents and the audit API.
#include "store.h"

#include "audit_log.h"

#include <sodium.h>

#include <cstring>

namespace faceauth {

namespace {
using K = StoreError::Kind;

std::int64_t secs(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint at(std::int64_t s) { return TimePoint(std::chrono::seconds(s)); }

ConsentRecord consent_from(Stmt& st) {
  // id, user, notice_id, notice_sha256, given_at, method, withdrawn_at, withdrawal_method
  ConsentRecord c;
  c.id = st.int64(0);
  c.user = st.text(1);
  c.notice_id = st.text(2);
  auto h = st.blob_view(3);
  if (h.size() == c.notice_sha256.size()) std::memcpy(c.notice_sha256.data(), h.data(), h.size());
  c.given_at = at(st.int64(4));
  c.method = st.text(5);
  if (!st.is_null(6)) c.withdrawn_at = at(st.int64(6));
  c.withdrawal_method = st.text(7);
  return c;
}

constexpr const char* kConsentCols =
    "SELECT id, user, notice_id, notice_sha256, given_at, method, withdrawn_at, "
    "withdrawal_method FROM consent ";

LockoutState state_from(int failures, std::int64_t locked_until, TimePoint now) {
  LockoutState s;
  s.failures = failures;
  if (locked_until > 0) s.locked_until = at(locked_until);
  s.locked = locked_until > secs(now);
  return s;
}
}  // namespace

Store::UserRow Store::user_row(const std::string& user) {
  Stmt st(*db_,
          "SELECT excluded, excluded_reason, face_refused, face_refused_reason, failures, "
          "locked_until FROM users WHERE user = ?1 AND uid = ?2");
  st.bind(1, user).bind(2, uid_now(user));
  UserRow r;
  if (st.step()) {
    r.excluded = st.int64(0) != 0;
    r.excluded_reason = st.text(1);
    r.face_refused = st.int64(2) != 0;
    r.face_refused_reason = st.text(3);
    r.failures = static_cast<int>(st.int64(4));
    r.locked_until = st.int64(5);
  }
  return r;
}

void Store::ensure_user(const std::string& user) {
  // since_seq: the account's own history starts with the next audit entry;
  // entries before it under this name belong to a former account.
  Stmt st(
      *db_,
      "INSERT INTO users(user, uid, since_seq) VALUES(?1, ?2, (SELECT coalesce(max(seq), 0) + 1 FROM audit)) "
      "ON CONFLICT(user, uid) DO NOTHING");
  st.bind(1, user).bind(2, account_uid(user)).run();
}

// ---- consent ----

std::int64_t Store::record_consent(const std::string& user, const std::string& notice_id,
                                   std::string_view notice_text, const std::string& method) {
  if (user.empty() || notice_id.empty() || notice_text.empty() || method.empty()) {
    throw StoreError(K::InvalidArgument,
                     "consent needs a user, the notice id, the notice text shown and the method");
  }
  const TimePoint now = opts_.clock();
  Sha256 digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(notice_text.data()),
                     notice_text.size());
  Transaction tx(*db_);
  ensure_user(user);
  if (user_row(user).excluded) {
    throw StoreError(K::Excluded, "the account " + user +
                                      " is excluded from face verification; consent cannot be "
                                      "recorded. The password keeps working");
  }
  Stmt ins(*db_,
           "INSERT INTO consent(user, notice_id, notice_sha256, given_at, method, uid) "
           "VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
  ins.bind(1, user).bind(2, notice_id).bind(3, std::span<const unsigned char>(digest));
  ins.bind(4, secs(now)).bind(5, method).bind(6, account_uid(user)).run();
  const std::int64_t id = db_->last_insert_id();
  char hex[2 * 32 + 1];
  sodium_bin2hex(hex, sizeof hex, digest.data(), digest.size());
  append_audit(*db_, {now, AuditEvent::ConsentGiven, user, user, std::nullopt,
                      "notice " + notice_id + " sha256 " + hex + " via " + method});
  tx.commit();
  return id;
}

std::optional<ConsentRecord> Store::active_consent(const std::string& user) {
  Stmt st(*db_, std::string(kConsentCols) +
                    "WHERE user = ?1 AND uid = ?2 AND withdrawn_at IS NULL ORDER BY id DESC LIMIT 1");
  st.bind(1, user).bind(2, uid_now(user));
  if (!st.step()) return std::nullopt;
  return consent_from(st);
}

std::vector<ConsentRecord> Store::consent_history(const std::string& user) {
  Stmt st(*db_, std::string(kConsentCols) + "WHERE user = ?1 AND uid = ?2 ORDER BY id");
  st.bind(1, user).bind(2, uid_now(user));
  std::vector<ConsentRecord> out;
  while (st.step()) out.push_back(consent_from(st));
  return out;
}

WithdrawResult Store::withdraw_consent(const std::string& user, const std::string& method,
                                       std::string_view actor) {
  const TimePoint now = opts_.clock();
  WithdrawResult r;
  Transaction tx(*db_);
  Stmt up(*db_,
          "UPDATE consent SET withdrawn_at = ?2, withdrawal_method = ?3 "
          "WHERE user = ?1 AND uid = ?4 AND withdrawn_at IS NULL");
  up.bind(1, user).bind(2, secs(now)).bind(3, method).bind(4, uid_now(user)).run();
  r.consent_withdrawn = db_->changes() > 0;
  bool has_templates = false;
  {
    Stmt count(*db_, "SELECT count(*) FROM templates WHERE user = ?1 AND uid = ?2");
    count.bind(1, user).bind(2, uid_now(user));
    has_templates = count.step() && count.int64(0) > 0;
  }  // finalized before the deletions and the checkpoint
  // A call that changes nothing writes nothing: repeating it cannot grow the log.
  if (!r.consent_withdrawn && !has_templates) return r;
  append_audit(*db_, {now, AuditEvent::ConsentWithdrawn, user, std::string(actor), std::nullopt,
                      (r.consent_withdrawn ? "withdrawn via " : "no active consent; erasure via ") + method});
  r.templates_deleted = delete_templates_audited(user, AuditEvent::Removed, actor, "consent withdrawn");
  tx.commit();
  if (r.templates_deleted) checkpoint();
  return r;
}

// ---- exclusion ----

void Store::set_excluded(const std::string& user, bool excluded, const std::string& reason,
                         std::string_view actor) {
  if (user.empty()) throw StoreError(K::InvalidArgument, "set_excluded needs a user");
  const TimePoint now = opts_.clock();
  Transaction tx(*db_);
  ensure_user(user);
  const std::int64_t uid = account_uid(user);
  Stmt up(*db_, "UPDATE users SET excluded = ?2, excluded_reason = ?3 WHERE user = ?1 AND uid = ?4");
  up.bind(1, user).bind(2, std::int64_t{excluded ? 1 : 0}).bind(3, excluded ? reason : "").bind(4, uid).run();
  std::size_t deleted = 0;
  if (excluded) {
    // Nothing may remain usable: withdraw consent and delete templates with it.
    Stmt wd(*db_,
            "UPDATE consent SET withdrawn_at = ?2, withdrawal_method = 'account excluded' "
            "WHERE user = ?1 AND uid = ?3 AND withdrawn_at IS NULL");
    wd.bind(1, user).bind(2, secs(now)).bind(3, uid).run();
    append_audit(*db_, {now, AuditEvent::Excluded, user, std::string(actor), std::nullopt,
                        reason.empty() ? "excluded" : reason});
    deleted = delete_templates_audited(user, AuditEvent::Removed, actor, "account excluded");
  } else {
    append_audit(*db_, {now, AuditEvent::Included, user, std::string(actor), std::nullopt,
                        reason.empty() ? "included" : reason});
  }
  tx.commit();
  if (deleted) checkpoint();
}

bool Store::is_excluded(const std::string& user) { return user_row(user).excluded; }

// ---- lockout ----

LockoutState Store::record_verify(const std::string& user, VerifyOutcome outcome, std::string_view actor) {
  if (user.empty()) throw StoreError(K::InvalidArgument, "record_verify needs a user");
  const TimePoint now = opts_.clock();
  Transaction tx(*db_);
  ensure_user(user);
  UserRow row = user_row(user);
  int failures = row.failures;
  std::int64_t locked_until = row.locked_until;
  const bool locked = locked_until > secs(now);
  bool newly_locked = false;
  if (!locked) {
    if (locked_until != 0) {  // a past lockout has ended: a fresh window of attempts
      failures = 0;
      locked_until = 0;
    }
    if (outcome == VerifyOutcome::Match) {
      failures = 0;
    } else if (outcome == VerifyOutcome::NoMatch || outcome == VerifyOutcome::SpoofSuspected) {
      ++failures;
      if (failures >= opts_.lockout.max_failures) {
        locked_until = secs(now + opts_.lockout.duration);
        newly_locked = true;
      }
    }
  }
  Stmt up(*db_, "UPDATE users SET failures = ?2, locked_until = ?3 WHERE user = ?1 AND uid = ?4");
  up.bind(1, user).bind(2, std::int64_t{failures}).bind(3, locked_until).bind(4, uid_now(user)).run();
  append_audit(*db_, {now, AuditEvent::VerifyResult, user, std::string(actor), std::nullopt,
                      std::string(to_string(outcome)) + (locked ? " (while locked out)" : "")});
  if (newly_locked) {
    append_audit(*db_, {now, AuditEvent::Lockout, user, std::string(actor), std::nullopt,
                        std::to_string(failures) + " consecutive failures; locked until " +
                            std::to_string(locked_until)});
  }
  tx.commit();
  return state_from(failures, locked_until, now);
}

namespace {
LockoutState lockout_of(int failures, std::int64_t locked_until, TimePoint now) {
  if (locked_until != 0 && locked_until <= secs(now)) {
    return state_from(0, locked_until, now);  // ended: the next attempt starts afresh
  }
  return state_from(failures, locked_until, now);
}
}  // namespace

LockoutState Store::lockout_state(const std::string& user) {
  auto row = user_row(user);
  return lockout_of(row.failures, row.locked_until, opts_.clock());
}

VerifyGate Store::verify_gate(const std::string& user, const GateQuery& q) {
  using V = VerifyGate::Verdict;
  VerifyGate g;
  const UserRow row = user_row(user);
  g.lockout = lockout_of(row.failures, row.locked_until, opts_.clock());
  if (row.face_refused) {
    g.verdict = V::Refused;
    return g;
  }
  if (q.lockout && g.lockout.locked) {
    g.verdict = V::LockedOut;
    return g;
  }
  if (!is_enrolled(user)) {
    g.verdict = V::NotEnrolled;
    return g;
  }
  if (!q.templates) {
    g.verdict = V::Enrolled;
    return g;
  }
  std::vector<DecryptedTemplate> all;
  try {
    all = load_templates(user);
  } catch (const StoreError& e) {
    if (e.kind() != K::Tampered && e.kind() != K::FaceAuthRefused) throw;
    g.verdict = V::Refused;
    g.tampering = e.what();
    return g;
  }
  for (auto& t : all) {
    // Templates of another embedder live in another space: never compared.
    if (t.info.embedder != q.embedder || t.embedding.size() != q.dims) {
      ++g.other_embedder;
      continue;
    }
    g.templates.push_back(std::move(t));
  }
  g.verdict = g.templates.empty() ? V::EnrollAgain : V::Templates;
  return g;
}

bool Store::reset_lockout(const std::string& user, std::string_view actor) {
  const TimePoint now = opts_.clock();
  Transaction tx(*db_);
  auto before = user_row(user);
  // A call that changes nothing writes nothing: repeating it cannot grow the log.
  if (before.failures == 0 && before.locked_until == 0) return false;
  Stmt up(*db_, "UPDATE users SET failures = 0, locked_until = 0 WHERE user = ?1 AND uid = ?2");
  up.bind(1, user).bind(2, uid_now(user)).run();
  append_audit(*db_, {now, AuditEvent::LockoutReset, user, std::string(actor), std::nullopt,
                      "failures were " + std::to_string(before.failures)});
  tx.commit();
  return true;
}

// ---- tampering and incidents ----

void Store::record_tamper(const std::string& user, const std::vector<std::string>& problems,
                          const std::vector<std::int64_t>& ids) {
  const TimePoint now = opts_.clock();
  Transaction tx(*db_);
  ensure_user(user);
  const std::int64_t uid = uid_now(user);
  Stmt up(*db_, "UPDATE users SET face_refused = 1, face_refused_reason = ?2 WHERE user = ?1 AND uid = ?3");
  up.bind(1, user).bind(2, problems.front()).bind(3, uid).run();
  Stmt inc(
      *db_,
      "INSERT INTO incidents(user, time, kind, detail, uid) VALUES(?1, ?2, 'template-tampered', ?3, ?4)");
  for (std::size_t i = 0; i < problems.size(); ++i) {
    inc.bind(1, user).bind(2, secs(now)).bind(3, problems[i]).bind(4, uid).run();
    inc.reset();
    append_audit(*db_, {now, AuditEvent::TamperDetected, user, "faceauthd", ids[i], problems[i]});
  }
  tx.commit();
}

bool Store::face_auth_refused(const std::string& user) { return user_row(user).face_refused; }

std::size_t Store::restore_face_auth(const std::string& user, std::string_view actor) {
  const TimePoint now = opts_.clock();
  Transaction tx(*db_);
  ensure_user(user);
  // None of the person's stored templates can be trusted after tampering:
  // they are erased with the refusal, in one transaction; the person enrolls
  // again. The incidents stay (and a pending notice is still shown).
  const std::size_t erased = delete_templates_audited(user, AuditEvent::Removed, actor,
                                                      "erased when face authentication was restored");
  Stmt up(*db_, "UPDATE users SET face_refused = 0, face_refused_reason = '' WHERE user = ?1 AND uid = ?2");
  up.bind(1, user).bind(2, uid_now(user)).run();
  append_audit(*db_,
               {now, AuditEvent::FaceAuthRestored, user, std::string(actor), std::nullopt,
                "face authentication allowed again; " + std::to_string(erased) + " template(s) erased"});
  tx.commit();
  if (erased) checkpoint();
  return erased;
}

std::vector<Incident> Store::incidents(const std::string& user, bool unacknowledged_only) {
  std::string sql =
      "SELECT id, user, time, kind, detail, acknowledged_at FROM incidents WHERE user = ?1 AND uid = ?2";
  if (unacknowledged_only) sql += " AND acknowledged_at IS NULL";
  sql += " ORDER BY id";
  Stmt st(*db_, sql);
  st.bind(1, user).bind(2, uid_now(user));
  std::vector<Incident> out;
  while (st.step()) {
    Incident i;
    i.id = st.int64(0);
    i.user = st.text(1);
    i.time = at(st.int64(2));
    i.kind = st.text(3);
    i.detail = st.text(4);
    if (!st.is_null(5)) i.acknowledged_at = at(st.int64(5));
    out.push_back(std::move(i));
  }
  return out;
}

std::size_t Store::acknowledge_incidents(const std::string& user, std::string_view actor) {
  const TimePoint now = opts_.clock();
  Transaction tx(*db_);
  Stmt up(
      *db_,
      "UPDATE incidents SET acknowledged_at = ?2 WHERE user = ?1 AND uid = ?3 AND acknowledged_at IS NULL");
  up.bind(1, user).bind(2, secs(now)).bind(3, uid_now(user)).run();
  const auto n = static_cast<std::size_t>(db_->changes());
  if (n) {
    append_audit(*db_, {now, AuditEvent::IncidentAcknowledged, user, std::string(actor), std::nullopt,
                        std::to_string(n) + " incident(s) shown to the user"});
  }
  tx.commit();
  return n;
}

// ---- audit ----

AuditCheck Store::verify_audit() { return verify_audit_chain(*db_); }

bool Store::has_audit_checkpoint() { return read_audit_checkpoint(*db_).has_value(); }

void Store::set_audit_checkpoint(const AuditCheckpoint& c) {
  Transaction tx(*db_);
  write_audit_checkpoint(*db_, c);
  tx.commit();
}

AuditCheck Store::verify_audit_incremental() {
  const auto from = read_audit_checkpoint(*db_);
  if (!from) return AuditCheck{};  // the full walk sets the first checkpoint
  AuditCheckpoint last;
  AuditCheck r = verify_audit_chain(*db_, from, &last);
  if (r.ok && (!from || last.seq > from->seq)) {
    Transaction tx(*db_);
    write_audit_checkpoint(*db_, last);
    tx.commit();
  }
  return r;
}

AuditCheck Store::verify_audit_file(const std::string& db_path, AuditCheckpoint* last) {
  Db db(db_path);
  db.exec("PRAGMA query_only = ON");
  return verify_audit_chain(db, std::nullopt, last);
}

AuditCheck Store::check_audit(std::string_view actor) {
  AuditCheck r = verify_audit_chain(*db_);
  record_audit_break(r, actor);
  return r;
}

void Store::record_audit_break(const AuditCheck& r, std::string_view actor) {
  if (r.ok) return;
  // Keyed by the broken entry only: the tamper entry appended below may change
  // the wording of the reason, not where the chain first breaks.
  const std::string marker = std::to_string(r.first_bad_seq.value_or(0));
  const TimePoint now = opts_.clock();
  Transaction tx(*db_);
  {
    Stmt q(*db_, "SELECT value FROM meta WHERE key = 'audit_break_recorded'");
    if (q.step()) {
      auto v = q.blob_view(0);
      if (std::string(v.begin(), v.end()) == marker) return;  // already recorded
    }
  }
  // Every account the store knows of, former ones included, and each name
  // the log mentions (bound to the uid it resolves to now, if any).
  std::vector<std::pair<std::string, std::int64_t>> accounts;
  {
    Stmt q(*db_,
           "SELECT user, uid FROM users UNION SELECT user, uid FROM templates UNION SELECT user, uid FROM "
           "consent ORDER BY 1, 2");
    while (q.step()) accounts.emplace_back(q.text(0), q.int64(1));
  }
  {
    Stmt q(*db_, "SELECT DISTINCT user FROM audit WHERE user != '' ORDER BY 1");
    while (q.step()) {
      std::string u = q.text(0);
      const std::int64_t uid = uid_now(u);
      bool known = false;
      for (const auto& a : accounts) known = known || a.first == u;
      if (!known) accounts.emplace_back(u, uid >= 0 ? uid : -1);
    }
  }
  Stmt inc(
      *db_,
      "INSERT INTO incidents(user, time, kind, detail, uid) VALUES(?1, ?2, 'audit-chain-broken', ?3, ?4)");
  for (const auto& [u, uid] : accounts) {
    inc.bind(1, u).bind(2, secs(now)).bind(3, r.reason).bind(4, uid).run();
    inc.reset();
  }
  append_audit(*db_, {now, AuditEvent::TamperDetected, "", std::string(actor), std::nullopt,
                      "audit chain broken: " + r.reason});
  std::vector<unsigned char> mv(marker.begin(), marker.end());
  Stmt mark(*db_,
            "INSERT INTO meta(key, value) VALUES('audit_break_recorded', ?1) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  mark.bind(1, std::span<const unsigned char>(mv)).run();
  tx.commit();
}

std::vector<AuditEntry> Store::audit_entries(const std::optional<std::string>& user) {
  if (!user || user->empty()) return read_audit(*db_, user);
  // A person's history starts where the store first met their account
  // (since_seq); earlier entries under the same name were a former account's.
  // Every call that audits a person creates that row first.
  std::int64_t since = -1;
  {
    Stmt q(*db_, "SELECT since_seq FROM users WHERE user = ?1 AND uid = ?2");
    q.bind(1, *user).bind(2, uid_now(*user));
    if (q.step()) since = q.int64(0);
  }
  if (since < 0) return {};
  auto all = read_audit(*db_, user);
  std::vector<AuditEntry> out;
  for (auto& e : all)
    if (e.seq >= since) out.push_back(std::move(e));
  return out;
}

}  // namespace faceauth
