#include "camera_jobs.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <optional>
#include <span>

#include "faceauth-dbus.h"
#include "log.h"
#include "validate.h"  // BusyError

namespace faceauth {

struct CameraJobs::Deadline : boost::asio::steady_timer {
  using boost::asio::steady_timer::steady_timer;
};

CameraJobs::Job::Job() = default;
CameraJobs::Job::Job(Job&&) noexcept = default;
CameraJobs::Job& CameraJobs::Job::operator=(Job&&) noexcept = default;
CameraJobs::Job::~Job() = default;

namespace {
// The worker answers "timeout" itself at the deadline it was given; the timer
// answers a job still waiting for the camera (or stuck in a frame) a little
// later.
constexpr auto kDeadlineGrace = std::chrono::milliseconds(250);

std::int64_t secs(TimePoint t) { return t.time_since_epoch().count(); }

VerifyAnswer said(const char* result, unsigned frames, const std::string& hint,
                  std::int64_t locked_until = 0) {
  VerifyAnswer a;
  a.result = result;
  a.frames = frames;
  a.hint = hint;
  a.locked_until = locked_until;
  return a;
}

std::int64_t until_of(const LockoutState& s) { return s.locked_until ? secs(*s.locked_until) : 0; }
}  // namespace

const LevelPoint& level_point(const Config& c) {
  const EmbedderCalibration& cal = calibration_of(c.embedder);
  switch (c.security_level) {
    case SecurityLevel::strict: return cal.strict;
    case SecurityLevel::balanced: return cal.balanced;
    case SecurityLevel::convenient: return cal.convenient;
  }
  return cal.balanced;
}

double threshold_for(const Config& c) { return c.threshold ? *c.threshold : level_point(c).threshold; }

QualityOptions quality_options(const Config& c) {
  QualityOptions q;
  q.min_face_pixels = c.min_face_pixels;
  q.min_brightness = c.dark_frame_threshold;
  return q;
}

CameraJobs::CameraJobs(boost::asio::io_context& io, CameraJobRunner& runner, Store& store,
                       const Config& config, double threshold)
    : io_(io),
      runner_(runner),
      store_(store),
      config_(config),
      threshold_(threshold),
      quality_(quality_options(config)),
      self_(std::make_shared<CameraJobs*>(this)) {}

CameraJobs::~CameraJobs() {
  self_.reset();  // results still to come are dropped
  // Jobs still running at shutdown: their callers get no answer (the bus
  // goes away with the daemon); the watches on their callers end here.
  for (auto& [id, job] : jobs_) job.control->cancelled = true;
  jobs_.clear();
}

void CameraJobs::cancel_all() { runner_.cancel_all(); }

GateQuery CameraJobs::gate_query(bool lockout, bool templates) const {
  GateQuery q;
  q.embedder = embedder_name(config_.embedder);
  q.dims = static_cast<std::uint32_t>(embedder_dims(config_.embedder));
  q.lockout = lockout;
  q.templates = templates;
  return q;
}

std::vector<Embedding> CameraJobs::embeddings_of(std::vector<DecryptedTemplate>& templates) const {
  std::vector<Embedding> out;
  for (const auto& t : templates) {
    Embedding e(config_.embedder);
    std::copy(t.embedding.begin(), t.embedding.end(), e.v.begin());
    out.push_back(e);
  }
  templates.clear();  // wiped
  return out;
}

bool CameraJobs::connection_has_job(const std::string& connection) const {
  for (const auto& [id, job] : jobs_)
    if (job.connection == connection) return true;
  return false;
}

CameraJobs::Job& CameraJobs::add_job(std::uint64_t id, Job job, const WatchCaller& watch) {
  Job& j = jobs_.emplace(id, std::move(job)).first->second;
  // The caller's connection: when it goes away, the job is cancelled.
  if (watch) {
    std::weak_ptr<CameraJobs*> self = self_;
    j.watch = watch([self, id] {
      auto p = self.lock();
      if (!p) return;
      auto it = (*p)->jobs_.find(id);
      if (it != (*p)->jobs_.end()) it->second.control->cancelled = true;
    });
  }
  return j;
}

void CameraJobs::audit_refused_attempt(const std::string& user, const std::string& actor) {
  // Attempts refused without the camera (locked out, face auth off) are
  // audited at most once per user every 10 s: each is a synced row, and a
  // local user calling Verify on themselves in a loop must not be able to
  // grow the audit log without bound. They change no state either way.
  auto now = std::chrono::steady_clock::now();
  auto it = last_refused_audit_.find(user);
  if (it != last_refused_audit_.end() && now - it->second < std::chrono::seconds(10)) return;
  last_refused_audit_[user] = now;
  store_.record_verify(user, VerifyOutcome::Error, actor);
}

// ---- Verify ----------------------------------------------------------------

void CameraJobs::verify(VerifyCall call, VerifyAnswerFn answer) {
  std::optional<VerifyAnswer> now;
  try {
    now = start_verify(call, answer);
  } catch (...) {
    now.emplace();
    now->failure = std::current_exception();
  }
  if (now) answer(*now);
}

std::optional<VerifyAnswer> CameraJobs::start_verify(VerifyCall& call, const VerifyAnswerFn& answer) {
  using V = VerifyGate::Verdict;
  const std::string& user = call.user;
  // A service that asks for more than the configuration gives is answered
  // without the camera, so its templates are not decrypted.
  const bool unsatisfiable = call.require != Requirement::any && config_.liveness == LivenessMode::off;
  VerifyGate gate = store_.verify_gate(user, gate_query(true, !unsatisfiable));
  switch (gate.verdict) {
    case V::Refused:
      if (!gate.tampering.empty())
        log::crit("face data of " + user + " failed its integrity check: " + gate.tampering,
                  {"FACEAUTH_USER=" + user});
      else
        audit_refused_attempt(user, call.actor);
      return said(FACEAUTH_RESULT_REFUSED, 0, FACEAUTH_HINT_USE_PASSWORD);
    case V::LockedOut:
      audit_refused_attempt(user, call.actor);
      return said(FACEAUTH_RESULT_LOCKED_OUT, 0, FACEAUTH_HINT_TOO_MANY_ATTEMPTS, until_of(gate.lockout));
    case V::NotEnrolled: return said(FACEAUTH_RESULT_NOT_ENROLLED, 0, "");
    case V::Enrolled:
    case V::EnrollAgain:
    case V::Templates: break;
  }
  // The camera cannot satisfy the service: no camera used, nothing counted.
  if (unsatisfiable) return said(FACEAUTH_RESULT_LIVENESS_UNAVAILABLE, 0, FACEAUTH_HINT_LIVENESS_OFF);
  if (gate.verdict != V::Templates) {
    // Enrolled only with another embedder's templates (the configuration
    // changed): no camera, no comparison, and the person is told.
    audit_refused_attempt(user, call.actor);
    return said(FACEAUTH_RESULT_ENROLL_AGAIN, 0, FACEAUTH_HINT_ENROLL_AGAIN);
  }
  VerifyRequest req;
  req.templates = embeddings_of(gate.templates);
  req.threshold = threshold_;
  req.frames_needed = config_.frames_needed;
  req.frames_window = config_.frames_window;
  req.liveness.required = config_.liveness != LivenessMode::off;
  req.liveness.blink = config_.liveness == LivenessMode::blink;
  req.require_ir = call.require == Requirement::ir;
  req.deadline = std::chrono::steady_clock::now() + call.timeout;
  req.priority = call.priority;
  req.quality = quality_;
  if (connection_has_job(call.connection))
    throw BusyError("this connection already has a verification running; wait for its answer");
  const std::uint64_t id = next_id_++;
  boost::asio::io_context& io = io_;
  std::weak_ptr<CameraJobs*> self = self_;
  auto ctl = runner_.submit_verify(std::move(req), [&io, self, id](VerifyResult r) {
    boost::asio::post(io, [self, id, r = std::move(r)] {
      if (auto p = self.lock()) (*p)->conclude_verify(id, &r);
    });
  });
  if (!ctl) throw BusyError("the camera is busy with other requests; try again in a moment");
  Job job;
  job.kind = Job::Kind::verify;
  job.user = user;
  job.actor = call.actor;
  job.connection = call.connection;
  job.control = std::move(ctl);
  job.verify_answer = answer;
  // A job still waiting for the camera (or still reading frames) when its
  // timeout passes is answered "timeout" at once; its outcome is recorded
  // when the worker hands it back.
  job.deadline = std::make_unique<Deadline>(io_, call.timeout + kDeadlineGrace);
  Job& j = add_job(id, std::move(job), call.watch);
  j.deadline->async_wait([self, id](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto p = self.lock()) (*p)->conclude_verify(id, nullptr);
  });
  return std::nullopt;
}

