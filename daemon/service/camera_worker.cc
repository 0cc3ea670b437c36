#include "camera_worker.h"

#include <algorithm>

#include "blink.h"
#include "camera_probe.h"
#include "faceauth-dbus.h"
#include "frame_source.h"
#include "fusion.h"
#include "log.h"
#include "operating_point.h"
#include "quality.h"
#include "source_factory.h"
#include "source_spec.h"

namespace faceauth {

using Clock = std::chrono::steady_clock;

CameraWorker::CameraWorker(std::string camera_spec, std::string model_dir, EmbedderKind embedder,
                           bool liveness, size_t queue_limit, std::vector<std::string> ir_usb_ids, bool blink)
    : camera_spec_(std::move(camera_spec)),
      model_dir_(std::move(model_dir)),
      embedder_(embedder),
      liveness_(liveness),
      blink_(blink),
      queue_limit_(queue_limit),
      ir_usb_ids_(std::move(ir_usb_ids)),
      thread_([this] { run(); }) {}

bool CameraWorker::probe_ir() {
  std::string state;
  bool ir = false;
  SourceSpec spec;
  try {
    spec = parse_source_spec(camera_spec_);
  } catch (const std::exception&) {
  }
  if (spec.kind != SourceSpec::Kind::v4l2) {
    state = "not a V4L2 camera";
  } else if (ir_usb_ids_.empty()) {
    state = "no: ir_usb_ids lists no camera";  // nothing to ask the camera
  } else {
    std::string why;
    ir = is_ir_camera(probe_camera(spec.path), ir_usb_ids_, &why);
    state = (ir ? "yes: " : "no: ") + why;
  }
  std::lock_guard lock(mu_);
  camera_ir_state_ = state;
  return ir;
}

std::string CameraWorker::camera_ir_state() const {
  std::lock_guard lock(mu_);
  return camera_ir_state_;
}

CameraWorker::~CameraWorker() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    for (auto& j : queue_) j.control->cancelled = true;
    if (running_) running_->cancelled = true;
  }
  cv_.notify_all();
  thread_.join();
}

void CameraWorker::run() {
  std::unique_ptr<FaceEngine> engine;
  std::string model_error;
  try {
    engine = std::make_unique<FaceEngine>(model_dir_, embedder_, liveness_, blink_);
  } catch (const std::exception& e) {
    model_error = e.what();
    log::crit("face models unavailable, face verification is off (the password keeps working): " +
              model_error);
  }
  {
    std::lock_guard lock(mu_);
    models_state_ = engine ? "ok" : model_error;
  }
  probe_ir();
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      job = std::move(queue_.front());
      queue_.pop_front();
      running_ = job.control;
      running_priority_ = job.priority;
    }
    job.run(engine.get(), model_error);
    std::lock_guard lock(mu_);
    running_.reset();
  }
}

std::shared_ptr<JobControl> CameraWorker::enqueue(JobFn run, bool priority) {
  auto ctl = std::make_shared<JobControl>();
  Job job{ctl, priority, [ctl, run = std::move(run)](FaceEngine* engine, const std::string& model_error) {
            run(engine, model_error, *ctl);
          }};
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= queue_limit_ + (priority ? 1 : 0) || stop_) return nullptr;
    // Priority jobs wait behind earlier priority jobs only.
    auto pos = priority ? std::find_if(queue_.begin(), queue_.end(), [](const Job& j) { return !j.priority; })
                        : queue_.end();
    queue_.insert(pos, std::move(job));
    // A login pre-empts a user's own job that holds the camera (it answers
    // "cancelled"): nobody can keep the camera from a login by asking first.
    if (priority && running_ && !running_priority_) running_->cancelled = true;
  }
  cv_.notify_one();
  return ctl;
}

std::shared_ptr<JobControl> CameraWorker::submit_verify(VerifyRequest req,
                                                        std::function<void(VerifyResult)> done) {
  const bool priority = req.priority;
  auto shared_req = std::make_shared<VerifyRequest>(std::move(req));
  return enqueue(
      [this, shared_req, done](FaceEngine* engine, const std::string& model_error, const JobControl& ctl) {
        VerifyResult r;
        if (!engine) {
          r.result = FACEAUTH_RESULT_CAMERA_UNAVAILABLE;
          r.error = "face models unavailable: " + model_error;
        } else {
          try {
            r = verify(*engine, *shared_req, ctl);
          } catch (const std::exception& e) {
            r.result = FACEAUTH_RESULT_CAMERA_UNAVAILABLE;
            r.error = std::string("verification failed: ") + e.what();
          }
        }
        shared_req->templates.clear();
        done(std::move(r));
      },
      priority);
}

