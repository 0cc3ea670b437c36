// The authorization rule table and the argument checks of faceauthd.
#include <boost/test/unit_test.hpp>

#include <cstring>
#include <string>

#include "authorizer.h"
#include "rate_limit.h"
#include "validate.h"

using namespace faceauth;

namespace {
constexpr uid_t kRoot = 0, kAlice = 1000, kBob = 1001;
bool allowed(Op op, uid_t caller, uid_t target) { return decide(op, caller, target).kind == Decision::allow; }
std::string action(Op op, uid_t caller, uid_t target) {
  Decision d = decide(op, caller, target);
  return d.kind == Decision::ask_polkit ? d.action : "allow";
}
}  // namespace

BOOST_AUTO_TEST_CASE(root_may_do_everything) {
  for (Op op :
       {Op::verify, Op::enroll, Op::list, Op::audit_log, Op::remove_all, Op::reset_lockout, Op::export_data})
    BOOST_TEST(allowed(op, kRoot, kAlice));
}

BOOST_AUTO_TEST_CASE(users_verify_only_themselves) {
  BOOST_TEST(allowed(Op::verify, kAlice, kAlice));
  BOOST_TEST(action(Op::verify, kAlice, kBob) == kActionVerifyOther);
}

BOOST_AUTO_TEST_CASE(enrollment_always_needs_polkit_for_non_root) {
  BOOST_TEST(action(Op::enroll, kAlice, kAlice) == kActionEnrollSelf);
  BOOST_TEST(action(Op::enroll, kAlice, kBob) == kActionManage);
}

BOOST_AUTO_TEST_CASE(test_verify_distances_are_for_administrators_only) {
  BOOST_TEST(allowed(Op::test_verify, kRoot, kAlice));
  BOOST_TEST(action(Op::test_verify, kAlice, kAlice) == kActionManage);
  BOOST_TEST(action(Op::test_verify, kAlice, kBob) == kActionManage);
}

BOOST_AUTO_TEST_CASE(own_data_is_readable_and_erasable_others_need_manage) {
  for (Op op : {Op::is_enrolled, Op::list, Op::get_consent, Op::audit_log, Op::export_data, Op::remove,
                Op::remove_all, Op::withdraw}) {
    BOOST_TEST(allowed(op, kAlice, kAlice));
    BOOST_TEST(action(op, kAlice, kBob) == kActionManage);
  }
  BOOST_TEST(allowed(Op::status, kAlice, kBob));
  BOOST_TEST(allowed(Op::get_notice, kAlice, kBob));
}

BOOST_AUTO_TEST_CASE(clearing_a_lockout_needs_the_password_except_for_root) {
  // Code in a person's session must not buy itself unlimited face attempts.
  BOOST_TEST(action(Op::reset_lockout, kAlice, kAlice) == kActionUnlockSelf);
  BOOST_TEST(action(Op::reset_lockout, kAlice, kBob) == kActionManage);
  BOOST_TEST(allowed(Op::reset_lockout, kRoot, kAlice));
}

BOOST_AUTO_TEST_CASE(rate_limit_counts_per_uid_and_spares_root) {
  RateLimit rl(3, std::chrono::seconds(60));
  auto t = RateLimit::Clock::now();
  RateLimit::Clock::duration wait{};
  for (int i = 0; i < 3; ++i) BOOST_TEST(rl.allow(kAlice, t, wait));
  BOOST_TEST(!rl.allow(kAlice, t + std::chrono::seconds(10), wait));
  BOOST_TEST(std::chrono::duration_cast<std::chrono::seconds>(wait).count() == 50);
  BOOST_TEST(rl.allow(kBob, t, wait));
  for (int i = 0; i < 100; ++i) BOOST_TEST(rl.allow(kRoot, t, wait));
  rl.refund(kAlice);
  BOOST_TEST(rl.allow(kAlice, t + std::chrono::seconds(10), wait));
  BOOST_TEST(rl.allow(kAlice, t + std::chrono::seconds(61), wait));  // the window moved on
}

BOOST_AUTO_TEST_CASE(user_names_are_checked) {
  BOOST_TEST(check_user_name("root") == 0u);
  for (std::string bad :
       {std::string(""), std::string(10240, 'a'), std::string("a/b"), std::string(".."), std::string("Root"),
        std::string("a\nb"), std::string("\xff\xfe"), std::string("9lives"), std::string("no-such-user-xyz")})
    BOOST_CHECK_THROW(check_user_name(bad), InvalidArgument);
  try {
    check_user_name(std::string(10240, 'a'));
  } catch (const InvalidArgument& e) {
    BOOST_TEST(std::strlen(e.what()) < 300u, "the message must not echo a 10 KB name");
  }
}