void CameraJobs::answer_verify(Job& job, const VerifyAnswer& a) {
  if (job.answered) return;
  job.answered = true;
  job.verify_answer(a);
}

void CameraJobs::conclude_verify(std::uint64_t id, const VerifyResult* r) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return;
  if (!r) {  // the deadline passed first: the caller hears "timeout" now
    Job& job = it->second;
    if (job.answered) return;
    job.control->cancelled = true;
    answer_verify(job, said(FACEAUTH_RESULT_TIMEOUT, 0, FACEAUTH_HINT_USE_PASSWORD));
    return;  // the attempt is recorded when the worker hands the job back
  }
  // The worker handed the job back: its record, deadline and watch end here.
  Job job = std::move(it->second);
  jobs_.erase(it);
  job.deadline.reset();
  job.watch.reset();
  const std::string& user = job.user;
  VerifyAnswer a;
  try {
    if (!r->error.empty()) log::warn("camera: " + r->error, {"FACEAUTH_USER=" + user});
    // Every attempt that compared a usable face counts, however it ended:
    // a cancel (the caller went away, a password typed first) or a timeout
    // must not be a free try. A match counts only if it is what the caller
    // hears, and only while no lockout is in force: jobs queued before a
    // lockout began cannot get past it, nor past a refusal (tampering found
    // meanwhile).
    const VerifyGate now = store_.verify_gate(user, gate_query(true, false));
    const bool refused = now.verdict == VerifyGate::Verdict::Refused;
    const LockoutState& before = now.lockout;
    std::string result = r->result;
    VerifyOutcome outcome = VerifyOutcome::Error;
    if (refused)
      result = FACEAUTH_RESULT_REFUSED;
    else if (before.locked)
      result = FACEAUTH_RESULT_LOCKED_OUT;
    else if (r->result == FACEAUTH_RESULT_MATCH && !job.answered)
      outcome = VerifyOutcome::Match;
    else if (r->result == FACEAUTH_RESULT_SPOOF_SUSPECTED)
      outcome = VerifyOutcome::SpoofSuspected;
    else if (r->usable > 0 && r->result != FACEAUTH_RESULT_MATCH)
      outcome = VerifyOutcome::NoMatch;
    LockoutState after = store_.record_verify(user, outcome, job.actor);
    log::info("verify " + user + ": " + result + (job.answered ? " (after the caller's answer)" : ""),
              {"FACEAUTH_USER=" + user, "FACEAUTH_RESULT=" + result});
    if (result == FACEAUTH_RESULT_SPOOF_SUSPECTED)
      log::warn("face verification of " + user +
                    " refused: the face matched but did not look live (a photo or a "
                    "screen held to the camera?)",
                {"FACEAUTH_USER=" + user, "FACEAUTH_RESULT=" + result});
    if (after.locked && !before.locked)
      log::warn("face verification of " + user + " locked after repeated failures",
                {"FACEAUTH_USER=" + user});
    if (job.answered) return;  // answered already (its deadline passed)
    if (result == FACEAUTH_RESULT_LOCKED_OUT)
      a = said(FACEAUTH_RESULT_LOCKED_OUT, r->frames, FACEAUTH_HINT_TOO_MANY_ATTEMPTS, until_of(before));
    else if (result == FACEAUTH_RESULT_REFUSED)
      a = said(FACEAUTH_RESULT_REFUSED, r->frames, FACEAUTH_HINT_USE_PASSWORD);
    else
      a = said(result.c_str(), r->frames, result == FACEAUTH_RESULT_MATCH ? "" : r->hint);
  } catch (...) {
    a = VerifyAnswer{};
    a.failure = std::current_exception();
  }
  answer_verify(job, a);
}

