// Template store: files and permissions, keys, encryption and tamper
// detection, consent and withdrawal, exclusion, retention, lockout, export.
#include "store_test_util.h"

#include "secure_buffer.h"
#include "store.h"

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

using namespace faceauth;
using namespace faceauth::test;
using K = StoreError::Kind;
namespace fs = std::filesystem;

namespace {

mode_t mode_of(const std::string& p) {
  struct stat st {};
  BOOST_REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

const char* kNotice =
    "faceauth privacy notice v1: the administrator processes numeric face "
    "templates for login on this machine only...";

// Opens a store, records consent for `user` and enrolls one template.
std::int64_t enroll(Store& s, const std::string& user, int seed) {
  if (!s.active_consent(user)) s.record_consent(user, "notice-v1", kNotice, "test");
  return s.add_template(user, "t" + std::to_string(seed), sample_embedding(seed));
}

bool contains(const std::vector<unsigned char>& hay, const std::vector<unsigned char>& needle) {
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store)

BOOST_FIXTURE_TEST_CASE(creates_private_files_and_schema, StoreFixture) {
  {
    Store s(options());
    s.record_consent("alice", "notice-v1", kNotice, "test");  // a write, so the WAL exists
    BOOST_TEST(mode_of(db() + "-wal") == 0600u);
    BOOST_TEST(mode_of(db() + "-shm") == 0600u);
  }
  BOOST_TEST(mode_of(state) == 0700u);
  BOOST_TEST(mode_of(db()) == 0600u);
  BOOST_TEST(mode_of(key_file()) == 0400u);
  BOOST_TEST(fs::file_size(key_file()) == 32u);
  RawDb raw(db());
  BOOST_TEST(raw.text("PRAGMA journal_mode") == "wal");
  BOOST_TEST(raw.integer("PRAGMA user_version") == 3);
  BOOST_TEST(raw.blob("SELECT value FROM meta WHERE key='key_check'").size() > 24u);
}

BOOST_FIXTURE_TEST_CASE(tightens_an_open_state_directory, StoreFixture) {
  fs::create_directories(state);
  ::chmod(state.c_str(), 0755);
  { Store s(options()); }
  BOOST_TEST(mode_of(state) == 0700u);
}

BOOST_FIXTURE_TEST_CASE(roundtrip_in_locked_memory, StoreFixture) {
  Store s(options());
  s.record_consent("alice", "notice-v1", kNotice, "typed yes");
  auto e = sample_embedding(7);
  auto id = s.add_template("alice", "office", e);
  auto loaded = s.load_templates("alice");
  BOOST_REQUIRE(loaded.size() == 1u);
  BOOST_TEST(loaded[0].info.id == id);
  BOOST_TEST(loaded[0].info.label == "office");
  BOOST_TEST(loaded[0].info.dims == 128u);
  BOOST_TEST((loaded[0].info.created == now));
  BOOST_TEST((loaded[0].info.expires == now + std::chrono::days(365)));
  BOOST_TEST(loaded[0].embedding.locked());
  BOOST_TEST(std::equal(e.begin(), e.end(), loaded[0].embedding.begin(), loaded[0].embedding.end()));
  BOOST_TEST(s.is_enrolled("alice"));
  BOOST_TEST(!s.is_enrolled("bob"));
  BOOST_TEST(s.enrolled_user_count() == 1u);

  // Never stored in the clear: the float bytes do not appear in the database.
  RawDb raw(db());
  auto ct = raw.blob("SELECT ciphertext FROM templates WHERE id=" + std::to_string(id));
  BOOST_TEST(ct.size() == 128u * 4 + 16);
  std::vector<unsigned char> plain(reinterpret_cast<unsigned char*>(e.data()),
                                   reinterpret_cast<unsigned char*>(e.data()) + 64);
  BOOST_TEST(!contains(ct, plain));
  BOOST_TEST(!contains(read_file_bytes(db()), plain));
  BOOST_TEST(!contains(read_file_bytes(db() + "-wal"), plain));

  // A fresh nonce per write: the same embedding encrypts differently.
  auto id2 = s.add_template("alice", "office", e);
  auto n1 = raw.blob("SELECT nonce FROM templates WHERE id=" + std::to_string(id));
  auto n2 = raw.blob("SELECT nonce FROM templates WHERE id=" + std::to_string(id2));
  BOOST_TEST(n1.size() == 24u);
  BOOST_TEST((n1 != n2));
}

BOOST_AUTO_TEST_CASE(secure_array_locks_moves_and_wipes) {
  SecureEmbedding a(128);
  BOOST_TEST(a.locked());
  BOOST_TEST(a.size() == 128u);
  BOOST_TEST(
      reinterpret_cast<std::uintptr_t>(a.data()) % static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE)) == 0u);
  a[0] = 1.5f;
  SecureEmbedding b = std::move(a);
  BOOST_TEST(a.data() == nullptr);
  BOOST_TEST(b[0] == 1.5f);
  b.reset();
  BOOST_TEST(b.empty());
}

