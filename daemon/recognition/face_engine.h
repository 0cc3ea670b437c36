// The recognition pipeline for one frame: quality gates, detection,
// landmarks, alignment, embedding. Each gate says why a frame does not count.
#pragma once

#include <atomic>

#include <memory>
#include <string>

#include "detector.h"
#include "embedder.h"
#include "embedding.h"
#include "image.h"
#include "liveness.h"

namespace faceauth {

// stopped: the job was cancelled between two stages of the analysis.
enum class FrameVerdict { ok, no_face, multiple_faces, face_too_small, too_dark, too_blurred, stopped };

// Stable machine names ("no-face", "multiple-faces", ...) used in JSON and D-Bus.
const char* verdict_name(FrameVerdict v);
// The hint code for the person in front of the camera ("move-closer", ...;
// dbus/faceauth-dbus.h): each client shows its own translated text for it.
const char* verdict_hint(FrameVerdict v);

struct QualityOptions {
  int min_face_pixels = 60;      // narrower detected faces are "too small"
  double min_brightness = 25;    // mean luma below this is "too dark" (IR strobe off-frames)
  double min_sharpness = 6;      // Laplacian variance of the chip centre (docs/recognition.md)
  bool upsample_if_none = true;  // second detection pass at 2x for small faces
};

// Where the face was in the frames before, within one attempt: analyze()
// then searches a small window around it instead of the whole frame
// (docs/performance.md). One per attempt; a new attempt starts empty.
struct FaceTrack {
  bool found = false;  // the last frame had exactly one face of sufficient size
  FaceBox last;        // ... here
  int since_full = 0;  // frames searched near `last` since the last whole-frame search
};

// The window around the last face: its box grown by this much of its size on
// each side; resampled so the face is this many pixels wide (HOG's window is
// 80: a face that shrank by a fifth is still found).
inline constexpr double kTrackMargin = 0.5;
inline constexpr int kTrackFacePixels = 100;
// A whole-frame search at least every this many frames (a third of a second
// at 30 fps), so a second face entering the view is still refused.
inline constexpr int kTrackFullSearchEvery = 10;

struct StageTimes {
  double detect_ms = 0, landmarks_ms = 0, embed_ms = 0, liveness_ms = 0;
};

struct FrameAnalysis {
  FrameVerdict verdict = FrameVerdict::no_face;
  int faces = 0;          // faces detected (any size)
  FaceBox face;           // the face used, when there was exactly one of sufficient size
  double brightness = 0;  // mean luma of the frame
  double sharpness = 0;   // of the aligned chip (0 when no chip was made)
  Landmarks landmarks;    // valid once a face of sufficient size was found
  Embedding embedding;    // valid only when verdict == ok
  float live = -1;        // liveness network's live probability (0..1) when verdict == ok
                          // and the engine has the network; -1 otherwise
  float eyes = -1;        // eye openness and face shape (blink.h) once a face of
  float shape = -1;       // sufficient size was aligned and the engine has the eye
                          // model; -1 otherwise
  bool tracked = false;   // found by the window search around the last face
  StageTimes times;
  std::string reason() const;  // e.g. "face is 42 px wide, needs at least 60: move closer"
};

class FaceEngine {
 public:
  // Loads the landmark model and the embedder's model from model_dir,
  // checking their SHA-256 first (ModelError).
  // With `liveness`, also the passive liveness network (liveness.h): each
  // usable frame then carries a live score.
  // With `blink`, also dlib's 68-point model (eye_model_path()): each frame
  // with an aligned face then carries its eye openness.
  FaceEngine(const std::string& model_dir, EmbedderKind embedder, bool liveness = false, bool blink = false);

  // `stop`, when given, is looked at between the stages (detection,
  // landmarks, embedding, liveness): once it is set the analysis ends with
  // FrameVerdict::stopped, so a cancelled job frees the camera without
  // waiting for the rest of a frame's compute.
  //
  // `track`, when given, carries the face's place from frame to frame of one
  // attempt: when the last frame had one face, this one is searched first in
  // a window around it (FaceTrack); a window holding anything but one face of
  // sufficient size, and every kTrackFullSearchEvery-th frame, falls back to
  // the whole-frame search. Every gate after detection is the same.
  FrameAnalysis analyze(const Image& frame, const QualityOptions& q = {}, int jitters = 0,
                        const std::atomic<bool>* stop = nullptr, FaceTrack* track = nullptr);

  FaceDetector& detector() { return detector_; }
  FaceEmbedder& embedder() { return *embedder_; }
  EmbedderKind kind() const { return embedder_->kind(); }
  bool has_liveness() const { return liveness_ != nullptr; }
  bool has_eyes() const { return detector_.has_eye_model(); }

 private:
  FrameAnalysis analyze_frame(const Image& frame, const QualityOptions& q, int jitters,
                              const std::atomic<bool>* stop, FaceTrack* track);
  // The faces of this frame: near the tracked face when that finds exactly
  // one of sufficient size (*tracked), else from the whole-frame search.
  std::vector<FaceBox> find_faces(const Image& frame, const QualityOptions& q, FaceTrack* track,
                                  bool* tracked);

  FaceDetector detector_;
  std::unique_ptr<FaceEmbedder> embedder_;
  std::unique_ptr<LivenessNet> liveness_;
};

}  // namespace faceauth