// ---- TestVerify ------------------------------------------------------------

void CameraJobs::test(TestCall call, TestAnswerFn answer) {
  std::optional<TestAnswer> now;
  try {
    now = start_test(call, answer);
  } catch (...) {
    now.emplace();
    now->failure = std::current_exception();
  }
  if (now) answer(*now);
}

std::optional<TestAnswer> CameraJobs::start_test(TestCall& call, const TestAnswerFn& answer) {
  using V = VerifyGate::Verdict;
  const std::string& user = call.user;
  auto said_test = [](const char* result) {
    TestAnswer a;
    a.result = result;
    return a;
  };
  // Not stopped by a lockout (an administrator's test), never counted.
  VerifyGate gate = store_.verify_gate(user, gate_query(false, true));
  TestRequest req;
  switch (gate.verdict) {
    case V::Refused:
      if (!gate.tampering.empty())
        log::crit("face data of " + user + " failed its integrity check: " + gate.tampering,
                  {"FACEAUTH_USER=" + user});
      return said_test(FACEAUTH_RESULT_REFUSED);
    case V::EnrollAgain:  // only another embedder's templates: as Verify answers
      return said_test(FACEAUTH_RESULT_ENROLL_AGAIN);
    case V::Templates: req.templates = embeddings_of(gate.templates); break;
    case V::NotEnrolled:  // no templates: the frames show quality only
    case V::LockedOut:    // not asked for
    case V::Enrolled:     // not asked for
      break;
  }
  req.threshold = threshold_;
  req.frames_needed = config_.frames_needed;
  req.frames_window = config_.frames_window;
  req.max_frames = call.max_frames;
  req.liveness.required = config_.liveness != LivenessMode::off;
  req.liveness.blink = config_.liveness == LivenessMode::blink;
  req.timeout = call.timeout;
  req.quality = quality_;
  if (connection_has_job(call.connection))
    throw BusyError("this connection already has a camera job running; wait for its answer");
  const std::uint64_t id = next_id_++;
  boost::asio::io_context& io = io_;
  std::weak_ptr<CameraJobs*> self = self_;
  auto ctl = runner_.submit_test(std::move(req), [&io, self, id](TestResult r) {
    boost::asio::post(io, [self, id, r = std::move(r)] {
      if (auto p = self.lock()) (*p)->conclude_test(id, r);
    });
  });
  if (!ctl) throw BusyError("the camera is busy with other requests; try again in a moment");
  Job job;
  job.kind = Job::Kind::test;
  job.user = user;
  job.actor = call.actor;
  job.connection = call.connection;
  job.control = std::move(ctl);
  job.test_answer = answer;
  add_job(id, std::move(job), call.watch);
  return std::nullopt;
}

