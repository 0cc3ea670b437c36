// Camera jobs and the decisions around them, without D-Bus: what Verify,
// TestVerify and Enroll may do before a camera is used (the store's gate,
// Store::verify_gate), the jobs in flight, and the single answer each call
// gets. service.cc turns answers into method replies and Enroll's events into
// signals; the unit test drives this class with a fake runner and a
// temporary store.
//
// Thread model: every member function runs on the event-loop thread (the one
// running `io`), the only thread that touches the store. Jobs run on the
// CameraJobRunner's thread (CameraWorker), which only ever gets a copy of what
// a job needs; its results are posted back to `io` (boost::asio::post) and
// decided here.
//
// Each Verify has one author of its answer: the gate when no camera is
// needed, else conclude_verify(), which is called by both the deadline timer
// and the worker's result; whichever comes first answers, the later one only
// records the attempt.
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "camera_worker.h"
#include "config.h"
#include "operating_point.h"
#include "store.h"

// Asio stays out of this header: the loop is only referred to.
namespace boost::asio {
class io_context;
}

namespace faceauth {

// What the calling service accepts (PAM require=): anything the configuration
// gives, a liveness check, or an infrared camera.
enum class Requirement { any, liveness, ir };

// Watches the caller's connection while its job runs: calls `gone` (on the
// loop thread) when the connection closes, until the returned handle is
// released. An empty function watches nothing.
using WatchCaller = std::function<std::shared_ptr<void>(std::function<void()> gone)>;

// The configured security level's measured operating point for the
// configured embedder (operating_point.h).
const LevelPoint& level_point(const Config& c);
// The distance under which a verification matches: `threshold` when the
// configuration sets one, else the level's.
double threshold_for(const Config& c);
// The quality gates the configuration asks of every frame.
QualityOptions quality_options(const Config& c);

struct VerifyCall {
  std::string user;                         // whose face
  std::string actor;                        // who asks, as the audit log names them ("uid:1000")
  std::string connection;                   // the caller's connection: one camera job at a time each
  std::chrono::milliseconds timeout{5000};  // counted from now: answered by then
  Requirement require = Requirement::any;
  bool priority = false;  // a login (root's call): ahead of users' own calls
  WatchCaller watch;      // its end cancels the job
};

// A Verify's answer: a result (FACEAUTH_RESULT_*), or a failure.
struct VerifyAnswer {
  std::string result;
  unsigned frames = 0;
  std::string hint;               // FACEAUTH_HINT_*; "" for none
  std::int64_t locked_until = 0;  // seconds since the epoch; 0 for none
  // Set instead of a result: the call fails with this (BusyError when the
  // camera queue is full or the connection has a job already, StoreError ...).
  std::exception_ptr failure;
};
using VerifyAnswerFn = std::function<void(const VerifyAnswer&)>;

struct TestCall {
  std::string user;
  std::string actor;
  std::string connection;
  std::chrono::milliseconds timeout{5000};
  int max_frames = 20;
  WatchCaller watch;
};

// TestVerify's answer: what Verify would have said, with every frame's
// verdict and distance (for administrators only), or a failure.
struct TestAnswer {
  std::string result;
  std::vector<TestFrame> frames;
  std::exception_ptr failure;
};
using TestAnswerFn = std::function<void(const TestAnswer&)>;

struct EnrollCall {
  std::string user;
  std::string actor;
  // The consent the person gave for this enrollment, stored with its template.
  std::string notice_id, notice_text, method;
  std::string label;
};

// What an enrollment reports while it runs and when it ends (Enroll's
// EnrollProgress and EnrollFinished signals), by job number.
struct EnrollEvents {
  std::function<void(std::uint64_t job, unsigned captured, unsigned needed, const std::string& hint)>
      progress;
  // result: enrolled (template_id > 0), error, or the worker's result.
  std::function<void(std::uint64_t job, const std::string& result, const std::string& message,
                     std::int64_t template_id)>
      finished;
};

class CameraJobs {
 public:
  // `threshold`: the distance under which a face matches (the configured
  // level's or the override). All references must outlive this object.
  CameraJobs(boost::asio::io_context& io, CameraJobRunner& runner, Store& store, const Config& config,
             double threshold);
  // Jobs still running are cancelled; their callers get no answer.
  ~CameraJobs();
  CameraJobs(const CameraJobs&) = delete;
  CameraJobs& operator=(const CameraJobs&) = delete;

