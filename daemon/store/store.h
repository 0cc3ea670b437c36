// The encrypted template store: templates (AEAD-encrypted embeddings), consent
// records, the exclusion flag, lockout state, incidents and the hash-chained
// audit log, in one SQLite database (WAL, secure_delete) in the state directory.
//
// Every state change runs in one SQLite transaction together with its audit
// entry: either both are on disk or neither is.
//
// Thread-safety: a Store is NOT thread-safe. It owns one SQLite connection and
// must be used from one thread at a time (faceauthd uses it from its event-loop
// thread only). Do not share it between threads, and do not use a Store that
// was opened before fork() in the child.
#pragma once

#include "sqlite_db.h"
#include "store_error.h"
#include "store_key.h"
#include "audit_log.h"
#include "store_types.h"

#include <memory>
#include <optional>
#include <span>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace faceauth {

class Store {
 public:
  // Opens the store, creating the state directory (0700), database (0600)
  // and key file (0400) as needed, and migrating the schema. Throws
  // StoreError: KeyMissing (templates exist but their key is gone),
  // KeyPermissions, KeyInvalid, WrongKey, Permissions, Corrupted,
  // SchemaTooNew, Io.
  explicit Store(StoreOptions options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // ---- templates ----
  // Encrypts and stores an embedding; expires = now + options.retention.
  // Throws Excluded, ConsentRequired (no active consent), FaceAuthRefused,
  // InvalidArgument (empty/oversized/non-finite embedding, bad user/label/embedder).
  // `embedder` names what made the embedding; it is bound into the
  // ciphertext's associated data and shown by list_templates.
  std::int64_t add_template(const std::string& user, const std::string& label,
                            std::span<const float> embedding, std::string_view actor = "faceauthd",
                            std::string_view embedder = "dlib-resnet");
  // One atomic change for an enrollment: the person's consent (as
  // record_consent) and the template (as add_template). Nothing is written
  // unless both are, so an enrollment that is refused, busy or killed leaves
  // no consent behind.
  std::int64_t add_template_with_consent(const std::string& user, const std::string& notice_id,
                                         std::string_view notice_text, const std::string& method,
                                         const std::string& label, std::span<const float> embedding,
                                         std::string_view actor, std::string_view embedder);
  // Metadata of all the user's templates (expired ones included until purged).
  std::vector<TemplateInfo> list_templates(const std::string& user);
  // Decrypts the user's unexpired templates into locked memory. If any row
  // fails authentication or has an unknown format, the tampering is recorded
  // (incident, audit entry, face auth refused for the user) and Tampered is
  // thrown. Throws FaceAuthRefused while the user's face auth is refused.
  std::vector<DecryptedTemplate> load_templates(const std::string& user);
  // Templates (of every user, expired ones included until purged) made by
  // another embedder than `embedder`: they are never compared. No decryption.
  std::int64_t count_templates_not_made_by(std::string_view embedder);
  // True when the user has an unexpired template and face auth is usable
  // (not excluded, not refused). Cheap: no decryption.
  bool is_enrolled(const std::string& user);
  // How many users have an unexpired template (for Status). No decryption.
  std::size_t enrolled_user_count();
  // Removes one template of `user` (NotFound if that user has no such id).
  void remove_template(const std::string& user, std::int64_t id, std::string_view actor = "faceauthd");
  // Removes all of the user's templates; returns how many.
  std::size_t remove_all_templates(const std::string& user, std::string_view actor = "faceauthd");

  // ---- consent ----
  // Records consent to the notice `notice_id` whose exact text was `notice_text`
  // (its SHA-256 is stored). Throws Excluded for excluded accounts.
  std::int64_t record_consent(const std::string& user, const std::string& notice_id,
                              std::string_view notice_text, const std::string& method);
  std::optional<ConsentRecord> active_consent(const std::string& user);
  std::vector<ConsentRecord> consent_history(const std::string& user);
  // Withdraws all active consent and deletes every template of the user in the
  // same transaction (templates are deleted even if no consent was active).
  WithdrawResult withdraw_consent(const std::string& user, const std::string& method,
                                  std::string_view actor = "faceauthd");

  // ---- exclusion (under-14 accounts, admin policy) ----
  // Excluding deletes the user's templates in the same transaction and makes
  // consent and enrollment impossible until included again.
  void set_excluded(const std::string& user, bool excluded, const std::string& reason,
                    std::string_view actor);
  bool is_excluded(const std::string& user);

  // ---- the gate before a face verification ----
  // In this order: refused after tampering, locked out (when q.lockout), not
  // enrolled (is_enrolled), then (when q.templates) the unexpired templates
  // decrypted, those of q.embedder / q.dims kept, EnrollAgain when none is
  // left. Tampering found while decrypting is recorded (as load_templates
  // does) and answered Refused with its message, not thrown. Other store
  // failures throw. Writes nothing else.
  VerifyGate verify_gate(const std::string& user, const GateQuery& q);

  // ---- lockout (persists across restarts) ----
  // Records and audits a verification result. NoMatch counts a failure; at
  // policy.max_failures consecutive failures the user is locked for
  // policy.duration. Match resets the counter. Error is audited only. While a
  // lockout is in force outcomes are audited but do not change the state.
  LockoutState record_verify(const std::string& user, VerifyOutcome outcome,
                             std::string_view actor = "faceauthd");
  LockoutState lockout_state(const std::string& user);
  // Clears the failure count and any lockout. Returns false, and writes
  // nothing (no audit row), when there was nothing to clear.
  bool reset_lockout(const std::string& user, std::string_view actor);

  // ---- accounts (every row belongs to a name and a uid) ----
  // Rows whose name now resolves to another uid or to none. Never used by
  // any other call; listed for administrators. No decryption.
  std::vector<FormerAccount> former_accounts();
  // Erases every row kept under `user` for another uid than the one the name
  // resolves to now (all rows of the name when it resolves to none):
  // templates (securely), consent records, state, incidents; audited as a
  // store-wide entry, so the new account's own log does not show it. Throws
  // NotFound when there is nothing of a former account under that name.
  FormerAccount erase_former_account(const std::string& user, std::string_view actor);

  // ---- tampering and incidents ----
  bool face_auth_refused(const std::string& user);
  // Admin action after investigating a tamper incident (audited).
  // After an administrator reviewed a tampering incident: erases every
  // template of the user (none can be trusted), clears the refusal, audits
  // both in one transaction. Returns how many templates were erased.
  std::size_t restore_face_auth(const std::string& user, std::string_view actor);
  std::vector<Incident> incidents(const std::string& user, bool unacknowledged_only = false);
  // Marks all of the user's incidents as seen (audited); returns how many.
  std::size_t acknowledge_incidents(const std::string& user, std::string_view actor = "faceauthd");

  // ---- audit ----
  // Walks the chain; no side effects.
  AuditCheck verify_audit();
  // Walks the chain; on a break not recorded before, records an
  // "audit-chain-broken" incident for every known user and a tamper audit
  // entry. Call at start-up and on a timer.
  AuditCheck check_audit(std::string_view actor = "faceauthd");
  // Verifies only the entries after the stored checkpoint (meta
  // 'audit_checkpoint'), then moves the checkpoint: cheap enough for the event
  // loop. Edits before the checkpoint that leave its hash alone are found by
  // the full walk (verify_audit_file, run off the loop thread).
  // Without a checkpoint yet (a new or upgraded store) it walks nothing and
  // answers ok with entries = 0: has_audit_checkpoint() tells the two apart.
  AuditCheck verify_audit_incremental();
  bool has_audit_checkpoint();
  // The full walk over its own read-only connection to the store file, for a
  // background thread; `last` receives the verified end of the chain.
  static AuditCheck verify_audit_file(const std::string& db_path, AuditCheckpoint* last = nullptr);
  // Stores a checkpoint found by the full walk (on the store's own thread).
  void set_audit_checkpoint(const AuditCheckpoint& c);
  // Records a broken chain found by a walk (incident per person, tamper
  // audit entry), once per broken entry.
  void record_audit_break(const AuditCheck& r, std::string_view actor = "faceauthd");
  std::vector<AuditEntry> audit_entries(const std::optional<std::string>& user = std::nullopt);

  // ---- retention ----
  // Securely deletes every expired template, one audit entry each; returns
  // how many. Call at start-up and on a timer.
  std::size_t purge_expired(std::string_view actor = "faceauthd");

  // ---- right to know ----
  UserExport export_user(const std::string& user);

  // ---- health ----
  // PRAGMA integrity_check; "ok" when healthy.
  std::string integrity_check();
  const std::string& db_path() const { return db_path_; }
  // True when this open found the store empty next to an existing key (lost
  // store): an incident "store-lost" (user "") was recorded.
  bool found_lost() const { return lost_; }
  const std::string& key_source() const { return key_->source(); }
  TimePoint now() const { return opts_.clock(); }

 private:
  struct UserRow {
    bool excluded = false;
    std::string excluded_reason;
    bool face_refused = false;
    std::string face_refused_reason;
    int failures = 0;
    std::int64_t locked_until = 0;
  };
  UserRow user_row(const std::string& user);
  // Creates the account's state row if missing; throws InvalidArgument when
  // no account has that name now.
  void ensure_user(const std::string& user);
  // The uid `user` resolves to now; -1 for "" (store-wide rows); kNoAccount
  // (matching no row) when no account has the name.
  std::int64_t uid_now(const std::string& user);
  // uid_now of many names at once: with the system's accounts, one pass over
  // the account database (getpwent) instead of a lookup per name, which with
  // /etc/passwd scans the file each time (10 000 accounts: seconds); names the
  // pass does not list (a directory that does not enumerate) are looked up
  // one by one.
  std::map<std::string, std::int64_t> uids_now(const std::vector<std::string>& users);
  // As uid_now, but throws InvalidArgument when no account has the name.
  std::int64_t account_uid(const std::string& user);
  // Schema 3, once: binds existing rows to the uid their name resolves to and
  // seals their templates again with it.
  void bind_accounts();
  void open_key();
  std::size_t delete_templates_audited(const std::string& user, AuditEvent event, std::string_view actor,
                                       const std::string& detail);
  // Deletes the templates of `user` under `uid` (other_uids: under every
  // other uid), one audit entry each under `audit_user`; returns how many.
  std::size_t delete_templates_of(const std::string& user, std::int64_t uid, bool other_uids,
                                  AuditEvent event, std::string_view actor, const std::string& audit_user,
                                  const std::string& detail);
  void record_tamper(const std::string& user, const std::vector<std::string>& problems,
                     const std::vector<std::int64_t>& ids);
  void checkpoint();

  StoreOptions opts_;
  std::string db_path_;
  bool key_created_ = false;
  bool lost_ = false;
  std::unique_ptr<Db> db_;
  std::optional<StoreKey> key_;
};

}  // namespace faceauth