std::shared_ptr<JobControl> CameraWorker::submit_enroll(EnrollRequest req, ProgressFn progress,
                                                        std::function<void(EnrollResult)> done) {
  return enqueue(
      [this, req, progress, done](FaceEngine* engine, const std::string& model_error, const JobControl& ctl) {
        EnrollResult r;
        if (!engine) {
          r.result = FACEAUTH_RESULT_CAMERA_UNAVAILABLE;
          r.message = "face models unavailable: " + model_error;
        } else {
          try {
            r = enroll(*engine, req, progress, ctl);
          } catch (const std::exception& e) {
            r.result = FACEAUTH_RESULT_CAMERA_UNAVAILABLE;
            r.message = std::string("enrollment failed: ") + e.what() + "; nothing was stored";
          }
        }
        done(std::move(r));
      });
}

std::shared_ptr<JobControl> CameraWorker::submit_test(TestRequest req, std::function<void(TestResult)> done) {
  auto shared_req = std::make_shared<TestRequest>(std::move(req));
  return enqueue(
      [this, shared_req, done](FaceEngine* engine, const std::string& model_error, const JobControl& ctl) {
        TestResult r;
        if (!engine) {
          r.result = FACEAUTH_RESULT_CAMERA_UNAVAILABLE;
          r.error = "face models unavailable: " + model_error;
        } else {
          try {
            r = test(*engine, *shared_req, ctl);
          } catch (const std::exception& e) {
            r.result = FACEAUTH_RESULT_CAMERA_UNAVAILABLE;
            r.error = std::string("test failed: ") + e.what();
          }
        }
        shared_req->templates.clear();
        done(std::move(r));
      });
}

void CameraWorker::cancel_all() {
  std::lock_guard lock(mu_);
  for (auto& j : queue_) j.control->cancelled = true;
  if (running_) running_->cancelled = true;
}

bool CameraWorker::busy() const {
  std::lock_guard lock(mu_);
  return running_ != nullptr || !queue_.empty();
}

std::string CameraWorker::models_state() const {
  std::lock_guard lock(mu_);
  return models_state_;
}

namespace {
// Opens the configured source; closes it when the job ends, whatever happens.
struct OpenSource {
  std::unique_ptr<FrameSource> src;
  explicit OpenSource(const std::string& spec) : src(make_frame_source(spec)) { src->open(); }
  ~OpenSource() { src->close(); }
};
}  // namespace

namespace {
// The decision rule shared by verify() and test() (fusion.h, docs/recognition.md):
// the mean of the last k usable frames must lie under the threshold from one
// stored template. Embeddings are wiped on destruction.
// Liveness is decided over every usable frame of the attempt so far (the mean
// live score), never per window: a window of lucky frames cannot pass alone.
class AttemptWindow {
 public:
  explicit AttemptWindow(int k) : k_(static_cast<size_t>(std::max(1, k))) {}
  // Adds a usable frame; true when the window now matches (identity only).
  bool add(const Embedding& e, float live, const std::vector<Embedding>& templates, double threshold) {
    recent_.push_back(e);
    if (recent_.size() > k_) recent_.erase(recent_.begin());
    if (live >= 0) {  // -1: not computed, or not counted (an IR attempt's first lit frame)
      live_sum_ += live;
      ++frames_;
    }
    return recent_.size() == k_ && attempt_matches(templates, recent_, threshold);
  }
  // The attempt's answer once identity matched: "match", or
  // "spoof-suspected" when liveness is required and the mean live score of
  // all usable frames so far lies under the threshold.
  // "" when the attempt goes on: (IR pairs) fewer than k frames counted yet
  // (a dropped emitter-off frame makes one lit frame count 0; one pair must
  // not decide alone), or (blink) no blink seen yet.
  std::string on_identity_match(const LivenessPolicy& p, bool blinked) const {
    if (!p.required) return "match";
    if (p.ir_pairs && frames_ < k_) return "";
    const double mean = frames_ ? live_sum_ / static_cast<double>(frames_) : 0;
    // IR pairs give 1 or 0 per frame: most lit frames must have been lit by the emitter.
    if (mean < (p.ir_pairs ? 0.5 : p.threshold)) return "spoof-suspected";
    if (p.blink && !blinked) return "";
    return "match";
  }

