// The camera worker: one thread that owns the face models (dlib networks are
// not safe to share between threads) and runs one camera job at a time from
// a bounded queue. The frame source is opened at the start of each job and
// closed at its end, so the camera light is on only while a job runs.
// Results are handed to callbacks on the worker thread; the service posts
// them back to the event-loop thread, which alone touches the bus and store.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "embedding.h"
#include "face_engine.h"
#include "operating_point.h"

namespace faceauth {

struct JobControl {
  std::atomic<bool> cancelled{false};
};

// Liveness in a decision (operating_point.h: kLivenessThreshold).
struct LivenessPolicy {
  bool required = true;
  double threshold = kLivenessThreshold;
  // An infrared camera (docs/camera.md): liveness comes from its emitter's
  // on/off frame pairs instead of the colour network. A lit frame's face must
  // be brighter than the same place in the dark frame before it by at least
  // kIrPairMinContrast (mean luma, 0..255): lit by the emitter, as skin or
  // paper is and a screen (black in near-infrared) is not.
  bool ir_pairs = false;
  // liveness = blink (blink.h): a match also needs a blink seen within the
  // attempt, from the eye openness of every frame with an aligned face.
  bool blink = false;
};

// Not calibrated on a real IR camera (none ran here): a placeholder that
// separates a lit face from an unlit one in the emulated material.
constexpr double kIrPairMinContrast = 20.0;

struct VerifyRequest {
  std::vector<Embedding> templates;  // the user's templates (wiped with the request)
  double threshold = default_threshold();
  int frames_needed = 2;    // k: the mean of k consecutive usable frames must match ...
  int frames_window = 10;   // ... within at most n usable frames
  LivenessPolicy liveness;  // and, when required, the attempt must look live
  // Counted from the call, not from when the job gets the camera: a caller
  // waiting in the queue is answered within the timeout it asked for.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  QualityOptions quality;
  // The calling service accepts only an infrared camera (PAM require=ir):
  // on any other camera the answer is "liveness-unavailable", no frame taken.
  bool require_ir = false;
  // Logins (PAM in login, sudo and display managers runs as root) go ahead of
  // users' own calls and have one queue place kept for them, so a user
  // filling the queue cannot keep others from logging in; a user's job that
  // holds the camera is cancelled when such a login arrives.
  bool priority = false;
};

struct VerifyResult {
  // match, no-match, spoof-suspected, no-face, camera-unavailable,
  // liveness-unavailable, timeout, cancelled
  std::string result;
  unsigned frames = 0;  // frames examined
  unsigned usable = 0;  // of them, frames with a usable face (compared with the templates)
  std::string hint;     // for the person, from the last frame that did not count
  std::string error;    // camera error text, for the journal
};

struct EnrollRequest {
  int frames_needed = 5;
  std::chrono::milliseconds timeout{30000};
  QualityOptions quality;
};

struct EnrollResult {
  std::string result;  // enrolled, timeout, cancelled, camera-unavailable, inconsistent
  std::string message;
  Embedding mean;  // valid when enrolled
};

// An administrator's test (TestVerify): per-frame verdicts and distances,
// never counted towards the lockout. Distances go to root/manage only.
struct TestRequest {
  std::vector<Embedding> templates;  // may be empty (not enrolled: quality only)
  double threshold = default_threshold();
  int frames_needed = 2;
  int frames_window = 10;  // stop after this many usable frames ...
  int max_frames = 20;     // ... or this many frames in all
  LivenessPolicy liveness;
  std::chrono::milliseconds timeout{5000};
  QualityOptions quality;
};

struct TestFrame {
  std::string reason;  // "face found" or why the frame did not count
  bool usable = false;
  double distance = 0;  // smallest distance to a template; 0 when not usable or no templates
  double live = -1;     // live score (0..1) of a usable frame; -1 when not computed
  std::string hint;     // advice for the person ("move closer", ...)
};

struct TestResult {
  // What Verify would have answered on these frames: match, no-match,
  // spoof-suspected, liveness-unavailable, no-face,
  // not-enrolled (no templates; frames show quality only), camera-unavailable,
  // timeout, cancelled.
  std::string result;
  std::vector<TestFrame> frames;
  std::string error;  // camera error text
};

using ProgressFn = std::function<void(unsigned captured, unsigned needed, const std::string& hint)>;

// What runs camera jobs, as CameraJobs (camera_jobs.h) sees it: CameraWorker
// in the daemon, a fake in the unit tests. Each submit returns the job's
// control (set `cancelled` to stop it), or nullptr when the queue is full
// (Busy); `done` (and `progress`) may run on any thread.
class CameraJobRunner {
 public:
  virtual ~CameraJobRunner() = default;
  virtual std::shared_ptr<JobControl> submit_verify(VerifyRequest req,
                                                    std::function<void(VerifyResult)> done) = 0;
  virtual std::shared_ptr<JobControl> submit_enroll(EnrollRequest req, ProgressFn progress,
                                                    std::function<void(EnrollResult)> done) = 0;
  virtual std::shared_ptr<JobControl> submit_test(TestRequest req, std::function<void(TestResult)> done) = 0;
  // Cancels every job queued or running (before suspend).
  virtual void cancel_all() = 0;
};

class CameraWorker final : public CameraJobRunner {
 public:
  // With `liveness`, the engine also loads the passive liveness network; with
  // `blink`, dlib's 68-point model for the eyes (blink.h).
  // `ir_usb_ids`: the configuration's list (camera_probe.h, is_ir_camera).
  CameraWorker(std::string camera_spec, std::string model_dir, EmbedderKind embedder, bool liveness,
               size_t queue_limit, std::vector<std::string> ir_usb_ids = {}, bool blink = false);
  ~CameraWorker();

