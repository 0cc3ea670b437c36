#include "audit_log.h"

#include "store_error.h"

#include <sodium.h>

#include <cstring>

namespace faceauth {

namespace {

struct Hasher {
  crypto_hash_sha256_state st;
  Hasher() { crypto_hash_sha256_init(&st); }
  void bytes(const void* p, std::size_t n) {
    crypto_hash_sha256_update(&st, static_cast<const unsigned char*>(p), n);
  }
  void u8(unsigned char x) { bytes(&x, 1); }
  void u32(std::uint32_t x) {
    unsigned char b[4] = {static_cast<unsigned char>(x >> 24), static_cast<unsigned char>(x >> 16),
                          static_cast<unsigned char>(x >> 8), static_cast<unsigned char>(x)};
    bytes(b, 4);
  }
  void i64(std::int64_t v) {
    auto x = static_cast<std::uint64_t>(v);
    unsigned char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(x >> (56 - 8 * i));
    bytes(b, 8);
  }
  void str(const std::string& s) {
    u32(static_cast<std::uint32_t>(s.size()));
    bytes(s.data(), s.size());
  }
  Sha256 done() {
    Sha256 h{};
    crypto_hash_sha256_final(&st, h.data());
    return h;
  }
};

Sha256 to_hash(std::span<const unsigned char> v) {
  Sha256 h{};
  if (v.size() == h.size()) std::memcpy(h.data(), v.data(), h.size());
  return h;
}

struct Head {
  std::int64_t seq = 0;
  Sha256 hash{};
};

std::optional<Head> read_head(Db& db, const char* key = "audit_head") {
  Stmt st(db, std::string("SELECT value FROM meta WHERE key = '") + key + "'");
  if (!st.step()) return std::nullopt;
  auto v = st.blob_view(0);
  if (v.size() != 8 + 32) return Head{-1, {}};  // malformed: reported by verify
  Head h;
  std::uint64_t s = 0;
  for (int i = 0; i < 8; ++i) s = (s << 8) | v[static_cast<std::size_t>(i)];
  h.seq = static_cast<std::int64_t>(s);
  std::memcpy(h.hash.data(), v.data() + 8, 32);
  return h;
}

void write_head(Db& db, const Head& h, const char* key = "audit_head") {
  std::vector<unsigned char> v(8 + 32);
  auto s = static_cast<std::uint64_t>(h.seq);
  for (int i = 0; i < 8; ++i) v[static_cast<std::size_t>(i)] = static_cast<unsigned char>(s >> (56 - 8 * i));
  std::memcpy(v.data() + 8, h.hash.data(), 32);
  Stmt st(db, std::string("INSERT INTO meta(key, value) VALUES('") + key +
                  "', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  st.bind(1, std::span<const unsigned char>(v)).run();
}

std::string entry_name(std::int64_t seq) { return "audit entry " + std::to_string(seq); }

}  // namespace

const char* to_string(AuditEvent e) noexcept {
  switch (e) {
    case AuditEvent::ConsentGiven: return "consent-given";
    case AuditEvent::ConsentWithdrawn: return "consent-withdrawn";
    case AuditEvent::Enrolled: return "enrolled";
    case AuditEvent::Removed: return "removed";
    case AuditEvent::VerifyResult: return "verify";
    case AuditEvent::Lockout: return "lockout";
    case AuditEvent::LockoutReset: return "lockout-reset";
    case AuditEvent::ExpiryPurge: return "expiry-purge";
    case AuditEvent::TamperDetected: return "tamper-detected";
    case AuditEvent::Excluded: return "excluded";
    case AuditEvent::Included: return "included";
    case AuditEvent::FaceAuthRestored: return "face-auth-restored";
    case AuditEvent::IncidentAcknowledged: return "incident-acknowledged";
    case AuditEvent::AccountsBound: return "accounts-bound";
    case AuditEvent::FormerAccountErased: return "former-account-erased";
  }
  return "unknown";
}

Sha256 audit_entry_hash(const Sha256& prev, std::int64_t seq, std::int64_t time, const std::string& event,
                        const std::string& user, const std::string& actor,
                        std::optional<std::int64_t> template_id, const std::string& detail) {
  static constexpr char kDomain[] = "faceauth-audit-v1";
  Hasher h;
  h.bytes(kDomain, sizeof kDomain);  // includes the terminating NUL
  h.bytes(prev.data(), prev.size());
  h.i64(seq);
  h.i64(time);
  h.str(event);
  h.str(user);
  h.str(actor);
  h.u8(template_id ? 1 : 0);
  h.i64(template_id.value_or(0));
  h.str(detail);
  return h.done();
}

std::int64_t append_audit(Db& db, const AuditRecord& rec) {
  Head prev;
  if (auto head = read_head(db); head && head->seq >= 0) {
    prev = *head;
  } else {
    // No (valid) head: continue from the newest row, so the break stays visible.
    Stmt last(db, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
    if (last.step()) prev = Head{last.int64(0), to_hash(last.blob_view(1))};
  }
  const std::int64_t seq = prev.seq + 1;
  const std::int64_t t = rec.time.time_since_epoch().count();
  const std::string event = to_string(rec.event);
  Sha256 hash = audit_entry_hash(prev.hash, seq, t, event, rec.user, rec.actor, rec.template_id, rec.detail);
  Stmt st(db,
          "INSERT INTO audit(seq, time, event, user, actor, template_id, detail, prev_hash, hash) "
          "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  st.bind(1, seq).bind(2, t).bind(3, event).bind(4, rec.user).bind(5, rec.actor);
  if (rec.template_id) {
    st.bind(6, *rec.template_id);
  } else {
    st.bind_null(6);
  }
  st.bind(7, rec.detail)
      .bind(8, std::span<const unsigned char>(prev.hash))
      .bind(9, std::span<const unsigned char>(hash));
  st.run();
  write_head(db, Head{seq, hash});
  return seq;
}

std::optional<AuditCheckpoint> read_audit_checkpoint(Db& db) {
  auto h = read_head(db, "audit_checkpoint");
  if (!h || h->seq < 0) return std::nullopt;
  return AuditCheckpoint{h->seq, h->hash};
}

void write_audit_checkpoint(Db& db, const AuditCheckpoint& c) {
  write_head(db, Head{c.seq, c.hash}, "audit_checkpoint");
}

AuditCheck verify_audit_chain(Db& db, const std::optional<AuditCheckpoint>& from,
                              AuditCheckpoint* last_point) {
  AuditCheck r;
  auto bad = [&r](std::int64_t seq, std::string why) {
    r.ok = false;
    r.first_bad_seq = seq;
    r.reason = entry_name(seq) + ": " + why;
    return r;
  };
  Sha256 prev{};
  std::int64_t expected = 1;
  if (from && from->seq > 0) {
    // Start after the checkpoint only while its entry still carries the hash
    // that was verified: any rewrite reaching it changes that hash.
    Stmt cp(db, "SELECT hash FROM audit WHERE seq = ?1");
    cp.bind(1, from->seq);
    if (cp.step()) {
      auto h = cp.blob_view(0);
      if (h.size() == 32 && std::memcmp(h.data(), from->hash.data(), 32) == 0) {
        prev = from->hash;
        expected = from->seq + 1;
      }
    }
  }
  Stmt st(db,
          "SELECT seq, time, event, user, actor, template_id, detail, prev_hash, hash "
          "FROM audit WHERE seq >= ?1 ORDER BY seq");
  st.bind(1, expected);
  while (st.step()) {
    const std::int64_t seq = st.int64(0);
    ++r.entries;
    if (seq != expected) {
      return bad(expected, seq > expected ? "missing (deleted); the log jumps from entry " +
                                                std::to_string(expected - 1) + " to " + std::to_string(seq)
                                          : "out of sequence");
    }
    auto stored_prev = st.blob_view(7);
    auto stored_hash = st.blob_view(8);
    if (stored_prev.size() != 32 || std::memcmp(stored_prev.data(), prev.data(), 32) != 0) {
      return bad(seq, "does not link to entry " + std::to_string(seq - 1) +
                          " (that entry was altered and re-hashed, or this entry's link was "
                          "edited)");
    }
    std::optional<std::int64_t> tid;
    if (!st.is_null(5)) tid = st.int64(5);
    Sha256 h = audit_entry_hash(prev, seq, st.int64(1), st.text(2), st.text(3), st.text(4), tid, st.text(6));
    if (stored_hash.size() != 32 || std::memcmp(stored_hash.data(), h.data(), 32) != 0) {
      return bad(seq, "altered: its content no longer matches its hash");
    }
    prev = h;
    ++expected;
  }
  const std::int64_t last = expected - 1;
  auto head = read_head(db);
  if (!head) {
    if (last > 0) return bad(last, "the recorded head of the log (meta.audit_head) is missing");
    return r;
  }
  if (head->seq < 0) return bad(last, "the recorded head of the log (meta.audit_head) is malformed");
  if (head->seq > last) {
    return bad(last + 1, "missing (deleted): the log should end at entry " + std::to_string(head->seq) +
                             " but ends at " + std::to_string(last));
  }
  if (head->seq < last) {
    return bad(head->seq + 1,
               "added behind the log's back (the recorded head is entry " + std::to_string(head->seq) + ")");
  }
  if (last > 0 && head->hash != prev) {
    return bad(last, "differs from the recorded head of the log (replaced)");
  }
  if (last_point) *last_point = AuditCheckpoint{last, prev};
  return r;
}

std::vector<AuditEntry> read_audit(Db& db, const std::optional<std::string>& user) {
  std::string sql = "SELECT seq, time, event, user, actor, template_id, detail, prev_hash, hash FROM audit";
  if (user) sql += " WHERE user = ?1";
  sql += " ORDER BY seq";
  Stmt st(db, sql);
  if (user) st.bind(1, *user);
  std::vector<AuditEntry> out;
  while (st.step()) {
    AuditEntry e;
    e.seq = st.int64(0);
    e.time = TimePoint(std::chrono::seconds(st.int64(1)));
    e.event = st.text(2);
    e.user = st.text(3);
    e.actor = st.text(4);
    if (!st.is_null(5)) e.template_id = st.int64(5);
    e.detail = st.text(6);
    e.prev_hash = to_hash(st.blob_view(7));
    e.hash = to_hash(st.blob_view(8));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace faceauth
