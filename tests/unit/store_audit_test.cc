// Audit log: hash chain verification names the first deleted or edited
// entry; breaks are recorded once as incidents for every known user.
#include "store_test_util.h"

#include "audit_log.h"
#include "store.h"

#include <algorithm>

using namespace faceauth;
using namespace faceauth::test;
namespace fs = std::filesystem;

namespace {

const char* kNotice = "faceauth privacy notice v1";

// Builds a store with a dozen audit entries about alice and bob.
void populate(StoreFixture& f) {
  Store s(f.options());
  s.record_consent("alice", "notice-v1", kNotice, "test");                       // 1
  s.add_template("alice", "a", sample_embedding(1));                             // 2
  s.record_consent("bob", "notice-v1", kNotice, "test");                         // 3
  s.add_template("bob", "b", sample_embedding(2));                               // 4
  for (int i = 0; i < 6; ++i) s.record_verify("alice", VerifyOutcome::NoMatch);  // 5..10 (+lockout 10)
  s.reset_lockout("alice", "uid:0");
  s.record_verify("bob", VerifyOutcome::Match);
}

std::int64_t entries(StoreFixture& f) { return RawDb(f.db()).integer("SELECT count(*) FROM audit"); }

}  // namespace

BOOST_AUTO_TEST_SUITE(store_audit)

BOOST_FIXTURE_TEST_CASE(intact_chain_verifies, StoreFixture) {
  populate(*this);
  Store s(options());
  auto r = s.verify_audit();
  BOOST_TEST(r.ok, r.reason);
  BOOST_TEST(r.entries == entries(*this));
  BOOST_TEST(r.entries >= 12);
  auto all = s.audit_entries();
  for (std::size_t i = 0; i < all.size(); ++i) {
    BOOST_TEST(all[i].seq == static_cast<std::int64_t>(i + 1));
    if (i > 0) BOOST_TEST((all[i].prev_hash == all[i - 1].hash));
  }
  BOOST_TEST(s.check_audit().ok);
  BOOST_TEST(s.incidents("alice").empty());
}

BOOST_FIXTURE_TEST_CASE(triggers_make_the_table_append_only, StoreFixture) {
  populate(*this);
  RawDb raw(db());
  BOOST_TEST(raw.exec("UPDATE audit SET detail='x' WHERE seq=3") != SQLITE_OK);
  BOOST_TEST(raw.exec("DELETE FROM audit WHERE seq=3") != SQLITE_OK);
  BOOST_TEST(raw.integer("SELECT count(*) FROM audit WHERE seq=3") == 1);
}

BOOST_FIXTURE_TEST_CASE(edited_entry_is_named, StoreFixture) {
  populate(*this);
  {
    RawDb raw(db());
    raw.must("DROP TRIGGER audit_no_update");
    raw.must("UPDATE audit SET detail='match' WHERE seq=6");
  }
  Store s(options());
  auto r = s.verify_audit();
  BOOST_TEST(!r.ok);
  BOOST_REQUIRE(r.first_bad_seq.has_value());
  BOOST_TEST(*r.first_bad_seq == 6);
  BOOST_TEST(r.reason.find("audit entry 6") != std::string::npos, r.reason);
  BOOST_TEST(r.reason.find("altered") != std::string::npos, r.reason);
}

BOOST_FIXTURE_TEST_CASE(deleted_middle_entry_is_named, StoreFixture) {
  populate(*this);
  {
    RawDb raw(db());
    raw.must("DROP TRIGGER audit_no_delete");
    raw.must("DELETE FROM audit WHERE seq=4");
  }
  Store s(options());
  auto r = s.verify_audit();
  BOOST_TEST(!r.ok);
  BOOST_REQUIRE(r.first_bad_seq.has_value());
  BOOST_TEST(*r.first_bad_seq == 4);
  BOOST_TEST(r.reason.find("missing") != std::string::npos, r.reason);
}

BOOST_FIXTURE_TEST_CASE(deleted_newest_entry_is_named, StoreFixture) {
  populate(*this);
  const auto n = entries(*this);
  {
    RawDb raw(db());
    raw.must("DROP TRIGGER audit_no_delete");
    raw.must("DELETE FROM audit WHERE seq=" + std::to_string(n));
  }
  Store s(options());
  auto r = s.verify_audit();
  BOOST_TEST(!r.ok);
  BOOST_REQUIRE(r.first_bad_seq.has_value());
  BOOST_TEST(*r.first_bad_seq == n);
}

