// Template store: every row belongs to an account (name and uid). A name given
// to a new account sees none of the former account's data; administrators
// list and erase it; older stores are bound to their accounts on upgrade.
#include "store_test_util.h"

#include "store.h"
#include "template_crypto.h"

#include <pwd.h>
#include <sodium.h>

using namespace faceauth;
using namespace faceauth::test;
using K = StoreError::Kind;

namespace {

const char* kNotice = "faceauth privacy notice v1: numeric face templates for login on this machine only";

std::int64_t enroll(Store& s, const std::string& user, int seed) {
  if (!s.active_consent(user)) s.record_consent(user, "notice-v1", kNotice, "test");
  return s.add_template(user, "t" + std::to_string(seed), sample_embedding(seed));
}

bool has_event(const std::vector<AuditEntry>& log, const std::string& event) {
  for (const auto& e : log)
    if (e.event == event) return true;
  return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_accounts)

BOOST_FIXTURE_TEST_CASE(a_recycled_name_sees_nothing_of_the_former_account, StoreFixture) {
  Store s(options());
  enroll(s, "alice", 1);
  s.record_verify("alice", VerifyOutcome::NoMatch);
  s.record_verify("alice", VerifyOutcome::NoMatch);
  BOOST_REQUIRE(s.is_enrolled("alice"));
  const std::int64_t old_uid = uid("alice");

  // alice's account is deleted and a new account gets her name (another uid).
  uids["alice"] = 20000;
  BOOST_TEST(!s.is_enrolled("alice"));
  BOOST_TEST(s.load_templates("alice").empty());
  BOOST_TEST(s.list_templates("alice").empty());
  BOOST_TEST(!s.active_consent("alice").has_value());
  BOOST_TEST(s.consent_history("alice").empty());
  BOOST_TEST(s.lockout_state("alice").failures == 0);
  BOOST_TEST(s.audit_entries("alice").empty());
  BOOST_TEST(s.incidents("alice").empty());
  BOOST_TEST(s.enrolled_user_count() == 0u);
  auto x = s.export_user("alice");
  BOOST_TEST(x.templates.empty());
  BOOST_TEST(x.consents.empty());
  BOOST_TEST(x.audit.empty());

  // The former account's rows are reported...
  auto former = s.former_accounts();
  BOOST_REQUIRE(former.size() == 1u);
  BOOST_TEST(former[0].user == "alice");
  BOOST_TEST(former[0].uid == old_uid);
  BOOST_REQUIRE(former[0].uid_now.has_value());
  BOOST_TEST(*former[0].uid_now == 20000);
  BOOST_TEST(former[0].templates == 1u);
  BOOST_TEST(former[0].consents == 1u);

  // ... and the new account can consent and enroll on its own, seeing only
  // its own history.
  enroll(s, "alice", 2);
  BOOST_TEST(s.is_enrolled("alice"));
  BOOST_TEST(s.load_templates("alice").size() == 1u);
  BOOST_TEST(s.consent_history("alice").size() == 1u);
  auto own = s.audit_entries("alice");
  BOOST_TEST(own.size() == 2u);  // consent-given, enrolled
  BOOST_TEST(!has_event(own, "verify"));

  // An administrator erases the former account's data; the new account keeps its own.
  FormerAccount erased = s.erase_former_account("alice", "uid:0");
  BOOST_TEST(erased.templates == 1u);
  BOOST_TEST(erased.consents == 1u);
  BOOST_TEST(s.former_accounts().empty());
  BOOST_TEST(s.load_templates("alice").size() == 1u);
  BOOST_TEST(s.consent_history("alice").size() == 1u);
  BOOST_TEST(s.audit_entries("alice").size() == 2u);  // the erasure is store-wide, not in her log
  BOOST_TEST(has_event(s.audit_entries(std::string()), "former-account-erased"));
  expect_store_error(K::NotFound, [&] { s.erase_former_account("alice", "uid:0"); });
  RawDb raw(db());
  BOOST_TEST(raw.integer("SELECT count(*) FROM templates WHERE uid=" + std::to_string(old_uid)) == 0);
  BOOST_TEST(raw.integer("SELECT count(*) FROM consent WHERE uid=" + std::to_string(old_uid)) == 0);
  BOOST_TEST(raw.integer("SELECT count(*) FROM users WHERE uid=" + std::to_string(old_uid)) == 0);
}

BOOST_FIXTURE_TEST_CASE(a_deleted_account_is_former_and_cannot_be_written, StoreFixture) {
  Store s(options());
  enroll(s, "bob", 3);
  uids["bob"] = -1;  // userdel bob
  BOOST_TEST(!s.is_enrolled("bob"));
  auto former = s.former_accounts();
  BOOST_REQUIRE(former.size() == 1u);
  BOOST_TEST(!former[0].uid_now.has_value());
  expect_store_error(K::InvalidArgument, [&] { s.record_consent("bob", "notice-v1", kNotice, "test"); });
  expect_store_error(K::InvalidArgument, [&] { s.record_verify("bob", VerifyOutcome::NoMatch); });
  BOOST_TEST(s.erase_former_account("bob", "uid:0").templates == 1u);
  BOOST_TEST(s.former_accounts().empty());
}

BOOST_FIXTURE_TEST_CASE(a_template_moved_to_another_uid_fails_authentication, StoreFixture) {
  std::int64_t id = 0;
  {
    Store s(options());
    id = enroll(s, "carol", 4);
  }
  {
    // An attacker rebinds the old row to the new account of the same name.
    RawDb raw(db());
    raw.must("UPDATE templates SET uid=30000 WHERE id=" + std::to_string(id));
    raw.must("UPDATE consent SET uid=30000");
  }
  uids["carol"] = 30000;
  Store s(options());
  auto m = expect_store_error(K::Tampered, [&] { s.load_templates("carol"); });
  BOOST_TEST(m.find("template " + std::to_string(id)) != std::string::npos, m);
}

// A schema-2 store (rows without uid, format 2 templates) is bound on open:
// resolvable names get their uid and their templates are sealed again with
// it; names that resolve to nothing stay apart as former accounts; a row that
// fails authentication stays unusable and is reported as tampering.
BOOST_FIXTURE_TEST_CASE(an_older_store_is_bound_to_its_accounts_on_upgrade, StoreFixture) {
  { Store s(options()); }  // key file and key check
  auto key_bytes = read_file_bytes(key_file());
  std::vector<unsigned char> raw_key;
  if (key_bytes.size() >= 64) {
    raw_key.resize(32);
    BOOST_REQUIRE(sodium_hex2bin(raw_key.data(), 32, reinterpret_cast<const char*>(key_bytes.data()), 64,
                                 nullptr, nullptr, nullptr) == 0);
  } else {
    raw_key.assign(key_bytes.begin(), key_bytes.begin() + 32);
  }
  const auto emb = sample_embedding(7);
  auto seal2 = [&](std::int64_t id, const std::string& user) {
    TemplateBinding b;
    b.id = id;
    b.user = user;
    b.label = "old";
    b.created = 1'690'000'000;
    b.expires = 1'900'000'000;
    b.format = 2;
    b.dims = static_cast<std::uint32_t>(emb.size());
    b.embedder = "dlib-resnet";
    auto ad = template_associated_data(b);
    std::vector<unsigned char> nonce(kNonceBytes), ct(emb.size() * 4 + kTagBytes);
    randombytes_buf(nonce.data(), nonce.size());
    unsigned long long ct_len = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(ct.data(), &ct_len,
                                               reinterpret_cast<const unsigned char*>(emb.data()),
                                               emb.size() * 4, ad.data(), ad.size(), nullptr, nonce.data(),
                                               raw_key.data());
    return std::make_pair(nonce, ct);
  };
  {
    // Back to schema 2, as an older faceauth left it.
    RawDb raw(db());
    raw.must("DROP TABLE users; DROP TABLE templates; DROP TABLE consent; DROP TABLE incidents;");
    raw.must(
        "CREATE TABLE users (user TEXT PRIMARY KEY, excluded INTEGER NOT NULL DEFAULT 0, excluded_reason "
        "TEXT "
        "NOT NULL DEFAULT '', face_refused INTEGER NOT NULL DEFAULT 0, face_refused_reason TEXT NOT NULL "
        "DEFAULT '', failures INTEGER NOT NULL DEFAULT 0, locked_until INTEGER NOT NULL DEFAULT 0) STRICT;"
        "CREATE TABLE templates (id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, label TEXT NOT "
        "NULL, created INTEGER NOT NULL, expires INTEGER NOT NULL, format INTEGER NOT NULL, dims INTEGER NOT "
        "NULL, nonce BLOB NOT NULL, ciphertext BLOB NOT NULL, embedder TEXT NOT NULL DEFAULT 'dlib-resnet') "
        "STRICT;"
        "CREATE TABLE consent (id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, notice_id TEXT NOT "
        "NULL, notice_sha256 BLOB NOT NULL, given_at INTEGER NOT NULL, method TEXT NOT NULL, withdrawn_at "
        "INTEGER, withdrawal_method TEXT NOT NULL DEFAULT '') STRICT;"
        "CREATE TABLE incidents (id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, time INTEGER NOT "
        "NULL, kind TEXT NOT NULL, detail TEXT NOT NULL, acknowledged_at INTEGER) STRICT;"
        "PRAGMA user_version = 2;");
    raw.must("INSERT INTO users(user, failures) VALUES('alice', 2), ('gone', 0)");
    raw.must(
        "INSERT INTO consent(user, notice_id, notice_sha256, given_at, method) VALUES "
        "('alice', 'notice-v1', zeroblob(32), 1690000000, 'test'), ('gone', 'notice-v1', zeroblob(32), "
        "1690000000, 'test'), ('dave', 'notice-v1', zeroblob(32), 1690000000, 'test')");
    auto [n1, c1] = seal2(1, "alice");
    auto [n2, c2] = seal2(2, "gone");
    auto [n3, c3] = seal2(3, "dave");
    c3[5] ^= 1;  // edited while the store was at schema 2
    const char* ins =
        "INSERT INTO templates(id, user, label, created, expires, format, dims, nonce, ciphertext) "
        "VALUES(%d, '%s', 'old', 1690000000, 1900000000, 2, 128, ?1, zeroblob(0))";
    for (auto [id, user, nonce, ct] :
         {std::tuple{1, "alice", n1, c1}, std::tuple{2, "gone", n2, c2}, std::tuple{3, "dave", n3, c3}}) {
      char sql[300];
      std::snprintf(sql, sizeof sql, ins, id, user);
      raw.set_blob(sql, nonce);
      raw.set_blob("UPDATE templates SET ciphertext = ?1 WHERE id = " + std::to_string(id), ct);
    }
  }
  uids["gone"] = -1;  // deleted before the upgrade
  const std::int64_t alice = uid("alice");
  Store s(options());
  RawDb raw(db());
  BOOST_TEST(raw.integer("PRAGMA user_version") == 3);
  BOOST_TEST(raw.integer("SELECT format FROM templates WHERE id=1") == 3);
  BOOST_TEST(raw.integer("SELECT uid FROM templates WHERE id=1") == alice);
  BOOST_TEST(raw.integer("SELECT count(*) FROM meta WHERE key='accounts_unbound'") == 0);
  auto loaded = s.load_templates("alice");
  BOOST_REQUIRE(loaded.size() == 1u);
  BOOST_TEST(loaded[0].embedding.size() == emb.size());
  BOOST_TEST(loaded[0].embedding[5] == emb[5]);
  BOOST_TEST(s.lockout_state("alice").failures == 2);  // her state came along
  BOOST_TEST(s.consent_history("alice").size() == 1u);
  BOOST_TEST(has_event(s.audit_entries(std::string()), "accounts-bound"));
  // The deleted account's rows: kept apart, uid unknown, erasable.
  auto former = s.former_accounts();
  BOOST_REQUIRE(former.size() == 1u);
  BOOST_TEST(former[0].user == "gone");
  BOOST_TEST(former[0].uid == -1);
  BOOST_TEST(former[0].templates == 1u);
  // The edited row stays format 2 and is refused as tampering.
  BOOST_TEST(raw.integer("SELECT format FROM templates WHERE id=3") == 2);
  auto m = expect_store_error(K::Tampered, [&] { s.load_templates("dave"); });
  BOOST_TEST(m.find("could not be bound to its account") != std::string::npos, m);
  // If the name "gone" is given to a new account, nothing of the old rows shows.
  uids["gone"] = 40000;
  BOOST_TEST(!s.is_enrolled("gone"));
  BOOST_TEST(s.consent_history("gone").empty());
  BOOST_TEST(s.erase_former_account("gone", "uid:0").consents == 1u);
}

// With the system's accounts (no uid_of), Status's count and the former
// accounts come from one pass over the account database: the same answers as
// a lookup per name. root and daemon exist on every Debian system; the third
// name exists nowhere, so its rows are a former account's.
BOOST_FIXTURE_TEST_CASE(system_accounts_are_resolved_in_one_pass_with_the_answers_of_a_lookup_each,
                        StoreFixture) {
  StoreOptions o = options();
  uids["root"] = 0;
  uids["daemon"] = static_cast<std::int64_t>(getpwnam("daemon")->pw_uid);
  {
    Store s(o);
    enroll(s, "root", 1);
    enroll(s, "daemon", 2);
    enroll(s, "faceauth-no-such-account", 3);  // uid 10000 in the fixture's table
  }
  o.uid_of = nullptr;  // from now on: the system's accounts
  Store system(o);
  BOOST_TEST(system.enrolled_user_count() == 2u);
  const auto former = system.former_accounts();
  BOOST_REQUIRE(former.size() == 1u);
  BOOST_TEST(former[0].user == "faceauth-no-such-account");
  BOOST_TEST(!former[0].uid_now.has_value());
}

BOOST_AUTO_TEST_SUITE_END()