 private:
  size_t k_;
  std::vector<Embedding> recent_;
  double live_sum_ = 0;
  size_t frames_ = 0;
};
// The emitter pairs of an IR camera. A lit frame with a face counts as live
// when an emitter-off frame came since the previous lit frame and the face
// is brighter in the lit frame than the same place in the dark one by
// kIrPairMinContrast (1), not when the emitter did not strobe in between or
// the contrast is missing (0). The first lit frame of an attempt is not
// counted (-1): the dark frames before it are the camera's warm-up. The dark
// frame is kept only until it is used; frames are wiped.
class IrPairs {
 public:
  ~IrPairs() { dark_.wipe(); }
  // Takes a frame the brightness gate skipped.
  void dark(Image&& frame) {
    dark_.wipe();
    if (!seen_lit_) return frame.wipe();  // warm-up
    dark_ = std::move(frame);
  }
  double live(const Image& lit, const FaceBox& box) {
    if (!seen_lit_) {
      seen_lit_ = true;
      return -1;
    }
    double v = 0;
    if (!dark_.empty() && dark_.width() == lit.width() && dark_.height() == lit.height()) {
      v = mean_luma(lit, box) - mean_luma(dark_, box) >= kIrPairMinContrast ? 1.0 : 0.0;
    }
    dark_.wipe();
    return v;
  }

 private:
  static double mean_luma(const Image& img, const FaceBox& b) {
    return mean_brightness(img, b.left, b.top, b.width, b.height);
  }
  Image dark_;
  bool seen_lit_ = false;
};

// The per-frame work of one attempt, as verify() and test() both do it: the
// analysis with the face tracked from frame to frame (face_engine.h), the
// live score of an IR camera's emitter pairs, the eye openness for the blink
// check (closed eyes may fail the sharpness gate, so every aligned face
// counts); the frame is wiped.
class AttemptFrames {
 public:
  explicit AttemptFrames(const LivenessPolicy& liveness) : ir_(liveness.ir_pairs) {}
  FrameAnalysis analyze(FaceEngine& engine, Image& image, const QualityOptions& q,
                        const std::atomic<bool>* stop) {
    FrameAnalysis a = engine.analyze(image, q, kAttemptJitters, stop, &track_);
    if (expected_dark(a)) {
      pairs_.dark(std::move(image));
    } else if (ir_ && a.verdict == FrameVerdict::ok) {
      a.live = pairs_.live(image, a.face);
    }
    image.wipe();
    if (a.eyes >= 0) blinks_.add(a.eyes, a.shape);
    return a;
  }
  bool blinked() const { return blinks_.blinked(); }
  // An IR camera's emitter-off frame: expected, and no hint for the person.
  bool expected_dark(const FrameAnalysis& a) const { return ir_ && a.verdict == FrameVerdict::too_dark; }

 private:
  bool ir_;
  FaceTrack track_;
  IrPairs pairs_;
  BlinkTracker blinks_{kBlinkClosedRatio, kBlinkReopenRatio, kBlinkShapeTolerance};
};

// Whether the engine can judge liveness as the policy asks: the network (or
// an IR camera's pairs) when liveness is required, the eye model for blinks.
bool liveness_possible(const FaceEngine& engine, const LivenessPolicy& p) {
  if (p.required && !p.ir_pairs && !engine.has_liveness()) return false;
  return !p.blink || engine.has_eyes();
}

}  // namespace

