// CameraJobs (daemon/service/camera_jobs.h): the verify / test / enroll
// decisions and the camera-job lifecycle, driven by a fake runner (instead of
// the CameraWorker thread) and a temporary store, on a real io_context. The
// runner's results are handed back from another thread, as the worker does.
#include "camera_jobs.h"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "faceauth-dbus.h"
#include "store_test_util.h"
#include "validate.h"  // BusyError

using namespace faceauth;
using namespace faceauth::test;
using namespace std::chrono_literals;

namespace {

const char* kNotice = "faceauth privacy notice v1 (test)";

// Runs camera jobs only when a test says how they end.
class FakeRunner : public CameraJobRunner {
 public:
  template <typename Req, typename Res>
  struct Pending {
    Req req;
    std::shared_ptr<JobControl> control;
    std::function<void(Res)> done;
    bool finished = false;
  };
  std::vector<Pending<VerifyRequest, VerifyResult>> verifies;
  std::vector<Pending<TestRequest, TestResult>> tests;
  std::vector<Pending<EnrollRequest, EnrollResult>> enrolls;
  std::vector<ProgressFn> progress;
  std::size_t limit = 4;  // jobs queued or running at once; more is Busy
  int cancel_all_calls = 0;

  std::size_t unfinished() const {
    std::size_t n = 0;
    for (const auto& j : verifies) n += !j.finished;
    for (const auto& j : tests) n += !j.finished;
    for (const auto& j : enrolls) n += !j.finished;
    return n;
  }

  std::shared_ptr<JobControl> submit_verify(VerifyRequest req,
                                            std::function<void(VerifyResult)> done) override {
    if (unfinished() >= limit) return nullptr;
    auto ctl = std::make_shared<JobControl>();
    verifies.push_back({std::move(req), ctl, std::move(done)});
    return ctl;
  }
  std::shared_ptr<JobControl> submit_enroll(EnrollRequest req, ProgressFn p,
                                            std::function<void(EnrollResult)> done) override {
    if (unfinished() >= limit) return nullptr;
    auto ctl = std::make_shared<JobControl>();
    enrolls.push_back({std::move(req), ctl, std::move(done)});
    progress.push_back(std::move(p));
    return ctl;
  }
  std::shared_ptr<JobControl> submit_test(TestRequest req, std::function<void(TestResult)> done) override {
    if (unfinished() >= limit) return nullptr;
    auto ctl = std::make_shared<JobControl>();
    tests.push_back({std::move(req), ctl, std::move(done)});
    return ctl;
  }
  void cancel_all() override {
    ++cancel_all_calls;
    for (auto& j : verifies)
      if (!j.finished) j.control->cancelled = true;
    for (auto& j : tests)
      if (!j.finished) j.control->cancelled = true;
    for (auto& j : enrolls)
      if (!j.finished) j.control->cancelled = true;
  }

  // Hands a job's result back from another thread, as the worker does.
  template <typename P, typename R>
  static void finish(P& job, R result) {
    BOOST_REQUIRE(!job.finished);
    job.finished = true;
    std::thread([&] { job.done(std::move(result)); }).join();
  }
};

VerifyResult worker_says(const char* result, unsigned frames, unsigned usable, const std::string& hint = "") {
  VerifyResult r;
  r.result = result;
  r.frames = frames;
  r.usable = usable;
  r.hint = hint;
  return r;
}

// The caller's connection as the test sees it: leave() is the bus telling
// that it closed; released() whether CameraJobs stopped watching.
struct FakeCaller {
  std::function<void()> gone;
  std::weak_ptr<void> handle;
  WatchCaller watch() {
    return [this](std::function<void()> g) -> std::shared_ptr<void> {
      gone = std::move(g);
      auto h = std::make_shared<int>(0);
      handle = h;
      return h;
    };
  }
  void leave() {
    BOOST_REQUIRE(gone);
    gone();
  }
  bool released() const { return handle.expired(); }
};

struct Fixture {
  StoreFixture files;
  std::unique_ptr<Store> store;
  Config config;
  boost::asio::io_context io;
  FakeRunner runner;
  std::unique_ptr<CameraJobs> jobs;
  static constexpr double kThreshold = 0.42;