  // Verify: `answer` runs exactly once (on the loop thread; it must not
  // throw), at once when the store's gate or the configuration answers
  // without the camera (or the call fails), else when the job ends or its
  // deadline passes, whichever comes first.
  void verify(VerifyCall call, VerifyAnswerFn answer);
  // TestVerify: never counted towards the lockout, not stopped by one.
  // `answer` runs exactly once.
  void test(TestCall call, TestAnswerFn answer);
  // Enroll: queues the capture and returns its job number; `events` follow.
  // Throws StoreError (Excluded) for an excluded account and BusyError when
  // the camera queue is full. The job runs to its end even if its caller
  // leaves (a script may call Enroll and poll ListTemplates).
  std::uint64_t enroll(EnrollCall call, EnrollEvents events);

  // Cancels every camera job, queued or running (logind's PrepareForSleep).
  void cancel_all();
  // Verify and TestVerify jobs not yet handed back by the runner.
  std::size_t in_flight() const { return jobs_.size(); }

 private:
  struct Deadline;  // a boost::asio::steady_timer (camera_jobs.cc)
  struct Job {
    enum class Kind { verify, test } kind = Kind::verify;
    std::string user, actor, connection;
    std::shared_ptr<JobControl> control;
    std::shared_ptr<void> watch;  // the caller's connection, watched while the job runs
    bool answered = false;
    VerifyAnswerFn verify_answer;
    TestAnswerFn test_answer;
    std::unique_ptr<Deadline> deadline;  // Verify only
    Job();
    Job(Job&&) noexcept;
    Job& operator=(Job&&) noexcept;
    ~Job();
  };

  // The answer given without a camera, or nullopt when a job was started
  // (the job then holds `answer`). Throws what the call fails with.
  std::optional<VerifyAnswer> start_verify(VerifyCall& call, const VerifyAnswerFn& answer);
  std::optional<TestAnswer> start_test(TestCall& call, const TestAnswerFn& answer);
  // The one author of a camera Verify's answer: called by the deadline
  // (`result` null) and by the worker's result, in either order.
  void conclude_verify(std::uint64_t id, const VerifyResult* result);
  void conclude_test(std::uint64_t id, const TestResult& result);
  void finish_enroll(std::uint64_t job, const EnrollCall& call, const EnrollEvents& events, EnrollResult r);
  void answer_verify(Job& job, const VerifyAnswer& a);
  bool connection_has_job(const std::string& connection) const;
  // Registers a submitted job and starts watching its caller.
  Job& add_job(std::uint64_t id, Job job, const WatchCaller& watch);
  // Audits an attempt refused without the camera, at most every 10 s per user.
  void audit_refused_attempt(const std::string& user, const std::string& actor);
  std::vector<Embedding> embeddings_of(std::vector<DecryptedTemplate>& templates) const;
  GateQuery gate_query(bool lockout, bool templates) const;

  boost::asio::io_context& io_;
  CameraJobRunner& runner_;
  Store& store_;
  const Config& config_;
  const double threshold_;
  QualityOptions quality_;
  std::uint64_t next_id_ = 1;      // Verify and TestVerify jobs (jobs_)
  std::uint64_t next_enroll_ = 1;  // Enroll jobs (their object paths)
  std::map<std::uint64_t, Job> jobs_;
  std::map<std::string, std::chrono::steady_clock::time_point> last_refused_audit_;
  // Results posted by the runner after this object is gone are dropped.
  std::shared_ptr<CameraJobs*> self_;
};

}  // namespace faceauth