VerifyResult CameraWorker::verify(FaceEngine& engine, const VerifyRequest& req, const JobControl& ctl) {
  VerifyResult r;
  const auto deadline = req.deadline;
  if (Clock::now() >= deadline) {
    r.result = FACEAUTH_RESULT_TIMEOUT;  // waited in the queue for the whole timeout
    return r;
  }
  unsigned& usable = r.usable;
  bool any_frame = false;
  LivenessPolicy liveness = req.liveness;
  liveness.ir_pairs = probe_ir();
  if (req.require_ir && !liveness.ir_pairs) {
    r.result = FACEAUTH_RESULT_LIVENESS_UNAVAILABLE;
    r.hint = FACEAUTH_HINT_NEEDS_IR_CAMERA;
    r.error = "this login needs an infrared camera; the camera " + camera_ir_state();
    return r;
  }
  if (!liveness_possible(engine, liveness)) {
    r.result = FACEAUTH_RESULT_LIVENESS_UNAVAILABLE;
    return r;
  }
  AttemptWindow window(req.frames_needed);
  AttemptFrames attempt(liveness);
  // (blink) identity and the passive check have held: the attempt waits for a blink.
  bool awaiting_blink = false;
  auto ended_without_blink = [&] {
    r.result = FACEAUTH_RESULT_SPOOF_SUSPECTED;
    r.hint = FACEAUTH_HINT_BLINK;
  };
  try {
    OpenSource cam(camera_spec_);
    while (!ctl.cancelled) {
      if (Clock::now() >= deadline) {
        if (awaiting_blink)
          ended_without_blink();
        else
          r.result = usable > 0 ? FACEAUTH_RESULT_NO_MATCH
                                : (any_frame ? FACEAUTH_RESULT_NO_FACE : FACEAUTH_RESULT_TIMEOUT);
        return r;
      }
      std::optional<Frame> frame = cam.src->next();
      if (!frame) break;  // a recorded source has no more frames
      any_frame = true;
      ++r.frames;
      FrameAnalysis a = attempt.analyze(engine, frame->image, req.quality, &ctl.cancelled);
      if (a.verdict != FrameVerdict::ok) {
        if (!attempt.expected_dark(a)) r.hint = verdict_hint(a.verdict);
        continue;
      }
      ++usable;
      if (window.add(a.embedding, a.live, req.templates, req.threshold)) {
        std::string decision = window.on_identity_match(liveness, attempt.blinked());
        if (!decision.empty()) {
          r.result = std::move(decision);
          r.hint.clear();
          return r;
        }
        awaiting_blink = liveness.blink;
      }
      // Waiting for a blink goes on until the deadline; otherwise n usable frames decide.
      if (!awaiting_blink && usable >= static_cast<unsigned>(req.frames_window)) break;
    }
  } catch (const FrameSourceError& e) {
    r.result = FACEAUTH_RESULT_CAMERA_UNAVAILABLE;
    r.error = e.what();
    return r;
  }
  if (ctl.cancelled)
    r.result = FACEAUTH_RESULT_CANCELLED;
  else if (awaiting_blink)
    ended_without_blink();
  else
    r.result = usable > 0 ? FACEAUTH_RESULT_NO_MATCH : FACEAUTH_RESULT_NO_FACE;
  return r;
}

TestResult CameraWorker::test(FaceEngine& engine, const TestRequest& req, const JobControl& ctl) {
  TestResult r;
  const auto deadline = Clock::now() + req.timeout;
  int usable = 0;
  bool timed_out = false;
  std::string decided;  // verify()'s answer at the first identity match
  LivenessPolicy liveness = req.liveness;
  liveness.ir_pairs = probe_ir();
  if (!liveness_possible(engine, liveness)) {
    r.result = FACEAUTH_RESULT_LIVENESS_UNAVAILABLE;
    return r;
  }
  AttemptWindow window(req.frames_needed);  // decided as verify() does
  AttemptFrames attempt(liveness);          // analysed as verify() does
  bool awaiting_blink = false;
  try {
    OpenSource cam(camera_spec_);
    while (!ctl.cancelled && static_cast<int>(r.frames.size()) < req.max_frames &&
           (usable < req.frames_window || awaiting_blink)) {
      if (Clock::now() >= deadline) {
        timed_out = true;
        break;
      }
      std::optional<Frame> frame = cam.src->next();
      if (!frame) break;
      FrameAnalysis a = attempt.analyze(engine, frame->image, req.quality, &ctl.cancelled);
      TestFrame f;
      f.reason = a.reason();
      f.usable = a.verdict == FrameVerdict::ok;
      f.hint = verdict_hint(a.verdict);
      if (f.usable) {
        ++usable;
        double best = -1;
        for (const auto& t : req.templates) {
          double d = distance(t, a.embedding);
          if (best < 0 || d < best) best = d;
        }
        if (best >= 0) f.distance = best;
        f.live = a.live;
        if (window.add(a.embedding, a.live, req.templates, req.threshold) && decided.empty()) {
          decided = window.on_identity_match(liveness, attempt.blinked());
          if (decided.empty()) awaiting_blink = liveness.blink;
        }
      }
      r.frames.push_back(std::move(f));
    }
  } catch (const FrameSourceError& e) {
    r.result = FACEAUTH_RESULT_CAMERA_UNAVAILABLE;
    r.error = e.what();
    return r;
  }
  if (ctl.cancelled)
    r.result = FACEAUTH_RESULT_CANCELLED;
  else if (req.templates.empty())
    r.result = FACEAUTH_RESULT_NOT_ENROLLED;
  else if (!decided.empty())
    r.result = decided;
  else if (awaiting_blink)
    r.result = FACEAUTH_RESULT_SPOOF_SUSPECTED;  // no blink among these frames
  else if (usable > 0)
    r.result = FACEAUTH_RESULT_NO_MATCH;
  else if (r.frames.empty() && timed_out)
    r.result = FACEAUTH_RESULT_TIMEOUT;
  else
    r.result = FACEAUTH_RESULT_NO_FACE;
  return r;
}