  explicit Fixture(int max_failures = 3) {
    StoreOptions o = files.options();
    o.lockout.max_failures = max_failures;
    o.lockout.duration = std::chrono::minutes(5);
    store = std::make_unique<Store>(o);
    config.embedder = EmbedderKind::dlib_resnet;  // sample_embedding's 128 values
    config.liveness = LivenessMode::required;
    jobs = std::make_unique<CameraJobs>(io, runner, *store, config, kThreshold);
  }

  void enroll(const std::string& user, const char* embedder = "dlib-resnet", std::size_t dims = 128) {
    if (!store->active_consent(user)) store->record_consent(user, "notice-v1", kNotice, "test");
    store->add_template(user, "face", sample_embedding(1, dims), "test", embedder);
  }

  // Runs what was posted to the loop (the results handed back).
  void pump() {
    io.restart();
    io.poll();
  }
  // Runs the loop until `done` or `limit` passed.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 3s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < end) {
      io.restart();
      io.run_for(5ms);
    }
    return done();
  }

  VerifyCall call(const std::string& user, const std::string& connection = ":1.1",
                  std::chrono::milliseconds timeout = 5s) {
    VerifyCall c;
    c.user = user;
    c.actor = "uid:0";
    c.connection = connection;
    c.timeout = timeout;
    return c;
  }

  // Every answer a call received, in order.
  struct Answers {
    std::vector<VerifyAnswer> list;
    VerifyAnswerFn fn() {
      return [this](const VerifyAnswer& a) { list.push_back(a); };
    }
    const VerifyAnswer& only() const {
      BOOST_REQUIRE_EQUAL(list.size(), 1u);
      return list.front();
    }
  };

  int failures(const std::string& user) { return store->lockout_state(user).failures; }
  std::string last_audit_detail(const std::string& user) {
    auto entries = store->audit_entries(user);
    return entries.empty() ? "" : entries.back().detail;
  }
  std::size_t audit_count() { return store->audit_entries().size(); }
};

