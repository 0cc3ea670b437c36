// Crash safety: a child process writing committed templates in a loop is
// killed with SIGKILL mid-loop; after reopening, the database passes
// PRAGMA integrity_check and every row the child reported as committed is
// there and decrypts.
#include "store_test_util.h"

#include "store.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

using namespace faceauth;
using namespace faceauth::test;

BOOST_AUTO_TEST_SUITE(store_crash)

namespace {

// Forks a child that enrolls templates in a loop, reporting each committed id;
// kills it with SIGKILL after `kill_after` reports plus `delay_us`, and returns
// every id it reported.
std::set<std::int64_t> run_and_kill(StoreFixture& f, std::size_t kill_after, unsigned delay_us) {
  std::set<std::int64_t> committed;
  int fds[2];
  BOOST_REQUIRE(::pipe(fds) == 0);
  pid_t pid = ::fork();
  BOOST_REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    try {
      StoreOptions o;
      o.state_dir = f.state;
      o.key.credentials_dir = f.root + "/no-credentials";
      o.uid_of = f.options().uid_of;  // the same accounts as the checks below
      Store s(o);
      for (int i = 0;; ++i) {
        std::int64_t id = s.add_template("alice", "loop", sample_embedding(i));
        if (::write(fds[1], &id, sizeof id) != static_cast<ssize_t>(sizeof id)) ::_exit(3);
      }
    } catch (...) {
      ::_exit(2);
    }
  }
  ::close(fds[1]);
  std::int64_t id = 0;
  while (committed.size() < kill_after) {
    ssize_t n = ::read(fds[0], &id, sizeof id);
    BOOST_REQUIRE_MESSAGE(n == static_cast<ssize_t>(sizeof id), "child stopped writing early");
    committed.insert(id);
  }
  if (delay_us) ::usleep(delay_us);  // land the kill at varying points of a write
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  BOOST_TEST(WIFSIGNALED(status));
  BOOST_TEST(WTERMSIG(status) == SIGKILL);
  // Ids reported between our last read and the kill are committed too.
  while (::read(fds[0], &id, sizeof id) == static_cast<ssize_t>(sizeof id)) committed.insert(id);
  ::close(fds[0]);
  return committed;
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(kill_9_mid_write_loses_no_committed_row, StoreFixture) {
  {
    Store s(options());
    s.record_consent("alice", "notice-v1", "notice text", "test");
  }
  std::set<std::int64_t> committed;
  const unsigned delays_us[] = {0, 350, 1100, 2300, 4700};
  for (unsigned delay : delays_us) {
    auto round = run_and_kill(*this, 20, delay);
    committed.insert(round.begin(), round.end());

    Store s(options());
    BOOST_TEST(s.integrity_check() == "ok");
    auto rows = s.load_templates("alice");  // throws if any row is torn or tampered
    std::set<std::int64_t> present;
    for (const auto& t : rows) present.insert(t.info.id);
    for (auto c : committed) BOOST_TEST(present.count(c) == 1u, "committed template " << c);
    // Only rows in flight at a kill (one per round at most) may be present unreported.
    BOOST_TEST(present.size() >= committed.size());
    BOOST_TEST(present.size() <= committed.size() + 5);
    auto chain = s.verify_audit();
    BOOST_TEST(chain.ok, chain.reason);
    BOOST_TEST_MESSAGE("kill after +" << delay << " us: committed " << committed.size() << ", present "
                                      << present.size());
  }
}

BOOST_AUTO_TEST_SUITE_END()