EnrollResult CameraWorker::enroll(FaceEngine& engine, const EnrollRequest& req, const ProgressFn& progress,
                                  const JobControl& ctl) {
  EnrollResult r;
  const auto deadline = Clock::now() + req.timeout;
  std::vector<Embedding> captured;
  const unsigned needed = static_cast<unsigned>(req.frames_needed);
  progress(0, needed, FACEAUTH_HINT_LOOK_AT_CAMERA);
  try {
    OpenSource cam(camera_spec_);
    while (captured.size() < needed) {
      if (ctl.cancelled) {
        r.result = FACEAUTH_RESULT_CANCELLED;
        r.message = "enrollment was cancelled; nothing was stored";
        return r;
      }
      if (Clock::now() >= deadline) {
        r.result = FACEAUTH_RESULT_TIMEOUT;
        r.message = "only " + std::to_string(captured.size()) + " of " + std::to_string(needed) +
                    " good frames in time; nothing was stored";
        return r;
      }
      std::optional<Frame> frame = cam.src->next();
      if (!frame) {
        r.result = FACEAUTH_RESULT_TIMEOUT;
        r.message = "the camera delivered no more frames after " + std::to_string(captured.size()) + " of " +
                    std::to_string(needed) + " good frames; nothing was stored";
        return r;
      }
      // Enrollment frames are jittered as the embedder's calibration says:
      // a steadier template from few frames.
      FrameAnalysis a = engine.analyze(frame->image, req.quality,
                                       calibration_of(engine.kind()).enroll_jitters, &ctl.cancelled);
      frame->image.wipe();
      if (a.verdict == FrameVerdict::stopped) continue;  // cancelled: the loop ends
      if (a.verdict == FrameVerdict::ok) captured.push_back(a.embedding);
      progress(static_cast<unsigned>(captured.size()), needed,
               a.verdict == FrameVerdict::ok ? FACEAUTH_HINT_HOLD_STILL : verdict_hint(a.verdict));
    }
  } catch (const FrameSourceError& e) {
    r.result = FACEAUTH_RESULT_CAMERA_UNAVAILABLE;
    r.message = std::string(e.what()) + "; nothing was stored";
    return r;
  }
  // No frame may lie the embedder's consistency limit or more from the mean
  // of the others (fusion.h; measured in docs/recognition.md): two people are refused.
  EnrollPolicy policy;
  policy.outlier_distance = kEnrollOutlierDistance;
  policy.max_outliers = kEnrollMaxOutliers;
  policy.inconsistent_distance = calibration_of(engine.kind()).enroll_consistency_limit;
  EnrollmentReport rep = assess_enrollment(captured, policy);
  if (!rep.consistent) {
    r.result = "inconsistent";
    r.message = "the captured frames do not all show the same face (" + rep.summary() +
                "); make sure only you are in view and try again. Nothing was stored";
    return r;
  }
  r.result = "enrolled";
  r.message = "enrolled from " + std::to_string(captured.size()) + " frames; " + rep.summary();
  r.mean = rep.mean;
  return r;
}

}  // namespace faceauth