BOOST_FIXTURE_TEST_CASE(flipped_ciphertext_byte_is_tampered_and_audited, StoreFixture) {
  std::int64_t id = 0;
  {
    Store s(options());
    id = enroll(s, "alice", 1);
  }
  {
    RawDb raw(db());
    auto ct = raw.blob("SELECT ciphertext FROM templates WHERE id=" + std::to_string(id));
    ct[10] ^= 0x01;
    raw.set_blob("UPDATE templates SET ciphertext=?1 WHERE id=" + std::to_string(id), ct);
  }
  Store s(options());
  BOOST_TEST(s.is_enrolled("alice"));  // metadata alone cannot tell
  auto msg = expect_store_error(K::Tampered, [&] { s.load_templates("alice"); });
  BOOST_TEST(msg.find("template " + std::to_string(id)) != std::string::npos, msg);
  // Recorded: incident, audit entry with the template id, face auth refused.
  auto inc = s.incidents("alice", true);
  BOOST_REQUIRE(inc.size() == 1u);
  BOOST_TEST(inc[0].kind == "template-tampered");
  auto audit = s.audit_entries(std::string("alice"));
  BOOST_TEST(std::any_of(audit.begin(), audit.end(), [&](const AuditEntry& e) {
    return e.event == "tamper-detected" && e.template_id == id;
  }));
  BOOST_TEST(s.face_auth_refused("alice"));
  BOOST_TEST(!s.is_enrolled("alice"));
  expect_store_error(K::FaceAuthRefused, [&] { s.load_templates("alice"); });
  expect_store_error(K::FaceAuthRefused, [&] { s.add_template("alice", "x", sample_embedding(2)); });
  BOOST_TEST(s.verify_audit().ok);
  // The refusal survives a restart; restoring erases every template (none can
  // be trusted) and clears the refusal, audited.
  {
    Store again(options());
    BOOST_TEST(again.face_auth_refused("alice"));
  }
  BOOST_TEST(s.restore_face_auth("alice", "uid:0") == 1u);
  BOOST_TEST(!s.face_auth_refused("alice"));
  BOOST_TEST(s.list_templates("alice").empty());
  BOOST_TEST(s.load_templates("alice").empty());
  auto after = s.audit_entries(std::string("alice"));
  BOOST_TEST(after.back().event == "face-auth-restored");
  BOOST_TEST(after.back().detail.find("1 template(s) erased") != std::string::npos);
  BOOST_TEST(s.add_template("alice", "again", sample_embedding(3)) > id);  // the person enrolls again
  (void)id;
  BOOST_TEST(s.acknowledge_incidents("alice") == 1u);  // one incident: restoring erased the bad row
  BOOST_TEST(s.incidents("alice", true).empty());
}

BOOST_FIXTURE_TEST_CASE(row_moved_or_copied_to_another_user_or_id_is_refused, StoreFixture) {
  std::int64_t id = 0;
  {
    Store s(options());
    id = enroll(s, "alice", 1);
    s.record_consent("bob", "notice-v1", kNotice, "test");
    s.record_consent("carol", "notice-v1", kNotice, "test");
  }
  const std::string sid = std::to_string(id);
  {
    RawDb raw(db());
    // Copy alice's row to bob under a new id, and to alice under a new id.
    const std::string bob_uid = std::to_string(uid("bob"));
    raw.must(
        "INSERT INTO templates(id,user,uid,label,created,expires,format,dims,nonce,ciphertext) "
        "SELECT id+100,'bob'," +
        bob_uid +
        ",label,created,expires,format,dims,nonce,ciphertext FROM "
        "templates WHERE id=" +
        sid);
    raw.must(
        "INSERT INTO templates(id,user,uid,label,created,expires,format,dims,nonce,ciphertext) "
        "SELECT id+200,'alice',uid,label,created,expires,format,dims,nonce,ciphertext FROM "
        "templates WHERE id=" +
        sid);
  }
  {
    Store s(options());
    expect_store_error(K::Tampered, [&] { s.load_templates("bob"); });
    expect_store_error(K::Tampered, [&] { s.load_templates("alice"); });
    BOOST_TEST(s.incidents("bob").size() == 1u);
  }
  // Moving the original row itself (same id, other user) fails as well.
  {
    RawDb raw(db());
    raw.must("DELETE FROM templates WHERE id!=" + sid);
    raw.must("UPDATE templates SET user='carol', uid=" + std::to_string(uid("carol")) + " WHERE id=" + sid);
  }
  Store s(options());
  expect_store_error(K::Tampered, [&] { s.load_templates("carol"); });
}