BOOST_FIXTURE_TEST_CASE(edited_and_rehashed_entry_breaks_the_next_link, StoreFixture) {
  populate(*this);
  {
    RawDb raw(db());
    raw.must("DROP TRIGGER audit_no_update");
    // Rewrite entry 5 consistently with itself, as a careful forger would.
    auto prev = raw.blob("SELECT prev_hash FROM audit WHERE seq=5");
    Sha256 p{};
    std::copy(prev.begin(), prev.end(), p.begin());
    auto t = raw.integer("SELECT time FROM audit WHERE seq=5");
    auto user = raw.text("SELECT user FROM audit WHERE seq=5");
    auto event = raw.text("SELECT event FROM audit WHERE seq=5");
    auto actor = raw.text("SELECT actor FROM audit WHERE seq=5");
    Sha256 h = audit_entry_hash(p, 5, t, event, user, actor, std::nullopt, "match");
    raw.must("UPDATE audit SET detail='match' WHERE seq=5");
    raw.set_blob("UPDATE audit SET hash=?1 WHERE seq=5", std::vector<unsigned char>(h.begin(), h.end()));
  }
  Store s(options());
  auto r = s.verify_audit();
  BOOST_TEST(!r.ok);
  BOOST_REQUIRE(r.first_bad_seq.has_value());
  BOOST_TEST(*r.first_bad_seq == 6);
  BOOST_TEST(r.reason.find("does not link to entry 5") != std::string::npos, r.reason);
}

BOOST_FIXTURE_TEST_CASE(break_is_recorded_once_for_every_user, StoreFixture) {
  populate(*this);
  {
    RawDb raw(db());
    raw.must("DROP TRIGGER audit_no_delete");
    raw.must("DELETE FROM audit WHERE seq=2");
  }
  {
    Store s(options());
    auto r = s.check_audit();
    BOOST_TEST(!r.ok);
    BOOST_TEST(*r.first_bad_seq == 2);
    for (const char* u : {"alice", "bob"}) {
      auto inc = s.incidents(u, true);
      BOOST_REQUIRE(inc.size() == 1u);
      BOOST_TEST(inc[0].kind == "audit-chain-broken");
      BOOST_TEST(inc[0].detail.find("audit entry 2") != std::string::npos, inc[0].detail);
    }
    auto all = s.audit_entries();
    BOOST_TEST(all.back().event == "tamper-detected");
    BOOST_TEST(all.back().detail.find("audit entry 2") != std::string::npos);
  }
  Store s(options());  // a restart re-checks but does not duplicate the record
  BOOST_TEST(!s.check_audit().ok);
  BOOST_TEST(s.incidents("alice").size() == 1u);
  auto x = s.export_user("bob");
  BOOST_TEST(x.incidents.size() == 1u);
  BOOST_TEST(s.acknowledge_incidents("bob") == 1u);
  BOOST_TEST(s.incidents("bob", true).empty());
  BOOST_TEST(s.incidents("alice", true).size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_CASE(incremental_check_starts_at_the_checkpoint, StoreFixture) {
  Store s(options());
  for (int i = 0; i < 20; ++i) s.record_verify("alice", VerifyOutcome::NoMatch, "uid:1000");
  // No checkpoint yet: nothing walked; the full walk (another connection) sets it.
  BOOST_TEST(!s.has_audit_checkpoint());
  BOOST_TEST(s.verify_audit_incremental().entries == 0);
  AuditCheckpoint last;
  AuditCheck full = Store::verify_audit_file(db(), &last);
  BOOST_TEST(full.ok);
  BOOST_TEST(last.seq == full.entries);
  s.set_audit_checkpoint(last);
  for (int i = 0; i < 5; ++i) s.record_verify("alice", VerifyOutcome::NoMatch, "uid:1000");
  AuditCheck inc = s.verify_audit_incremental();
  BOOST_TEST(inc.ok);
  BOOST_TEST(inc.entries == 5, "only the entries after the checkpoint are walked");
  BOOST_TEST(s.verify_audit_incremental().entries == 0, "the checkpoint moved on");
  // An edit before the checkpoint (its hash untouched) is found by the full walk only ...
  const auto seq_after = last.seq + 3;
  {
    RawDb raw(db());
    raw.must("DROP TRIGGER audit_no_update");
    raw.must("UPDATE audit SET detail = 'edited' WHERE seq = 2");
  }
  BOOST_TEST(s.verify_audit_incremental().ok);
  AuditCheck again = Store::verify_audit_file(db());
  BOOST_TEST(!again.ok);
  BOOST_TEST(again.first_bad_seq.value_or(0) == 2);
  // ... an edit after it by the incremental check too.
  {
    RawDb raw(db());
    raw.must("UPDATE audit SET detail = 'edited' WHERE seq = " + std::to_string(seq_after));
  }
  AuditCheckpoint cp = last;  // the store moved its checkpoint past seq_after: go back to the walk's
  s.set_audit_checkpoint(cp);
  AuditCheck inc2 = s.verify_audit_incremental();
  BOOST_TEST(!inc2.ok);
  BOOST_TEST(inc2.first_bad_seq.value_or(0) == seq_after);
  (void)seq_after;
}