std::string busy_message(const VerifyAnswer& a) {
  BOOST_REQUIRE(a.failure);
  try {
    std::rethrow_exception(a.failure);
  } catch (const BusyError& e) {
    return e.what();
  } catch (const std::exception& e) {
    BOOST_ERROR("expected BusyError, got: " << e.what());
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(camera_jobs)

BOOST_AUTO_TEST_CASE(match_is_answered_and_resets_the_failures) {
  Fixture f;
  f.enroll("alice");
  f.store->record_verify("alice", VerifyOutcome::NoMatch);
  BOOST_TEST(f.failures("alice") == 1);
  Fixture::Answers a;
  VerifyCall c = f.call("alice");
  c.priority = true;
  c.require = Requirement::ir;
  f.jobs->verify(c, a.fn());
  BOOST_TEST(a.list.empty());  // waiting for the camera
  BOOST_REQUIRE_EQUAL(f.runner.verifies.size(), 1u);
  const VerifyRequest& req = f.runner.verifies[0].req;
  BOOST_TEST(req.templates.size() == 1u);
  BOOST_TEST((req.templates[0].kind == EmbedderKind::dlib_resnet));
  BOOST_TEST(req.threshold == Fixture::kThreshold);
  BOOST_TEST(req.liveness.required);
  BOOST_TEST(req.require_ir);
  BOOST_TEST(req.priority);
  BOOST_TEST((req.deadline > std::chrono::steady_clock::now() + 4s));
  BOOST_TEST(f.jobs->in_flight() == 1u);

  FakeRunner::finish(f.runner.verifies[0], worker_says(FACEAUTH_RESULT_MATCH, 4, 3, "hold-still"));
  BOOST_TEST(a.list.empty());  // posted to the loop thread, not answered on the worker's
  f.pump();
  const VerifyAnswer& v = a.only();
  BOOST_TEST(v.result == FACEAUTH_RESULT_MATCH);
  BOOST_TEST(v.frames == 4u);
  BOOST_TEST(v.hint == "");  // a match carries no hint
  BOOST_TEST(v.locked_until == 0);
  BOOST_TEST(!v.failure);
  BOOST_TEST(f.failures("alice") == 0);
  BOOST_TEST(f.last_audit_detail("alice") == "match");
  BOOST_TEST(f.jobs->in_flight() == 0u);
}

BOOST_AUTO_TEST_CASE(no_match_counts_and_the_lockout_then_answers_without_the_camera) {
  Fixture f(3);
  f.enroll("alice");
  for (int i = 1; i <= 3; ++i) {
    Fixture::Answers a;
    f.jobs->verify(f.call("alice"), a.fn());
    FakeRunner::finish(f.runner.verifies.back(), worker_says(FACEAUTH_RESULT_NO_MATCH, 10, 10, "hold-still"));
    f.pump();
    BOOST_TEST(a.only().result == FACEAUTH_RESULT_NO_MATCH);  // the one that locks still says no-match
    BOOST_TEST(a.only().hint == "hold-still");
    BOOST_TEST(a.only().frames == 10u);
    BOOST_TEST(f.failures("alice") == i);
  }
  BOOST_TEST(f.store->lockout_state("alice").locked);
  Fixture::Answers a;
  f.jobs->verify(f.call("alice"), a.fn());
  BOOST_TEST(f.runner.verifies.size() == 3u);  // no camera job
  const VerifyAnswer& v = a.only();
  BOOST_TEST(v.result == FACEAUTH_RESULT_LOCKED_OUT);
  BOOST_TEST(v.hint == FACEAUTH_HINT_TOO_MANY_ATTEMPTS);
  BOOST_TEST(v.frames == 0u);
  BOOST_TEST(v.locked_until == (f.files.now + std::chrono::minutes(5)).time_since_epoch().count());
  // The refused attempt is audited (at most once in 10 s per user).
  BOOST_TEST(f.last_audit_detail("alice") == "error (while locked out)");
  const auto rows = f.audit_count();
  Fixture::Answers again;
  f.jobs->verify(f.call("alice"), again.fn());
  BOOST_TEST(again.only().result == FACEAUTH_RESULT_LOCKED_OUT);
  BOOST_TEST(f.audit_count() == rows);
}

BOOST_AUTO_TEST_CASE(a_lockout_arriving_while_queued_is_not_passed) {
  Fixture f(1);
  f.enroll("alice");
  Fixture::Answers first, second;
  f.jobs->verify(f.call("alice", ":1.1"), first.fn());
  f.jobs->verify(f.call("alice", ":1.2"), second.fn());
  BOOST_REQUIRE_EQUAL(f.runner.verifies.size(), 2u);  // both queued before any lockout
  FakeRunner::finish(f.runner.verifies[0], worker_says(FACEAUTH_RESULT_NO_MATCH, 10, 10));
  f.pump();
  BOOST_TEST(first.only().result == FACEAUTH_RESULT_NO_MATCH);
  const LockoutState lock = f.store->lockout_state("alice");
  BOOST_REQUIRE(lock.locked);
  // The second job's face matched, but it was queued before the lockout.
  FakeRunner::finish(f.runner.verifies[1], worker_says(FACEAUTH_RESULT_MATCH, 3, 2));
  f.pump();
  const VerifyAnswer& v = second.only();
  BOOST_TEST(v.result == FACEAUTH_RESULT_LOCKED_OUT);
  BOOST_TEST(v.hint == FACEAUTH_HINT_TOO_MANY_ATTEMPTS);
  BOOST_TEST(v.frames == 3u);
  BOOST_TEST(v.locked_until == lock.locked_until->time_since_epoch().count());
  BOOST_TEST(f.failures("alice") == 1);  // the match reset nothing
  BOOST_TEST(f.last_audit_detail("alice") == "error (while locked out)");
  BOOST_TEST(f.store->lockout_state("alice").locked);
}

BOOST_AUTO_TEST_CASE(a_refusal_arriving_while_queued_is_not_passed) {
  Fixture f;
  f.enroll("alice");
  Fixture::Answers queued, later;
  f.jobs->verify(f.call("alice", ":1.1"), queued.fn());
  BOOST_REQUIRE_EQUAL(f.runner.verifies.size(), 1u);
  {
    // Someone edits the stored template (its label is bound into the AEAD).
    RawDb raw(f.files.db());
    raw.must("UPDATE templates SET label = 'edited'");
  }
  // The next call decrypts, finds the tampering and is refused at once.
  f.jobs->verify(f.call("alice", ":1.2"), later.fn());
  BOOST_TEST(later.only().result == FACEAUTH_RESULT_REFUSED);
  BOOST_TEST(later.only().hint == FACEAUTH_HINT_USE_PASSWORD);
  BOOST_TEST(f.runner.verifies.size() == 1u);
  BOOST_TEST(f.store->face_auth_refused("alice"));
  BOOST_TEST(f.store->incidents("alice", true).size() == 1u);
  // The job queued before the tampering was found matched: it is refused too.
  FakeRunner::finish(f.runner.verifies[0], worker_says(FACEAUTH_RESULT_MATCH, 5, 2));
  f.pump();
  const VerifyAnswer& v = queued.only();
  BOOST_TEST(v.result == FACEAUTH_RESULT_REFUSED);
  BOOST_TEST(v.hint == FACEAUTH_HINT_USE_PASSWORD);
  BOOST_TEST(v.frames == 5u);
  BOOST_TEST(f.last_audit_detail("alice") == "error");
  BOOST_TEST(f.failures("alice") == 0);
  // Later calls are refused without decrypting; audited as refused attempts.
  Fixture::Answers third;
  f.jobs->verify(f.call("alice", ":1.3"), third.fn());
  BOOST_TEST(third.only().result == FACEAUTH_RESULT_REFUSED);
  BOOST_TEST(f.runner.verifies.size() == 1u);
}

BOOST_AUTO_TEST_CASE(timeout_answers_once_and_the_late_result_still_counts) {
  Fixture f;
  f.enroll("alice");
  f.store->record_verify("alice", VerifyOutcome::NoMatch);
  // A job still waiting for the camera at its deadline: the caller hears
  // "timeout"; a match the worker finds afterwards is not what the caller
  // heard, so it resets nothing.
  Fixture::Answers a;
  f.jobs->verify(f.call("alice", ":1.1", 50ms), a.fn());
  const auto start = std::chrono::steady_clock::now();
  BOOST_REQUIRE(f.run_until([&] { return !a.list.empty(); }));
  BOOST_TEST((std::chrono::steady_clock::now() - start >= 50ms));
  BOOST_TEST(a.only().result == FACEAUTH_RESULT_TIMEOUT);
  BOOST_TEST(a.only().hint == FACEAUTH_HINT_USE_PASSWORD);
  BOOST_TEST(a.only().frames == 0u);
  BOOST_TEST(f.runner.verifies[0].control->cancelled);  // the camera is freed
  BOOST_TEST(f.jobs->in_flight() == 1u);                // until the worker hands it back
  FakeRunner::finish(f.runner.verifies[0], worker_says(FACEAUTH_RESULT_MATCH, 6, 4));
  f.pump();
  BOOST_TEST(a.list.size() == 1u);  // one answer
  BOOST_TEST(f.jobs->in_flight() == 0u);
  BOOST_TEST(f.failures("alice") == 1);
  BOOST_TEST(f.last_audit_detail("alice") == "error");

  // A late no-match with usable faces still counts: a timeout is no free try.
  Fixture::Answers b;
  f.jobs->verify(f.call("alice", ":1.1", 50ms), b.fn());
  BOOST_REQUIRE(f.run_until([&] { return !b.list.empty(); }));
  BOOST_TEST(b.only().result == FACEAUTH_RESULT_TIMEOUT);
  FakeRunner::finish(f.runner.verifies[1], worker_says(FACEAUTH_RESULT_TIMEOUT, 6, 4));
  f.pump();
  BOOST_TEST(b.list.size() == 1u);
  BOOST_TEST(f.failures("alice") == 2);

  // The worker first: its verdict answers and the deadline stays silent.
  Fixture::Answers c;
  f.jobs->verify(f.call("alice", ":1.1", 50ms), c.fn());
  FakeRunner::finish(f.runner.verifies[2], worker_says(FACEAUTH_RESULT_NO_FACE, 8, 0, "move-closer"));
  f.pump();
  BOOST_TEST(c.only().result == FACEAUTH_RESULT_NO_FACE);
  BOOST_TEST(c.only().hint == "move-closer");
  f.run_until([] { return false; }, 400ms);  // past the deadline
  BOOST_TEST(c.list.size() == 1u);
  BOOST_TEST(f.failures("alice") == 2);  // no usable face: not counted
}

BOOST_AUTO_TEST_CASE(cancellation_by_the_caller_leaving_or_by_suspend) {
  Fixture f;
  f.enroll("alice");
  FakeCaller caller;
  Fixture::Answers a;
  VerifyCall c = f.call("alice");
  c.watch = caller.watch();
  f.jobs->verify(c, a.fn());
  BOOST_TEST(!caller.released());
  caller.leave();
  BOOST_TEST(f.runner.verifies[0].control->cancelled);
  // The worker stops with "cancelled" after comparing two usable faces: that
  // attempt counts (a caller cannot hang up to get a free try).
  FakeRunner::finish(f.runner.verifies[0], worker_says(FACEAUTH_RESULT_CANCELLED, 3, 2));
  f.pump();
  BOOST_TEST(a.only().result == FACEAUTH_RESULT_CANCELLED);
  BOOST_TEST(f.failures("alice") == 1);
  BOOST_TEST(caller.released());  // the watch ends with the job

  // Suspend (logind's PrepareForSleep) cancels every job through the runner;
  // a cancelled job that saw no usable face is not counted.
  Fixture::Answers b;
  f.jobs->verify(f.call("alice"), b.fn());
  f.jobs->cancel_all();
  BOOST_TEST(f.runner.cancel_all_calls == 1);
  BOOST_TEST(f.runner.verifies[1].control->cancelled);
  FakeRunner::finish(f.runner.verifies[1], worker_says(FACEAUTH_RESULT_CANCELLED, 1, 0));
  f.pump();
  BOOST_TEST(b.only().result == FACEAUTH_RESULT_CANCELLED);
  BOOST_TEST(f.failures("alice") == 1);
}

BOOST_AUTO_TEST_CASE(busy_when_the_queue_is_full_or_the_connection_has_a_job) {
  Fixture f;
  f.enroll("alice");
  f.enroll("bob");
  f.runner.limit = 1;
  const auto rows = f.audit_count();
  Fixture::Answers first, same_connection, queue_full;
  f.jobs->verify(f.call("alice", ":1.1"), first.fn());
  f.jobs->verify(f.call("alice", ":1.1"), same_connection.fn());
  f.jobs->verify(f.call("bob", ":1.2"), queue_full.fn());
  BOOST_TEST(first.list.empty());
  BOOST_TEST(busy_message(same_connection.only()) ==
             "this connection already has a verification running; wait for its answer");
  BOOST_TEST(busy_message(queue_full.only()) ==
             "the camera is busy with other requests; try again in a moment");
  BOOST_TEST(f.runner.verifies.size() == 1u);
  BOOST_TEST(f.jobs->in_flight() == 1u);
  BOOST_TEST(f.audit_count() == rows);  // nothing recorded, nothing counted
  BOOST_TEST(f.failures("alice") == 0);
  BOOST_TEST(f.failures("bob") == 0);
  // TestVerify and Enroll meet the same queue.
  TestCall t;
  t.user = "bob";
  t.actor = "uid:0";
  t.connection = ":1.3";
  std::vector<TestAnswer> tests;
  f.jobs->test(t, [&](const TestAnswer& x) { tests.push_back(x); });
  BOOST_REQUIRE_EQUAL(tests.size(), 1u);
  BOOST_CHECK_THROW(std::rethrow_exception(tests[0].failure), BusyError);
  EnrollCall e;
  e.user = "carol";
  BOOST_CHECK_THROW(f.jobs->enroll(e, {}), BusyError);
}

BOOST_AUTO_TEST_CASE(the_gate_answers_without_the_camera) {
  Fixture f;
  // Not enrolled: no hint, nothing audited.
  Fixture::Answers none;
  f.jobs->verify(f.call("bob"), none.fn());
  BOOST_TEST(none.only().result == FACEAUTH_RESULT_NOT_ENROLLED);
  BOOST_TEST(none.only().hint == "");
  // Enrolled only by another embedder: enroll again.
  f.enroll("carol", "mobilefacenet", 512);
  Fixture::Answers stale;
  f.jobs->verify(f.call("carol"), stale.fn());
  BOOST_TEST(stale.only().result == FACEAUTH_RESULT_ENROLL_AGAIN);
  BOOST_TEST(stale.only().hint == FACEAUTH_HINT_ENROLL_AGAIN);
  BOOST_TEST(f.runner.verifies.empty());
  BOOST_TEST(f.runner.tests.empty());
}

BOOST_AUTO_TEST_CASE(a_requirement_the_configuration_cannot_meet) {
  Fixture f;
  f.config.liveness = LivenessMode::off;
  f.enroll("alice");
  Fixture::Answers a;
  VerifyCall c = f.call("alice");
  c.require = Requirement::liveness;
  f.jobs->verify(c, a.fn());
  BOOST_TEST(a.only().result == FACEAUTH_RESULT_LIVENESS_UNAVAILABLE);
  BOOST_TEST(a.only().hint == FACEAUTH_HINT_LIVENESS_OFF);
  BOOST_TEST(f.runner.verifies.empty());
  // Any camera will do: the job runs, without a liveness check.
  Fixture::Answers b;
  f.jobs->verify(f.call("alice"), b.fn());
  BOOST_REQUIRE_EQUAL(f.runner.verifies.size(), 1u);
  BOOST_TEST(!f.runner.verifies[0].req.liveness.required);
}

BOOST_AUTO_TEST_CASE(test_verify_is_not_stopped_by_a_lockout_and_never_counted) {
  Fixture f(1);
  f.enroll("alice");
  f.store->record_verify("alice", VerifyOutcome::NoMatch);
  BOOST_REQUIRE(f.store->lockout_state("alice").locked);
  TestCall t;
  t.user = "alice";
  t.actor = "uid:0";
  t.connection = ":1.1";
  t.timeout = 7s;
  t.max_frames = 12;
  std::vector<TestAnswer> answers;
  f.jobs->test(t, [&](const TestAnswer& x) { answers.push_back(x); });
  BOOST_REQUIRE_EQUAL(f.runner.tests.size(), 1u);
  BOOST_TEST(f.runner.tests[0].req.templates.size() == 1u);
  BOOST_TEST(f.runner.tests[0].req.max_frames == 12);
  BOOST_TEST(f.runner.tests[0].req.timeout.count() == 7000);
  TestResult r;
  r.result = FACEAUTH_RESULT_MATCH;
  r.frames.resize(3);
  FakeRunner::finish(f.runner.tests[0], r);
  f.pump();
  BOOST_REQUIRE_EQUAL(answers.size(), 1u);
  BOOST_TEST(answers[0].result == FACEAUTH_RESULT_MATCH);
  BOOST_TEST(answers[0].frames.size() == 3u);
  BOOST_TEST(f.failures("alice") == 1);  // unchanged
  BOOST_TEST(f.store->lockout_state("alice").locked);
  BOOST_TEST(f.store->audit_entries("alice").back().actor ==
             "uid:0 (TestVerify, administrator's test; not counted)");

  // Someone not enrolled: the frames show quality only.
  t.user = "bob";
  f.jobs->test(t, [&](const TestAnswer& x) { answers.push_back(x); });
  BOOST_REQUIRE_EQUAL(f.runner.tests.size(), 2u);
  BOOST_TEST(f.runner.tests[1].req.templates.empty());
}

BOOST_AUTO_TEST_CASE(enroll_stores_the_template_with_its_consent_when_it_finishes) {
  Fixture f;
  EnrollCall e;
  e.user = "alice";
  e.actor = "uid:1000";
  e.notice_id = "notice-v1";
  e.notice_text = kNotice;
  e.method = "test";
  e.label = "office";
  std::vector<std::string> seen;
  EnrollEvents ev;
  ev.progress = [&](std::uint64_t job, unsigned captured, unsigned needed, const std::string& hint) {
    seen.push_back("progress " + std::to_string(job) + " " + std::to_string(captured) + "/" +
                   std::to_string(needed) + " " + hint);
  };
  ev.finished = [&](std::uint64_t job, const std::string& result, const std::string&, std::int64_t id) {
    seen.push_back("finished " + std::to_string(job) + " " + result + (id > 0 ? " stored" : ""));
  };
  BOOST_TEST(f.jobs->enroll(e, ev) == 1u);
  BOOST_REQUIRE_EQUAL(f.runner.enrolls.size(), 1u);
  BOOST_TEST(f.runner.enrolls[0].req.frames_needed == f.config.enroll_frames);
  BOOST_TEST(!f.store->active_consent("alice"));  // nothing stored before it succeeds
  std::thread([&] { f.runner.progress[0](1, 5, "hold-still"); }).join();
  EnrollResult r;
  r.result = "enrolled";
  r.mean = Embedding(EmbedderKind::dlib_resnet);
  auto v = sample_embedding(3);
  std::copy(v.begin(), v.end(), r.mean.v.begin());
  FakeRunner::finish(f.runner.enrolls[0], r);
  f.pump();
  BOOST_REQUIRE_EQUAL(seen.size(), 2u);
  BOOST_TEST(seen[0] == "progress 1 1/5 hold-still");
  BOOST_TEST(seen[1] == "finished 1 enrolled stored");
  BOOST_TEST(f.store->active_consent("alice").has_value());
  BOOST_REQUIRE_EQUAL(f.store->list_templates("alice").size(), 1u);
  BOOST_TEST(f.store->list_templates("alice")[0].embedder == "dlib-resnet");

  // An excluded account is refused before the camera.
  f.store->set_excluded("bob", true, "under 14", "uid:0");
  e.user = "bob";
  BOOST_CHECK_THROW(f.jobs->enroll(e, ev), StoreError);
  BOOST_TEST(f.runner.enrolls.size() == 1u);
}

BOOST_AUTO_TEST_CASE(results_after_the_jobs_are_gone_are_dropped) {
  Fixture f;
  f.enroll("alice");
  FakeCaller caller;
  Fixture::Answers a;
  VerifyCall c = f.call("alice");
  c.watch = caller.watch();
  f.jobs->verify(c, a.fn());
  f.jobs.reset();  // the daemon stops
  BOOST_TEST(f.runner.verifies[0].control->cancelled);
  BOOST_TEST(caller.released());
  FakeRunner::finish(f.runner.verifies[0], worker_says(FACEAUTH_RESULT_MATCH, 2, 2));
  f.pump();
  BOOST_TEST(a.list.empty());
}

BOOST_AUTO_TEST_SUITE_END()
