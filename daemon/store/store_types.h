// Plain value types of the template store's public API.
#pragma once

#include "secure_buffer.h"
#include "store_key.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace faceauth {

// All times are whole seconds since the Unix epoch (UTC), as stored.
using TimePoint = std::chrono::sys_seconds;
using Clock = std::function<TimePoint()>;
TimePoint system_now();

using Sha256 = std::array<unsigned char, 32>;

struct TemplateInfo {
  std::int64_t id = 0;
  std::string user;
  std::string label;
  TimePoint created{};
  TimePoint expires{};
  std::uint32_t dims = 0;
  std::string embedder;  // the embedder that made it: "mobilefacenet", "dlib-resnet"
  bool expired(TimePoint now) const { return expires <= now; }
};

// A decrypted template: metadata plus the embedding in locked, self-wiping memory.
struct DecryptedTemplate {
  TemplateInfo info;
  SecureEmbedding embedding;
};

struct ConsentRecord {
  std::int64_t id = 0;
  std::string user;
  std::string notice_id;
  Sha256 notice_sha256{};  // SHA-256 of the exact notice text shown
  TimePoint given_at{};
  std::string method;  // e.g. "faceauthctl enroll (typed yes)"
  std::optional<TimePoint> withdrawn_at;
  std::string withdrawal_method;
  bool active() const { return !withdrawn_at.has_value(); }
};

enum class AuditEvent {
  ConsentGiven,
  ConsentWithdrawn,
  Enrolled,
  Removed,
  VerifyResult,
  Lockout,
  LockoutReset,
  ExpiryPurge,
  TamperDetected,
  Excluded,
  Included,
  FaceAuthRestored,
  IncidentAcknowledged,
  AccountsBound,        // schema 3: existing rows bound to the uid their name resolved to
  FormerAccountErased,  // an administrator erased the rows of an account that is gone
};
// Stable names stored in the log: "consent-given", "verify", "tamper-detected", ...
const char* to_string(AuditEvent e) noexcept;

struct AuditEntry {
  std::int64_t seq = 0;  // 1, 2, 3, ... without gaps
  TimePoint time{};
  std::string event;  // to_string(AuditEvent)
  std::string user;   // the person concerned; empty for store-wide events
  std::string actor;  // who caused it, e.g. "uid:0" or "faceauthd"
  std::optional<std::int64_t> template_id;
  std::string detail;  // never distances, images or templates
  Sha256 prev_hash{};
  Sha256 hash{};
};

struct AuditCheck {
  bool ok = true;
  std::int64_t entries = 0;                   // rows examined
  std::optional<std::int64_t> first_bad_seq;  // the first entry that is missing or broken
  std::string reason;                         // what is wrong with it, for people
};

// SpoofSuspected: identity matched but the attempt did not look live (a
// printed photo or a screen, liveness.h); it counts as a failure.
enum class VerifyOutcome { Match, NoMatch, SpoofSuspected, Error };
const char* to_string(VerifyOutcome o) noexcept;

struct LockoutPolicy {
  int max_failures = 5;  // consecutive no-matches before a lockout
  std::chrono::seconds duration{std::chrono::minutes(5)};
};

struct LockoutState {
  int failures = 0;                       // consecutive failures so far
  std::optional<TimePoint> locked_until;  // set while a lockout is (or was last) in force
  bool locked = false;                    // now < locked_until
};

// What the store lets a face verification of one person do before any camera
// is used (Store::verify_gate): the one reading of refusal, lockout,
// enrollment and templates that Verify, TestVerify and the re-check when a
// Verify's camera job ends all share.
struct VerifyGate {
  enum class Verdict {
    Refused,      // face auth refused after tampering (`tampering`: found by this call's decryption)
    LockedOut,    // a lockout is in force (`lockout.locked_until`)
    NotEnrolled,  // no unexpired template, or the account is excluded
    Enrolled,     // enrolled; the templates were not asked for (GateQuery::templates false)
    EnrollAgain,  // every template was made by another embedder (never compared)
    Templates,    // `templates` holds the ones made by the embedder asked for
  };
  Verdict verdict = Verdict::NotEnrolled;
  LockoutState lockout;                      // the lockout state, read in every case
  std::vector<DecryptedTemplate> templates;  // Templates only
  std::size_t other_embedder = 0;            // templates left out: another embedder made them
  // Refused because decrypting found tampering just now: the store's message
  // (the incident is recorded). Empty when the refusal was already known.
  std::string tampering;
};

// What Store::verify_gate looks at.
struct GateQuery {
  std::string embedder;    // the configured embedder's name ...
  std::uint32_t dims = 0;  // ... and its number of values: templates of another are never compared
  bool lockout = true;     // false: a lockout does not stop this (an administrator's test)
  bool templates = true;   // false: stop at Enrolled, nothing decrypted
};

struct Incident {
  std::int64_t id = 0;
  std::string user;
  TimePoint time{};
  std::string kind;  // "template-tampered", "audit-chain-broken"
  std::string detail;
  std::optional<TimePoint> acknowledged_at;
};

// Rows kept under an account name that now resolves to another uid (the
// name was given to a new account) or to none (the account was deleted).
// They are never used; an administrator erases them.
struct FormerAccount {
  std::string user;
  std::int64_t uid = -1;                // the uid the rows belong to; -1: unknown (rows from before schema 3)
  std::optional<std::int64_t> uid_now;  // what the name resolves to today, if anything
  std::size_t templates = 0;
  std::size_t consents = 0;
  std::size_t incidents = 0;
};

struct WithdrawResult {
  bool consent_withdrawn = false;  // an active consent existed and is now withdrawn
  std::size_t templates_deleted = 0;
};

// Everything stored about one person, except the template bytes.
struct UserExport {
  std::string user;
  bool excluded = false;
  std::string exclusion_reason;
  bool face_auth_refused = false;
  std::string face_auth_refused_reason;
  LockoutState lockout;
  std::vector<TemplateInfo> templates;
  std::vector<ConsentRecord> consents;
  std::vector<AuditEntry> audit;
  std::vector<Incident> incidents;
};

struct StoreOptions {
  std::string state_dir;                  // created 0700 if missing
  std::string db_file_name = "store.db";  // created 0600 if missing
  // Key sources; key.state_dir defaults to state_dir when empty.
  KeyOptions key;
  // Create a key file on first start when no key exists and no template needs one.
  bool create_key_if_missing = true;
  Clock clock = system_now;
  LockoutPolicy lockout;
  std::chrono::seconds retention{std::chrono::days(365)};  // template lifetime
  // The uid an account name resolves to now, or nullopt when no account has
  // that name. Default: getpwnam_r. Every row is bound to name and uid, so
  // a new account given a deleted account's name sees none of its data.
  std::function<std::optional<std::int64_t>(const std::string&)> uid_of;
};

}  // namespace faceauth