void CameraJobs::conclude_test(std::uint64_t id, const TestResult& r) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return;
  Job job = std::move(it->second);
  jobs_.erase(it);
  job.watch.reset();
  TestAnswer a;
  try {
    if (!r.error.empty()) log::warn("camera: " + r.error, {"FACEAUTH_USER=" + job.user});
    // Audited as an error outcome: an administrator's test never changes the failure counter.
    store_.record_verify(job.user, VerifyOutcome::Error,
                         job.actor + " (TestVerify, administrator's test; not counted)");
    log::info("test-verify " + job.user + " by " + job.actor + ": " + r.result,
              {"FACEAUTH_USER=" + job.user});
    a.result = r.result;
    a.frames = r.frames;
  } catch (...) {
    a = TestAnswer{};
    a.failure = std::current_exception();
  }
  job.answered = true;
  job.test_answer(a);
}

// ---- Enroll ----------------------------------------------------------------

std::uint64_t CameraJobs::enroll(EnrollCall call, EnrollEvents events) {
  if (store_.is_excluded(call.user))
    throw StoreError(StoreError::Kind::Excluded,
                     "the account " + call.user + " is excluded from face verification");
  // The consent the person gave for this enrollment is recorded with its
  // template, in one transaction, when the enrollment succeeds: a Busy
  // answer, a failed capture or a killed daemon leaves no orphan consent.
  const std::uint64_t job = next_enroll_++;
  EnrollRequest req;
  req.frames_needed = config_.enroll_frames;
  req.timeout = std::chrono::seconds(std::max(30, config_.verify_timeout_seconds * 6));
  req.quality = quality_;
  boost::asio::io_context& io = io_;
  std::weak_ptr<CameraJobs*> self = self_;
  auto shared =
      std::make_shared<const std::pair<EnrollCall, EnrollEvents>>(std::move(call), std::move(events));
  auto progress = [&io, self, job, shared](unsigned captured, unsigned needed, const std::string& hint) {
    boost::asio::post(io, [self, job, shared, captured, needed, hint] {
      if (self.lock() && shared->second.progress) shared->second.progress(job, captured, needed, hint);
    });
  };
  auto done = [&io, self, job, shared](EnrollResult r) {
    auto result = std::make_shared<EnrollResult>(std::move(r));
    boost::asio::post(io, [self, job, shared, result] {
      if (auto p = self.lock()) (*p)->finish_enroll(job, shared->first, shared->second, std::move(*result));
    });
  };
  if (!runner_.submit_enroll(req, progress, done))
    throw BusyError("the camera is busy with other requests; try again in a moment");
  return job;
}

void CameraJobs::finish_enroll(std::uint64_t job, const EnrollCall& call, const EnrollEvents& events,
                               EnrollResult r) {
  std::int64_t id = 0;
  std::string result = r.result, message = r.message;
  if (result == "enrolled") {
    try {
      id = store_.add_template_with_consent(call.user, call.notice_id, call.notice_text, call.method,
                                            call.label, std::span<const float>(r.mean.data(), r.mean.size()),
                                            call.actor, embedder_name(r.mean.kind));
    } catch (const std::exception& e) {
      result = "error";
      message = std::string("the enrollment could not be stored: ") + e.what() + "; nothing was stored";
    }
  }
  log::info("enroll " + call.user + ": " + result + " (" + message + ")", {"FACEAUTH_USER=" + call.user});
  if (events.finished) events.finished(job, result, message, id);
}

}  // namespace faceauth