  // nullptr when the queue is full (Busy). `done` runs on the worker thread.
  std::shared_ptr<JobControl> submit_verify(VerifyRequest req,
                                            std::function<void(VerifyResult)> done) override;
  std::shared_ptr<JobControl> submit_enroll(EnrollRequest req, ProgressFn progress,
                                            std::function<void(EnrollResult)> done) override;

  std::shared_ptr<JobControl> submit_test(TestRequest req, std::function<void(TestResult)> done) override;

  void cancel_all() override;  // e.g. before suspend
  bool busy() const;           // a job running or queued
  // "loading", "ok" or the error that stopped the models from loading.
  std::string models_state() const;
  // Whether the camera counted as infrared when last asked (at start and at
  // each job): "yes: why", "no: why", or "not a V4L2 camera".
  std::string camera_ir_state() const;

 private:
  void run();
  VerifyResult verify(FaceEngine& engine, const VerifyRequest& req, const JobControl& ctl);
  EnrollResult enroll(FaceEngine& engine, const EnrollRequest& req, const ProgressFn& progress,
                      const JobControl& ctl);
  TestResult test(FaceEngine& engine, const TestRequest& req, const JobControl& ctl);

  // Asks the configured camera what it is (camera_probe.h); true when it
  // counts as infrared. Runs on the worker thread (a device may block).
  bool probe_ir();

  using JobFn = std::function<void(FaceEngine*, const std::string& model_error, const JobControl&)>;
  // Queues a job; nullptr when the queue is full (or the worker stops).
  std::shared_ptr<JobControl> enqueue(JobFn run, bool priority = false);

  struct Job {
    std::shared_ptr<JobControl> control;
    bool priority = false;
    std::function<void(FaceEngine*, const std::string& model_error)> run;
  };

  const std::string camera_spec_;
  const std::string model_dir_;
  const EmbedderKind embedder_;
  const bool liveness_;
  const bool blink_;
  const size_t queue_limit_;
  const std::vector<std::string> ir_usb_ids_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  std::shared_ptr<JobControl> running_;
  bool running_priority_ = false;
  std::string models_state_ = "loading";
  std::string camera_ir_state_ = "not asked yet";
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace faceauth