BOOST_FIXTURE_TEST_CASE(edited_expiry_or_label_is_refused, StoreFixture) {
  std::int64_t a = 0, b = 0;
  {
    Store s(options());
    a = enroll(s, "alice", 1);
    b = enroll(s, "bob", 2);
  }
  {
    RawDb raw(db());
    raw.must("UPDATE templates SET expires=expires+86400000 WHERE id=" + std::to_string(a));
    raw.must("UPDATE templates SET label='renamed' WHERE id=" + std::to_string(b));
  }
  Store s(options());
  expect_store_error(K::Tampered, [&] { s.load_templates("alice"); });
  expect_store_error(K::Tampered, [&] { s.load_templates("bob"); });
}

BOOST_FIXTURE_TEST_CASE(plaintext_or_unknown_format_rows_are_refused, StoreFixture) {
  {
    Store s(options());
    s.record_consent("alice", "notice-v1", kNotice, "test");
    s.record_consent("bob", "notice-v1", kNotice, "test");
  }
  {
    RawDb raw(db());
    auto e = sample_embedding(3);
    std::vector<unsigned char> plain(reinterpret_cast<unsigned char*>(e.data()),
                                     reinterpret_cast<unsigned char*>(e.data() + e.size()));
    // A "legacy" unencrypted row (format 0) and a row claiming a future format.
    raw.set_blob(
        "INSERT INTO templates(user,uid,label,created,expires,format,dims,nonce,ciphertext) "
        "VALUES('alice'," +
            std::to_string(uid("alice")) + ",'plain',1700000000,1900000000,0,128,x'',?1)",
        plain);
    raw.set_blob(
        "INSERT INTO templates(user,uid,label,created,expires,format,dims,nonce,ciphertext) "
        "VALUES('bob'," +
            std::to_string(uid("bob")) + ",'future',1700000000,1900000000,4,128,zeroblob(24),?1)",
        plain);
  }
  Store s(options());
  auto m1 = expect_store_error(K::Tampered, [&] { s.load_templates("alice"); });
  BOOST_TEST(m1.find("format version 0") != std::string::npos, m1);
  auto m2 = expect_store_error(K::Tampered, [&] { s.load_templates("bob"); });
  BOOST_TEST(m2.find("format version 4") != std::string::npos, m2);
}

BOOST_FIXTURE_TEST_CASE(each_template_records_its_embedder, StoreFixture) {
  std::int64_t a = 0, b = 0;
  {
    Store s(options());
    s.record_consent("alice", "notice-v1", kNotice, "test");
    a = s.add_template("alice", "new", std::vector<float>(512, 0.04f), "test", "mobilefacenet");
    b = s.add_template("alice", "old", sample_embedding(4), "test", "dlib-resnet");
    BOOST_CHECK_THROW(s.add_template("alice", "x", sample_embedding(4), "test", "Bad Name"), StoreError);
    BOOST_CHECK_THROW(s.add_template("alice", "x", sample_embedding(4), "test", ""), StoreError);
    auto list = s.list_templates("alice");
    BOOST_REQUIRE(list.size() == 2u);
    BOOST_TEST(list[0].embedder == "mobilefacenet");
    BOOST_TEST(list[0].dims == 512u);
    BOOST_TEST(list[1].embedder == "dlib-resnet");
    BOOST_TEST(s.count_templates_not_made_by("mobilefacenet") == 1);
    BOOST_TEST(s.count_templates_not_made_by("dlib-resnet") == 1);
    auto loaded = s.load_templates("alice");
    BOOST_REQUIRE(loaded.size() == 2u);
    BOOST_TEST(loaded[0].info.embedder == "mobilefacenet");
    BOOST_TEST(loaded[0].embedding.size() == 512u);
  }
  {
    // The embedder is bound into the associated data: relabelling a template
    // as another embedder's is tampering, never a silent comparison.
    RawDb raw(db());
    raw.must("UPDATE templates SET embedder='mobilefacenet' WHERE id=" + std::to_string(b));
  }
  Store s(options());
  auto m = expect_store_error(K::Tampered, [&] { s.load_templates("alice"); });
  BOOST_TEST(m.find("template " + std::to_string(b)) != std::string::npos, m);
  (void)a;
}

