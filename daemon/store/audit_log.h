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

Sha256 audit_entry_hash(const Sha256& prev, std::int64_t seq, std::int64_t time, const std::string& event,
                        const std::string& user, const std::string& actor,
                        std::optional<std::int64_t> template_id, const std::string& detail);

// Appends one entry; returns its seq. Call inside a Transaction.
std::int64_t append_audit(Db& db, const AuditRecord& rec);

// A verified point of the chain: entries up to `seq` were checked, the last
// one hashing to `hash`.
struct AuditCheckpoint {
  std::int64_t seq = 0;
  Sha256 hash{};
};

// Walks the chain and names the first missing or broken entry. With `from`
// (a checkpoint whose entry still carries its hash) only the entries after
// it are walked; a checkpoint that no longer fits is ignored (full walk).
// `last`, when given, receives the last verified point.
AuditCheck verify_audit_chain(Db& db, const std::optional<AuditCheckpoint>& from = std::nullopt,
                              AuditCheckpoint* last = nullptr);

// The checkpoint kept in meta ('audit_checkpoint'), and writing it.
std::optional<AuditCheckpoint> read_audit_checkpoint(Db& db);
void write_audit_checkpoint(Db& db, const AuditCheckpoint& c);

// Entries in order; only those about `user` when given.
std::vector<AuditEntry> read_audit(Db& db, const std::optional<std::string>& user);

}  // namespace faceauth
