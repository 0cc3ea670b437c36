#include "face_engine.h"

#include <chrono>
#include <cstdio>

#include "blink.h"
#include "faceauth-dbus.h"  // the hint codes
#include "models.h"
#include "quality.h"

namespace faceauth {

const char* verdict_name(FrameVerdict v) {
  switch (v) {
    case FrameVerdict::ok: return "ok";
    case FrameVerdict::no_face: return "no-face";
    case FrameVerdict::multiple_faces: return "multiple-faces";
    case FrameVerdict::face_too_small: return "face-too-small";
    case FrameVerdict::too_dark: return "too-dark";
    case FrameVerdict::too_blurred: return "too-blurred";
    case FrameVerdict::stopped: return "stopped";
  }
  return "unknown";
}

const char* verdict_hint(FrameVerdict v) {
  switch (v) {
    case FrameVerdict::ok: return FACEAUTH_HINT_HOLD_STILL;
    case FrameVerdict::no_face: return FACEAUTH_HINT_LOOK_AT_CAMERA;
    case FrameVerdict::multiple_faces: return FACEAUTH_HINT_ONE_FACE;
    case FrameVerdict::face_too_small: return FACEAUTH_HINT_MOVE_CLOSER;
    case FrameVerdict::too_dark: return FACEAUTH_HINT_MORE_LIGHT;
    case FrameVerdict::too_blurred: return FACEAUTH_HINT_HOLD_STILL;
    case FrameVerdict::stopped: return "";
  }
  return "";
}

std::string FrameAnalysis::reason() const {
  char buf[200];
  switch (verdict) {
    case FrameVerdict::ok: return "face found";
    case FrameVerdict::no_face: return "no face found: look at the camera";
    case FrameVerdict::multiple_faces:
      std::snprintf(buf, sizeof buf, "%d faces found, only one may be in view", faces);
      return buf;
    case FrameVerdict::face_too_small:
      std::snprintf(buf, sizeof buf, "face is %d px wide, too small: move closer", face.width);
      return buf;
    case FrameVerdict::too_dark:
      std::snprintf(buf, sizeof buf, "frame too dark (mean brightness %.0f of 255): more light", brightness);
      return buf;
    case FrameVerdict::too_blurred:
      std::snprintf(buf, sizeof buf, "face too blurred (sharpness %.0f): hold still", sharpness);
      return buf;
    case FrameVerdict::stopped: return "analysis stopped: the job was cancelled";
  }
  return "unknown";
}

namespace {
double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

std::unique_ptr<FaceEmbedder> make_embedder(EmbedderKind kind, const std::string& model_dir) {
  switch (kind) {
    case EmbedderKind::dlib_resnet: return make_dlib_embedder(model_dir);
    case EmbedderKind::mobilefacenet: return make_mobilefacenet_embedder(model_dir);
  }
  throw ModelError("unknown embedder");
}

const char* embedder_model_file(EmbedderKind kind) {
  return kind == EmbedderKind::mobilefacenet ? kMobileFaceNetModel : kRecognitionModel;
}

FaceEngine::FaceEngine(const std::string& model_dir, EmbedderKind embedder, bool liveness, bool blink)
    : detector_(model_dir),
      embedder_(make_embedder(embedder, model_dir)),
      liveness_(liveness ? make_liveness_net(model_dir) : nullptr) {
  if (blink) detector_.load_eye_model(eye_model_path(model_dir));
}

std::vector<FaceBox> FaceEngine::find_faces(const Image& frame, const QualityOptions& q, FaceTrack* track,
                                            bool* tracked) {
  *tracked = false;
  if (track && track->found && track->since_full + 1 < kTrackFullSearchEvery) {
    std::vector<FaceBox> near = detector_.detect_near(frame, track->last, kTrackMargin, kTrackFacePixels);
    if (near.size() == 1 && near.front().width >= q.min_face_pixels) {
      *tracked = true;
      return near;
    }
  }
  return detector_.detect(frame, q.upsample_if_none);
}

FrameAnalysis FaceEngine::analyze(const Image& frame, const QualityOptions& q, int jitters,
                                  const std::atomic<bool>* stop, FaceTrack* track) {
  FrameAnalysis a = analyze_frame(frame, q, jitters, stop, track);
  if (track && a.verdict != FrameVerdict::too_dark && a.verdict != FrameVerdict::stopped) {
    // Only a frame with exactly one face of sufficient size leads the next
    // search; no face, two faces or a small one start over. A dark frame (an
    // IR camera's emitter-off frame) was not searched and changes nothing.
    const bool one = a.verdict == FrameVerdict::ok || a.verdict == FrameVerdict::too_blurred;
    track->since_full = one && a.tracked ? track->since_full + 1 : 0;
    track->found = one;
    if (one) track->last = a.face;
  }
  return a;
}

FrameAnalysis FaceEngine::analyze_frame(const Image& frame, const QualityOptions& q, int jitters,
                                        const std::atomic<bool>* stop, FaceTrack* track) {
  FrameAnalysis a;
  auto stopped = [&] {
    if (!stop || !stop->load()) return false;
    a.verdict = FrameVerdict::stopped;
    return true;
  };
  a.brightness = mean_brightness(frame);
  if (a.brightness < q.min_brightness) {
    a.verdict = FrameVerdict::too_dark;
    return a;
  }
  auto t0 = std::chrono::steady_clock::now();
  std::vector<FaceBox> boxes = find_faces(frame, q, track, &a.tracked);
  a.times.detect_ms = ms_since(t0);
  a.faces = static_cast<int>(boxes.size());
  if (stopped()) return a;
  // Faces below the minimum size are background people; only one face large
  // enough to verify may be in view.
  int large = 0;
  for (const auto& b : boxes) {
    if (b.width >= q.min_face_pixels) {
      if (large++ == 0) a.face = b;
    }
  }
  if (boxes.empty()) {
    a.verdict = FrameVerdict::no_face;
    return a;
  }
  if (large > 1) {
    a.verdict = FrameVerdict::multiple_faces;
    return a;
  }
  if (large == 0) {
    a.face = boxes.front();
    for (const auto& b : boxes)
      if (b.width > a.face.width) a.face = b;
    a.verdict = FrameVerdict::face_too_small;
    return a;
  }
  t0 = std::chrono::steady_clock::now();
  EyeOutline eyes;
  bool eyes_found = false;
  Image chip = detector_.align(frame, a.face, &a.landmarks, has_eyes() ? &eyes : nullptr, &eyes_found);
  if (eyes_found) {
    a.eyes = static_cast<float>(eye_openness(eyes));
    a.shape = static_cast<float>(face_shape(eyes));
  }
  a.times.landmarks_ms = ms_since(t0);
  if (stopped()) return a;
  a.sharpness = sharpness(chip);
  if (a.sharpness < q.min_sharpness) {
    a.verdict = FrameVerdict::too_blurred;
    return a;
  }
  t0 = std::chrono::steady_clock::now();
  a.embedding = embedder_->embed(FaceInput{frame, a.landmarks, chip}, jitters);
  a.times.embed_ms = ms_since(t0);
  if (stopped()) return a;
  if (liveness_) {
    t0 = std::chrono::steady_clock::now();
    a.live = liveness_->live_score(frame, a.face);
    a.times.liveness_ms = ms_since(t0);
  }
  a.verdict = FrameVerdict::ok;
  return a;
}

}  // namespace faceauth
