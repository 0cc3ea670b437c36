// Store: every row belongs to an account, a name and a uid. Binding the rows
// of older stores (schema 3), and the rows of former accounts: a name that
// now resolves to another uid (or none) never sees them; administrators list
// and erase them.
#include "store.h"

#include "audit_log.h"
#include "template_crypto.h"

#include <pwd.h>

#include <map>
#include <vector>

namespace faceauth {

namespace {
using K = StoreError::Kind;

// No stored row has this uid (the column's CHECK is uid >= -1).
constexpr std::int64_t kNoAccount = -2;

std::optional<std::int64_t> system_uid_of(const std::string& name) {
  std::vector<char> buf(16384);
  passwd pw{}, *res = nullptr;
  if (getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &res) != 0 || res == nullptr) return std::nullopt;
  return static_cast<std::int64_t>(pw.pw_uid);
}

std::string uid_text(std::int64_t uid) { return uid < 0 ? std::string("unknown") : std::to_string(uid); }
}  // namespace

std::int64_t Store::uid_now(const std::string& user) {
  if (user.empty()) return -1;
  const auto uid = opts_.uid_of ? opts_.uid_of(user) : system_uid_of(user);
  return uid && *uid >= 0 ? *uid : kNoAccount;
}

std::map<std::string, std::int64_t> Store::uids_now(const std::vector<std::string>& users) {
  std::map<std::string, std::int64_t> out;
  for (const auto& u : users) out.emplace(u, kNoAccount);
  if (!opts_.uid_of && users.size() > 1) {
    // The first entry of a name wins, as getpwnam's search order gives it.
    std::map<std::string, std::int64_t> listed;
    std::vector<char> buf(16384);
    passwd pw{}, *res = nullptr;
    setpwent();
    while (getpwent_r(&pw, buf.data(), buf.size(), &res) == 0 && res != nullptr)
      if (out.count(res->pw_name)) listed.emplace(res->pw_name, static_cast<std::int64_t>(res->pw_uid));
    endpwent();
    for (auto& [name, uid] : out) {
      auto it = listed.find(name);
      uid = it != listed.end() ? it->second : uid_now(name);
    }
    return out;
  }
  for (auto& [name, uid] : out) uid = uid_now(name);
  return out;
}

std::int64_t Store::account_uid(const std::string& user) {
  const std::int64_t uid = uid_now(user);
  if (uid < 0) {
    throw StoreError(K::InvalidArgument, "no account named \"" + user + "\" exists on this machine");
  }
  return uid;
}

void Store::bind_accounts() {
  {
    Stmt q(*db_, "SELECT 1 FROM meta WHERE key = 'accounts_unbound'");
    if (!q.step()) return;
  }
  Transaction tx(*db_);
  std::vector<std::string> names;
  {
    Stmt q(*db_,
           "SELECT user FROM users WHERE uid = -1 UNION SELECT user FROM templates WHERE uid = -1 "
           "UNION SELECT user FROM consent WHERE uid = -1 UNION SELECT user FROM incidents WHERE uid = -1 "
           "UNION SELECT user FROM audit");
    while (q.step()) {
      std::string n = q.text(0);
      if (!n.empty()) names.push_back(std::move(n));
    }
  }
  std::size_t bound = 0, sealed = 0, unopened = 0;
  std::vector<std::string> unresolved;
  for (const auto& name : names) {
    const std::int64_t uid = uid_now(name);
    if (uid < 0) {
      unresolved.push_back(name);  // kept with uid -1: a former account
      continue;
    }
    ++bound;
    for (const char* table : {"users", "templates", "consent", "incidents"}) {
      Stmt up(*db_, std::string("UPDATE ") + table + " SET uid = ?2 WHERE user = ?1 AND uid = -1");
      up.bind(1, name).bind(2, uid).run();
    }
    // The history so far is this account's: since_seq 0.
    Stmt row(*db_,
             "INSERT INTO users(user, uid, since_seq) VALUES(?1, ?2, 0) ON CONFLICT(user, uid) DO NOTHING");
    row.bind(1, name).bind(2, uid).run();

    struct Old {
      TemplateBinding b;
      std::vector<unsigned char> nonce, ciphertext;
    };
    std::vector<Old> old;
    {
      Stmt q(*db_,
             "SELECT id, label, created, expires, format, dims, embedder, nonce, ciphertext FROM templates "
             "WHERE user = ?1 AND uid = ?2 AND format IN (1, 2) ORDER BY id");
      q.bind(1, name).bind(2, uid);
      while (q.step()) {
        Old o;
        o.b.id = q.int64(0);
        o.b.user = name;
        o.b.label = q.text(1);
        o.b.created = q.int64(2);
        o.b.expires = q.int64(3);
        o.b.format = static_cast<std::uint32_t>(q.int64(4));
        const std::int64_t dims = q.int64(5);
        o.b.dims = dims >= 1 && dims <= kMaxDims ? static_cast<std::uint32_t>(dims) : 0;
        o.b.embedder = q.text(6);
        o.nonce = q.blob(7);
        o.ciphertext = q.blob(8);
        old.push_back(std::move(o));
      }
    }
    Stmt reseal(*db_, "UPDATE templates SET format = ?2, nonce = ?3, ciphertext = ?4 WHERE id = ?1");
    for (auto& o : old) {
      SecureEmbedding emb;
      // Format 1 does not bind the embedder: only the one it implies is believed.
      const bool believable =
          o.b.dims != 0 && (o.b.format != kLegacyTemplateFormat || o.b.embedder == kLegacyEmbedder);
      if (!believable || !open_template(*key_, o.b, o.nonce, o.ciphertext, emb)) {
        ++unopened;  // stays format 1/2: load_templates reports it as tampered
        continue;
      }
      TemplateBinding nb = o.b;
      nb.format = kTemplateFormat;
      nb.uid = uid;
      SealedTemplate s = seal_template(*key_, nb, emb.span());
      reseal.bind(1, nb.id).bind(2, std::int64_t{nb.format});
      reseal.bind(3, std::span<const unsigned char>(s.nonce))
          .bind(4, std::span<const unsigned char>(s.ciphertext));
      reseal.run();
      reseal.reset();
      ++sealed;
    }
  }
  db_->exec("DELETE FROM meta WHERE key = 'accounts_unbound'");
  if (bound || !unresolved.empty()) {
    std::string detail = std::to_string(bound) + " account name(s) bound to their uid, " +
                         std::to_string(sealed) + " template(s) sealed again with it";
    if (unopened)
      detail += ", " + std::to_string(unopened) + " template(s) failed authentication and stay unusable";
    if (!unresolved.empty()) {
      detail += "; kept apart as former accounts (the name resolves to no account):";
      for (const auto& n : unresolved) detail += " " + n;
    }
    append_audit(*db_, {opts_.clock(), AuditEvent::AccountsBound, "", "faceauthd", std::nullopt, detail});
  }
  tx.commit();
}