BOOST_FIXTURE_TEST_CASE(wrong_key_is_a_clear_error_at_open, StoreFixture) {
  {
    Store s(options());
    enroll(s, "alice", 1);
  }
  ::chmod(key_file().c_str(), 0600);
  {
    unsigned char other[32];
    randombytes_buf(other, sizeof other);
    std::ofstream out(key_file(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<char*>(other), sizeof other);
  }
  ::chmod(key_file().c_str(), 0400);
  auto msg = expect_store_error(K::WrongKey, [&] { Store s(options()); });
  BOOST_TEST(msg.find(key_file()) != std::string::npos, msg);
  BOOST_TEST(msg.find("does not match") != std::string::npos, msg);
}

BOOST_FIXTURE_TEST_CASE(key_file_with_loose_permissions_owner_or_symlink_is_refused, StoreFixture) {
  { Store s(options()); }
  ::chmod(key_file().c_str(), 0644);
  auto msg = expect_store_error(K::KeyPermissions, [&] { Store s(options()); });
  BOOST_TEST(msg.find("0644") != std::string::npos, msg);
  BOOST_TEST(msg.find("chmod 0400 " + key_file()) != std::string::npos, msg);

  ::chmod(key_file().c_str(), 0440);
  expect_store_error(K::KeyPermissions, [&] { Store s(options()); });

  ::chmod(key_file().c_str(), 0400);
  if (::geteuid() == 0) {
    BOOST_REQUIRE(::chown(key_file().c_str(), 65534, 65534) == 0);
    msg = expect_store_error(K::KeyPermissions, [&] { Store s(options()); });
    BOOST_TEST(msg.find("chown") != std::string::npos, msg);
    BOOST_REQUIRE(::chown(key_file().c_str(), ::geteuid(), ::getegid()) == 0);
  } else {
    BOOST_TEST_MESSAGE("skipped the wrong-owner check: it needs root to chown the key");
  }

  fs::rename(key_file(), state + "/real.key");
  fs::create_symlink(state + "/real.key", key_file());
  msg = expect_store_error(K::KeyPermissions, [&] { Store s(options()); });
  BOOST_TEST(msg.find("symbolic link") != std::string::npos, msg);
  fs::remove(key_file());
  fs::rename(state + "/real.key", key_file());
  Store ok(options());  // and the restored file works
}

BOOST_FIXTURE_TEST_CASE(missing_key_with_templates_is_refused_not_replaced, StoreFixture) {
  {
    Store s(options());
    enroll(s, "alice", 1);
  }
  auto saved = read_file_bytes(key_file());
  fs::remove(key_file());
  auto msg = expect_store_error(K::KeyMissing, [&] { Store s(options()); });
  BOOST_TEST(msg.find("1 template(s)") != std::string::npos, msg);
  BOOST_TEST(!fs::exists(key_file()));  // no new key was made
  // Putting the key back restores access.
  {
    std::ofstream out(key_file(), std::ios::binary);
    out.write(reinterpret_cast<const char*>(saved.data()), static_cast<std::streamsize>(saved.size()));
  }
  ::chmod(key_file().c_str(), 0400);
  Store s(options());
  BOOST_TEST(s.load_templates("alice").size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(key_without_templates_may_be_recreated_and_is_never_overwritten, StoreFixture) {
  { Store s(options()); }
  auto first = read_file_bytes(key_file());
  { Store s(options()); }
  BOOST_TEST((read_file_bytes(key_file()) == first));  // reopening keeps the key
  fs::remove(key_file());
  Store s(options());  // no template depended on it: a new key is made
  BOOST_TEST(fs::exists(key_file()));
  BOOST_TEST((read_file_bytes(key_file()) != first));
  BOOST_TEST(enroll(s, "alice", 1) > 0);
  BOOST_TEST(s.load_templates("alice").size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(systemd_credential_is_preferred, StoreFixture) {
  auto opts = options();
  opts.key.credentials_dir = root + "/creds";
  fs::create_directories(*opts.key.credentials_dir);
  const std::string cred = *opts.key.credentials_dir + "/faceauth-store-key";
  {
    std::ofstream out(cred);
    out << "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n";
  }
  {
    Store s(opts);
    BOOST_TEST(s.key_source() == cred);
    enroll(s, "alice", 1);
  }
  BOOST_TEST(!fs::exists(key_file()));  // no key file made beside a credential
  Store again(opts);
  BOOST_TEST(again.load_templates("alice").size() == 1u);
  // A credential of the wrong length is a clear error.
  {
    std::ofstream out(cred, std::ios::trunc);
    out << "short";
  }
  expect_store_error(K::KeyInvalid, [&] { Store s(opts); });
}

BOOST_FIXTURE_TEST_CASE(enrollment_needs_consent_and_an_included_account, StoreFixture) {
  Store s(options());
  expect_store_error(K::ConsentRequired, [&] { s.add_template("alice", "x", sample_embedding(1)); });
  auto cid = s.record_consent("alice", "notice-v1", kNotice, "typed yes");
  auto c = s.active_consent("alice");
  BOOST_REQUIRE(c.has_value());
  BOOST_TEST(c->id == cid);
  Sha256 h{};
  crypto_hash_sha256(h.data(), reinterpret_cast<const unsigned char*>(kNotice),
                     std::char_traits<char>::length(kNotice));
  BOOST_TEST((c->notice_sha256 == h));
  BOOST_TEST(c->notice_id == "notice-v1");
  BOOST_TEST(c->method == "typed yes");
  BOOST_TEST((c->given_at == now));
  s.add_template("alice", "x", sample_embedding(1));

  // Exclusion (e.g. under 14) deletes templates and forbids consent and enrollment.
  s.set_excluded("alice", true, "under 14", "uid:0");
  BOOST_TEST(s.is_excluded("alice"));
  BOOST_TEST(s.list_templates("alice").empty());
  BOOST_TEST(!s.active_consent("alice").has_value());
  expect_store_error(K::Excluded, [&] { s.record_consent("alice", "notice-v1", kNotice, "t"); });
  expect_store_error(K::Excluded, [&] { s.add_template("alice", "x", sample_embedding(1)); });
  {
    Store again(options());
    BOOST_TEST(again.is_excluded("alice"));
  }
  s.set_excluded("alice", false, "", "uid:0");
  s.record_consent("alice", "notice-v1", kNotice, "t");
  s.add_template("alice", "x", sample_embedding(1));

  std::vector<float> bad = sample_embedding(1);
  bad[3] = std::numeric_limits<float>::quiet_NaN();
  expect_store_error(K::InvalidArgument, [&] { s.add_template("alice", "x", bad); });
  expect_store_error(K::InvalidArgument, [&] { s.add_template("alice", "x", {}); });
}

BOOST_FIXTURE_TEST_CASE(withdrawal_deletes_all_and_only_that_users_templates, StoreFixture) {
  Store s(options());
  enroll(s, "alice", 1);
  enroll(s, "alice", 2);
  auto bob = enroll(s, "bob", 3);
  auto r = s.withdraw_consent("alice", "faceauthctl withdraw");
  BOOST_TEST(r.consent_withdrawn);
  BOOST_TEST(r.templates_deleted == 2u);
  BOOST_TEST(s.list_templates("alice").empty());
  BOOST_TEST(!s.active_consent("alice").has_value());
  BOOST_TEST(s.consent_history("alice").size() == 1u);
  BOOST_TEST(s.consent_history("alice")[0].withdrawn_at.has_value());
  auto b = s.load_templates("bob");
  BOOST_REQUIRE(b.size() == 1u);
  BOOST_TEST(b[0].info.id == bob);
  RawDb raw(db());
  BOOST_TEST(raw.integer("SELECT count(*) FROM templates WHERE user='alice'") == 0);
  BOOST_TEST(raw.integer("SELECT count(*) FROM templates") == 1);
  auto audit = s.audit_entries(std::string("alice"));
  BOOST_TEST(std::count_if(audit.begin(), audit.end(),
                           [](const AuditEntry& e) { return e.event == "removed"; }) == 2);
  BOOST_TEST(std::count_if(audit.begin(), audit.end(),
                           [](const AuditEntry& e) { return e.event == "consent-withdrawn"; }) == 1);
  expect_store_error(K::ConsentRequired, [&] { s.add_template("alice", "x", sample_embedding(1)); });
}

BOOST_FIXTURE_TEST_CASE(consent_and_template_are_one_change, StoreFixture) {
  Store s(options());
  std::vector<float> bad(128, 0.1f);
  bad[7] = std::numeric_limits<float>::quiet_NaN();
  const auto audit_before = s.audit_entries().size();
  BOOST_CHECK_THROW(s.add_template_with_consent("alice", "notice-v1", kNotice, "typed yes", "office", bad,
                                                "uid:0", "mobilefacenet"),
                    StoreError);
  BOOST_TEST(s.consent_history("alice").empty(), "a failed enrollment must leave no consent");
  BOOST_TEST(s.audit_entries().size() == audit_before);
  const auto id = s.add_template_with_consent("alice", "notice-v1", kNotice, "typed yes", "office",
                                              sample_embedding(1), "uid:0", "mobilefacenet");
  BOOST_TEST(id > 0);
  BOOST_TEST(s.consent_history("alice").size() == 1u);
  BOOST_TEST(s.list_templates("alice").size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(an_empty_store_next_to_its_key_is_a_loss, StoreFixture) {
  {
    Store s(options());
    enroll(s, "alice", 1);
    BOOST_TEST(!s.found_lost(), "a new install is not a loss");
  }
  // The database is truncated to 0 bytes (or deleted) while the key stays.
  fs::resize_file(db(), 0);
  fs::remove(db() + "-wal");
  fs::remove(db() + "-shm");
  Store s(options());
  BOOST_TEST(s.found_lost());
  auto inc = s.incidents("", true);
  BOOST_REQUIRE(inc.size() == 1u);
  BOOST_TEST(inc[0].kind == "store-lost");
  auto audit = s.audit_entries();
  BOOST_TEST(std::any_of(audit.begin(), audit.end(),
                         [](const AuditEntry& e) { return e.event == "tamper-detected"; }));
  // Once recorded, a reopen is not a second loss.
  Store again(options());
  BOOST_TEST(!again.found_lost());
}

BOOST_FIXTURE_TEST_CASE(calls_that_change_nothing_write_nothing, StoreFixture) {
  Store s(options());
  const auto before = s.audit_entries().size();
  for (int i = 0; i < 50; ++i) {
    BOOST_TEST(!s.reset_lockout("alice", "uid:1000"));
    WithdrawResult r = s.withdraw_consent("alice", "test", "uid:1000");
    BOOST_TEST(!r.consent_withdrawn);
    BOOST_TEST(r.templates_deleted == 0u);
  }
  BOOST_TEST(s.audit_entries().size() == before, "no audit row for calls that changed nothing");
  // A real change still writes its row.
  s.record_verify("alice", VerifyOutcome::NoMatch, "uid:1000");
  const auto after_failure = s.audit_entries().size();
  BOOST_TEST(s.reset_lockout("alice", "uid:1000"));
  BOOST_TEST(s.audit_entries().size() == after_failure + 1);
  BOOST_TEST(s.lockout_state("alice").failures == 0);
}

BOOST_FIXTURE_TEST_CASE(deleted_templates_are_overwritten_on_disk, StoreFixture) {
  Store s(options());
  auto id = enroll(s, "alice", 1);
  std::vector<unsigned char> ct;
  {
    RawDb raw(db());
    ct = raw.blob("SELECT ciphertext FROM templates WHERE id=" + std::to_string(id));
  }
  std::vector<unsigned char> piece(ct.begin() + 100, ct.begin() + 132);
  // Before deletion the ciphertext is on disk (main file or WAL) ...
  BOOST_REQUIRE(contains(read_file_bytes(db()), piece) || contains(read_file_bytes(db() + "-wal"), piece));
  s.withdraw_consent("alice", "test");
  // ... and after it, neither file holds it any more (secure_delete + WAL truncation).
  BOOST_TEST(!contains(read_file_bytes(db()), piece));
  BOOST_TEST(!contains(read_file_bytes(db() + "-wal"), piece));
}

BOOST_FIXTURE_TEST_CASE(expired_templates_are_unused_and_purged, StoreFixture) {
  auto opts = options();
  opts.retention = std::chrono::days(30);
  Store s(opts);
  auto old_id = enroll(s, "alice", 1);
  now += std::chrono::days(20);
  auto new_id = enroll(s, "alice", 2);
  auto keep = enroll(s, "bob", 3);
  now += std::chrono::days(11);  // old_id is 31 days old
  auto live = s.load_templates("alice");
  BOOST_REQUIRE(live.size() == 1u);
  BOOST_TEST(live[0].info.id == new_id);
  BOOST_TEST(s.list_templates("alice").size() == 2u);  // visible until purged
  BOOST_TEST(s.purge_expired() == 1u);
  auto left = s.list_templates("alice");
  BOOST_REQUIRE(left.size() == 1u);
  BOOST_TEST(left[0].id == new_id);
  BOOST_TEST(s.list_templates("bob").size() == 1u);
  BOOST_TEST(s.list_templates("bob")[0].id == keep);
  auto audit = s.audit_entries(std::string("alice"));
  BOOST_TEST(std::any_of(audit.begin(), audit.end(), [&](const AuditEntry& e) {
    return e.event == "expiry-purge" && e.template_id == old_id;
  }));
  BOOST_TEST(s.purge_expired() == 0u);
  now += std::chrono::days(30);
  BOOST_TEST(!s.is_enrolled("alice"));
  BOOST_TEST(s.purge_expired() == 2u);
  BOOST_TEST(RawDb(db()).integer("SELECT count(*) FROM templates") == 0);
}

BOOST_FIXTURE_TEST_CASE(lockout_counts_persists_and_resets, StoreFixture) {
  auto opts = options();
  opts.lockout.max_failures = 5;
  opts.lockout.duration = std::chrono::minutes(10);
  {
    Store s(opts);
    for (int i = 1; i <= 4; ++i) {
      auto st = s.record_verify("alice", VerifyOutcome::NoMatch);
      BOOST_TEST(st.failures == i);
      BOOST_TEST(!st.locked);
    }
    BOOST_TEST(s.record_verify("alice", VerifyOutcome::Error).failures == 4);
  }
  {
    Store s(opts);  // a restart does not clear the counter
    BOOST_TEST(s.lockout_state("alice").failures == 4);
    auto st = s.record_verify("alice", VerifyOutcome::NoMatch);
    BOOST_TEST(st.locked);
    BOOST_TEST((st.locked_until == now + std::chrono::minutes(10)));
  }
  {
    Store s(opts);
    BOOST_TEST(s.lockout_state("alice").locked);
    // While locked, outcomes are audited but change nothing (a match does not unlock).
    BOOST_TEST(s.record_verify("alice", VerifyOutcome::Match).locked);
    now += std::chrono::minutes(11);
    BOOST_TEST(!s.lockout_state("alice").locked);
    BOOST_TEST(s.record_verify("alice", VerifyOutcome::NoMatch).failures == 1);
    BOOST_TEST(s.record_verify("alice", VerifyOutcome::Match).failures == 0);
    for (int i = 0; i < 5; ++i) s.record_verify("alice", VerifyOutcome::NoMatch);
    BOOST_TEST(s.lockout_state("alice").locked);
    s.reset_lockout("alice", "uid:0");
    BOOST_TEST(!s.lockout_state("alice").locked);
    BOOST_TEST(s.lockout_state("alice").failures == 0);
    auto audit = s.audit_entries(std::string("alice"));
    BOOST_TEST(std::count_if(audit.begin(), audit.end(),
                             [](const AuditEntry& e) { return e.event == "lockout"; }) == 2);
    BOOST_TEST(std::count_if(audit.begin(), audit.end(),
                             [](const AuditEntry& e) { return e.event == "lockout-reset"; }) == 1);
    for (const auto& e : audit) {
      if (e.event == "verify") {
        BOOST_TEST((e.detail.rfind("match", 0) == 0 || e.detail.rfind("no-match", 0) == 0 ||
                    e.detail.rfind("error", 0) == 0),
                   e.detail);
      }
    }
    BOOST_TEST(s.lockout_state("bob").failures == 0);
  }
}

BOOST_FIXTURE_TEST_CASE(verify_gate_reads_refusal_lockout_enrollment_and_templates_in_order, StoreFixture) {
  using V = VerifyGate::Verdict;
  auto opts = options();
  opts.lockout.max_failures = 1;
  Store s(opts);
  GateQuery q;
  q.embedder = "dlib-resnet";
  q.dims = 128;
  BOOST_TEST((s.verify_gate("bob", q).verdict == V::NotEnrolled));

  enroll(s, "alice", 1);
  s.add_template("alice", "other", std::vector<float>(512, 0.04f), "test", "mobilefacenet");
  VerifyGate g = s.verify_gate("alice", q);
  BOOST_TEST((g.verdict == V::Templates));
  BOOST_REQUIRE_EQUAL(g.templates.size(), 1u);
  BOOST_TEST(g.templates[0].info.embedder == "dlib-resnet");
  BOOST_TEST(g.other_embedder == 1u);
  q.templates = false;
  BOOST_TEST((s.verify_gate("alice", q).verdict == V::Enrolled));  // nothing decrypted
  q.templates = true;
  GateQuery mobile = q;
  mobile.embedder = "mobilefacenet";
  mobile.dims = 512;
  BOOST_TEST((s.verify_gate("alice", mobile).verdict == V::Templates));
  mobile.dims = 128;  // the right name with the wrong size is never compared either
  BOOST_TEST((s.verify_gate("alice", mobile).verdict == V::EnrollAgain));

  s.record_verify("alice", VerifyOutcome::NoMatch);  // locked out now
  g = s.verify_gate("alice", q);
  BOOST_TEST((g.verdict == V::LockedOut));
  BOOST_TEST((g.lockout.locked_until == now + opts.lockout.duration));
  BOOST_TEST(g.templates.empty());
  q.lockout = false;  // an administrator's test is not stopped by it
  BOOST_TEST((s.verify_gate("alice", q).verdict == V::Templates));

  // Tampering found by the gate's decryption is recorded and answered, not thrown.
  RawDb(db()).must("UPDATE templates SET label = 'edited' WHERE embedder = 'dlib-resnet'");
  g = s.verify_gate("alice", q);
  BOOST_TEST((g.verdict == V::Refused));
  BOOST_TEST(g.tampering.find("tampered") != std::string::npos, g.tampering);
  BOOST_TEST(s.face_auth_refused("alice"));
  // From now on refused first, before the lockout, without decrypting; the
  // lockout is still read.
  q.lockout = true;
  g = s.verify_gate("alice", q);
  BOOST_TEST((g.verdict == V::Refused));
  BOOST_TEST(g.tampering.empty());
  BOOST_TEST(g.lockout.locked);
}

BOOST_FIXTURE_TEST_CASE(export_has_metadata_consent_audit_incidents_but_no_template_bytes, StoreFixture) {
  Store s(options());
  auto id = enroll(s, "alice", 1);
  enroll(s, "bob", 2);
  s.record_verify("alice", VerifyOutcome::NoMatch);
  auto x = s.export_user("alice");
  BOOST_TEST(x.user == "alice");
  BOOST_REQUIRE(x.templates.size() == 1u);
  BOOST_TEST(x.templates[0].id == id);
  BOOST_TEST(x.consents.size() == 1u);
  BOOST_TEST(x.lockout.failures == 1);
  BOOST_TEST(x.audit.size() == 3u);  // consent-given, enrolled, verify
  for (const auto& e : x.audit) BOOST_TEST(e.user == "alice");
  BOOST_TEST(x.incidents.empty());
  BOOST_TEST(!x.excluded);
}

BOOST_FIXTURE_TEST_CASE(newer_or_foreign_databases_are_refused, StoreFixture) {
  { Store s(options()); }
  { RawDb(db()).must("PRAGMA user_version = 99"); }
  auto msg = expect_store_error(K::SchemaTooNew, [&] { Store s(options()); });
  BOOST_TEST(msg.find("99") != std::string::npos, msg);

  StoreFixture other;
  fs::create_directories(other.state);
  sqlite3* raw = nullptr;
  sqlite3_open(other.db().c_str(), &raw);
  sqlite3_exec(raw, "CREATE TABLE t(x)", nullptr, nullptr, nullptr);
  sqlite3_close(raw);
  ::chmod(other.db().c_str(), 0600);
  expect_store_error(K::Corrupted, [&] { Store s(other.options()); });
}

BOOST_AUTO_TEST_SUITE_END()
