// The append-only, hash-chained audit log (table `audit`).
//
// Entry n's hash = SHA-256 of
//   "faceauth-audit-v1\0" || prev_hash (32 bytes, zeros for entry 1)
//   || i64 seq || i64 time || str event || str user || str actor
//   || u8 has_template || i64 template_id (0 when absent) || str detail
// where integers are big-endian and str is u32 length || bytes.
// Entry n's prev_hash is entry n-1's hash. The newest (seq, hash) is also kept
// in meta.audit_head, so deleting the newest entries is detected too.
// Triggers refuse UPDATE and DELETE on the table.
//
// These functions work on an open Db; appends must run inside a transaction
// together with the change they describe.
#pragma once

#include "sqlite_db.h"
#include "store_types.h"

#include <optional>
#include <string>
#include <vector>

namespace faceauth {

struct AuditRecord {
  TimePoint time{};
  AuditEvent event{};
  std::string user;
  std::string actor;
  std::optional<std::int64_t> template_id;
  std::string detail;
};

Sha256 audit_entry_hash(const Sha256& prev, std::int64_t seq, std::int64_t time,
                        const std::string& event, const std::string& user,
                        const std::string& actor, std::optional<std::int64_t> template_id,
                        const std::string& detail);

// Appends one entry; returns its seq. Call inside a Transaction.
std::int64_t append_audit(Db& db, const AuditRecord& rec);

// Walks the whole chain and names the first missing or broken entry.
AuditCheck verify_audit_chain(Db& db);

// Entries in order; only those about `user` when given.
std::vector<AuditEntry> read_audit(Db& db, const std::optional<std::string>& user);

}  // namespace faceauth