std::vector<FormerAccount> Store::former_accounts() {
  Stmt q(*db_,
         "SELECT user, uid, sum(t), sum(c), sum(i) FROM ("
         " SELECT user, uid, 1 AS t, 0 AS c, 0 AS i FROM templates"
         " UNION ALL SELECT user, uid, 0, 1, 0 FROM consent"
         " UNION ALL SELECT user, uid, 0, 0, 1 FROM incidents WHERE user != ''"
         " UNION ALL SELECT user, uid, 0, 0, 0 FROM users)"
         " GROUP BY user, uid ORDER BY user, uid");
  std::vector<FormerAccount> rows;
  std::vector<std::string> names;
  while (q.step()) {
    FormerAccount f;
    f.user = q.text(0);
    f.uid = q.int64(1);
    f.templates = static_cast<std::size_t>(q.int64(2));
    f.consents = static_cast<std::size_t>(q.int64(3));
    f.incidents = static_cast<std::size_t>(q.int64(4));
    if (names.empty() || names.back() != f.user) names.push_back(f.user);  // ordered by user
    rows.push_back(std::move(f));
  }
  const auto resolved = uids_now(names);
  std::vector<FormerAccount> out;
  for (auto& f : rows) {
    const std::int64_t now = resolved.at(f.user);
    if (now >= 0 && now == f.uid) continue;  // the account of today
    if (now >= 0) f.uid_now = now;
    out.push_back(std::move(f));
  }
  return out;
}

FormerAccount Store::erase_former_account(const std::string& user, std::string_view actor) {
  if (user.empty()) throw StoreError(K::InvalidArgument, "erase_former_account needs a user name");
  const std::int64_t now_uid = uid_now(user);  // kNoAccount: every row of the name is former
  const TimePoint now = opts_.clock();
  FormerAccount f;
  f.user = user;
  if (now_uid >= 0) f.uid_now = now_uid;
  Transaction tx(*db_);
  std::vector<std::int64_t> uids;
  {
    Stmt q(
        *db_,
        "SELECT uid FROM users WHERE user = ?1 AND uid != ?2 UNION SELECT uid FROM templates WHERE user = ?1 "
        "AND uid != ?2 UNION SELECT uid FROM consent WHERE user = ?1 AND uid != ?2 UNION SELECT uid FROM "
        "incidents WHERE user = ?1 AND uid != ?2 ORDER BY 1");
    q.bind(1, user).bind(2, now_uid);
    while (q.step()) uids.push_back(q.int64(0));
  }
  if (uids.empty()) {
    throw StoreError(K::NotFound, "no data of a former account named \"" + user +
                                      "\" is stored (see `faceauthctl former`)");
  }
  f.uid = uids.front();
  std::string which;
  for (auto u : uids) which += (which.empty() ? "" : ", ") + uid_text(u);
  // Entries go to the store-wide log (user ""): the account that has the name
  // now must not find the former account's history in its own.
  f.templates = delete_templates_of(user, now_uid, true, AuditEvent::Removed, actor, "",
                                    "template of the former account " + user + " (uid " + which + ") erased");
  Stmt dc(*db_, "DELETE FROM consent WHERE user = ?1 AND uid != ?2");
  dc.bind(1, user).bind(2, now_uid).run();
  f.consents = static_cast<std::size_t>(db_->changes());
  Stmt di(*db_, "DELETE FROM incidents WHERE user = ?1 AND uid != ?2");
  di.bind(1, user).bind(2, now_uid).run();
  f.incidents = static_cast<std::size_t>(db_->changes());
  Stmt du(*db_, "DELETE FROM users WHERE user = ?1 AND uid != ?2");
  du.bind(1, user).bind(2, now_uid).run();
  append_audit(*db_, {now, AuditEvent::FormerAccountErased, "", std::string(actor), std::nullopt,
                      "former account " + user + " (uid " + which + "): " + std::to_string(f.templates) +
                          " template(s), " + std::to_string(f.consents) + " consent record(s), " +
                          std::to_string(f.incidents) + " incident(s) erased" +
                          (now_uid >= 0 ? "; the name now belongs to uid " + std::to_string(now_uid)
                                        : "; no account has the name now")});
  tx.commit();
  if (f.templates) checkpoint();
  return f;
}

}  // namespace faceauth
