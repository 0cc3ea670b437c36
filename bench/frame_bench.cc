// faceauth-frame-bench: what one camera frame costs the daemon, stage by stage,
// at the sizes webcams send (640x480 and 1280x720), on one core.
//
//   faceauth-frame-bench [--shared DIR] [--models DIR] [--subjects N] [--frames N]
//                        [--blink] [--all-cores]
//
// Frames: sequences of real webcam frames (NUAA, ../shared/liveness/nuaa/real,
// 640x480): the first --frames (40) of each of the first --subjects (12)
// subjects, each recording session a sequence in frame order. And photos
// placed in camera-sized scenes: the first photo of each of the first
// --subjects people of lfw-dev and of casia5 (East-Asian), scaled x1.6 into
// a 640x480 scene and moving 3 px right and 2 px down a frame, 8 frames a
// sequence. The 1280x720 frames are the same pictures scaled x1.5 (a 720p
// camera at the same place sees the face 1.5 times larger) into a 1280-wide
// scene whose sides mirror the picture's edges. Each size is run twice over
// the same frames: "whole frame" searches every frame for faces; "tracked" is
// what the daemon does within an attempt (face_engine.h, FaceTrack): the face
// is searched near where it was in the frame before, with a whole-frame
// search at the attempt's first frame, after a lost face, and every 10th
// frame.
//
// Stages per frame: MJPEG decode (the JPEG as a webcam sends it; 720p frames
// are encoded here at quality 85), I420 -> RGB conversion (a y4m: source or a
// raw camera; shown, not added to the total), detection, landmarks and
// alignment (+ eye outlines with --blink), embedding, the passive liveness
// network (the default `liveness = required`), match (the mean of the last
// k = 2 frames against 3 templates), total. Medians over the frames with a
// usable face, and the 90th percentile of the total. The whole-frame and
// tracked runs of the same frame are compared too: how far apart their
// embeddings and live scores are, and whether any verdict differs.
// The process pins itself to one CPU (sched_setaffinity) before any model is
// loaded, so OpenCV's thread pool sees one core, and the whole-frame search
// runs on one thread; --all-cores leaves the process free and the search on
// two threads, as the daemon has them.
// Ends with one JSON line (prefixed "JSON: ").
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

// jpeglib.h needs FILE and size_t declared first.
#include <cstddef>
#include <jpeglib.h>

#include "convert.h"
#include "decode.h"
#include "face_engine.h"
#include "fusion.h"
#include "models.h"
#include "operating_point.h"

namespace fs = std::filesystem;
using namespace faceauth;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = static_cast<size_t>(std::lround(q * static_cast<double>(v.size() - 1)));
  return v[std::min(i, v.size() - 1)];
}
double median(const std::vector<double>& v) { return quantile(v, 0.5); }

// The frame number at the end of a NUAA name ("0009_01_00_01_154.jpg" -> 154).
long frame_number(const fs::path& p) {
  const std::string s = p.stem().string();
  const auto u = s.rfind('_');
  return u == std::string::npos ? 0 : std::atol(s.c_str() + u + 1);
}
std::string session_of(const fs::path& p) {
  const std::string s = p.stem().string();
  const auto u = s.rfind('_');
  return u == std::string::npos ? s : s.substr(0, u);
}

std::vector<uint8_t> read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), {});
}

std::vector<uint8_t> encode_jpeg(const Image& img, int quality) {
  jpeg_compress_struct c{};
  jpeg_error_mgr err{};
  c.err = jpeg_std_error(&err);
  jpeg_create_compress(&c);
  unsigned char* out = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&c, &out, &size);
  c.image_width = static_cast<JDIMENSION>(img.width());
  c.image_height = static_cast<JDIMENSION>(img.height());
  c.input_components = 3;
  c.in_color_space = JCS_RGB;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, quality, TRUE);
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = const_cast<uint8_t*>(img.row(static_cast<int>(c.next_scanline)));
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  std::vector<uint8_t> bytes(out, out + size);
  std::free(out);
  return bytes;
}

// BT.601 limited range, as the daemon's convert_i420 reads it.
std::vector<uint8_t> to_i420(const Image& img) {
  const int w = img.width(), h = img.height(), cw = (w + 1) / 2, ch = (h + 1) / 2;
  std::vector<uint8_t> out(static_cast<size_t>(w) * h + 2 * static_cast<size_t>(cw) * ch);
  uint8_t* Y = out.data();
  uint8_t* U = Y + static_cast<size_t>(w) * h;
  uint8_t* V = U + static_cast<size_t>(cw) * ch;
  auto clamp8 = [](double v) { return static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L)); };
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const uint8_t* p = img.row(y) + 3 * x;
      Y[static_cast<size_t>(y) * w + x] = clamp8(16 + 0.257 * p[0] + 0.504 * p[1] + 0.098 * p[2]);
      if (y % 2 == 0 && x % 2 == 0) {
        U[static_cast<size_t>(y / 2) * cw + x / 2] = clamp8(128 - 0.148 * p[0] - 0.291 * p[1] + 0.439 * p[2]);
        V[static_cast<size_t>(y / 2) * cw + x / 2] = clamp8(128 + 0.439 * p[0] - 0.368 * p[1] - 0.071 * p[2]);
      }
    }
  return out;
}

// Bilinear sample of `src` at (fx, fy), clamped to the picture: its edge
// pixels repeat outwards. Writes R, G, B to out.
void sample(const Image& src, double fx, double fy, uint8_t* out) {
  fx = std::clamp(fx, 0.0, src.width() - 1.0);
  fy = std::clamp(fy, 0.0, src.height() - 1.0);
  const int x0 = static_cast<int>(fx), x1 = std::min(x0 + 1, src.width() - 1);
  const int y0 = static_cast<int>(fy), y1 = std::min(y0 + 1, src.height() - 1);
  const double ax = fx - x0, ay = fy - y0;
  for (int c = 0; c < 3; ++c) {
    const double top = src.row(y0)[3 * x0 + c] * (1 - ax) + src.row(y0)[3 * x1 + c] * ax;
    const double bot = src.row(y1)[3 * x0 + c] * (1 - ax) + src.row(y1)[3 * x1 + c] * ax;
    out[c] = static_cast<uint8_t>(std::lround(top * (1 - ay) + bot * ay));
  }
}

// The 640x480 picture scaled x1.5 (bilinear) into the middle of a 1280x720
// scene; the bands either side mirror the scaled picture's edges.
Image scene_720p(const Image& src) {
  const int sw = 960, sh = 720, pad = (1280 - sw) / 2;
  Image out(1280, 720);
  for (int y = 0; y < sh; ++y)
    for (int x = 0; x < 1280; ++x) {
      int xs = x - pad;
      if (xs < 0) xs = -xs - 1;
      if (xs >= sw) xs = 2 * sw - xs - 1;
      sample(src, (xs + 0.5) * src.width() / sw - 0.5, (y + 0.5) * src.height() / sh - 0.5,
             out.row(y) + 3 * x);
    }
  return out;
}

// A photo placed in a 640x480 scene: scaled x1.6 (bilinear; a 250x250 LFW
// photo's face becomes about 170 px wide, as at arm's length from a laptop
// camera), its centre moved by (dx, dy) from the scene's centre; the rest of
// the scene repeats the photo's edge pixels outwards (a mirror would show a
// second face).
Image photo_scene(const Image& photo, int dx, int dy) {
  constexpr double s = 1.6;
  Image out(640, 480);
  const double ox = (640 - photo.width() * s) / 2 + dx, oy = (480 - photo.height() * s) / 2 + dy;
  for (int y = 0; y < 480; ++y)
    for (int x = 0; x < 640; ++x)
      sample(photo, (x + 0.5 - ox) / s - 0.5, (y + 0.5 - oy) / s - 0.5, out.row(y) + 3 * x);
  return out;
}

// One frame of a sequence: a NUAA webcam frame (its JPEG as recorded), or a
// photo placed in a scene, moved by (dx, dy).
struct SourceFrame {
  fs::path path;
  bool scene = false;
  int dx = 0, dy = 0;
};

struct Source {
  const char* name;  // "nuaa" or "photos"
  std::vector<std::vector<SourceFrame>> sequences;
  size_t frames() const {
    size_t n = 0;
    for (const auto& s : sequences) n += s.size();
    return n;
  }
};

struct CameraFrame {
  std::vector<uint8_t> jpeg, i420;
  int width = 0, height = 0;
};

struct Column {
  std::vector<double> decode, convert, detect, landmarks, embed, liveness, match, total, detect_all;
  int frames = 0, usable = 0, tracked = 0;
};

struct PerFrame {  // one frame's outcome, to compare the two searches
  FrameVerdict verdict = FrameVerdict::no_face;
  Embedding embedding;
  float live = -1;
};

bool pin_to_one_cpu(int* cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return false;
  for (int i = 0; i < CPU_SETSIZE; ++i)
    if (CPU_ISSET(i, &set)) {
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(i, &one);
      if (sched_setaffinity(0, sizeof one, &one) != 0) return false;
      *cpu = i;
      return true;
    }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  std::string shared = std::getenv("FACEAUTH_SHARED_DIR") ? std::getenv("FACEAUTH_SHARED_DIR") : "../shared";
  std::string model_dir = default_model_dir();
  int subjects = 12, per_subject = 40;
  bool blink = false, all_cores = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--shared" && i + 1 < argc)
      shared = argv[++i];
    else if (a == "--models" && i + 1 < argc)
      model_dir = argv[++i];
    else if (a == "--subjects" && i + 1 < argc)
      subjects = std::clamp(std::atoi(argv[++i]), 1, 100);
    else if (a == "--frames" && i + 1 < argc)
      per_subject = std::clamp(std::atoi(argv[++i]), 2, 1000);
    else if (a == "--blink")
      blink = true;
    else if (a == "--all-cores")
      all_cores = true;
    else if (a == "--help") {
      std::printf(
          "usage: faceauth-frame-bench [--shared DIR] [--models DIR] [--subjects N] [--frames N] [--blink] "
          "[--all-cores]\n");
      return 0;
    } else {
      std::fprintf(stderr, "faceauth-frame-bench: unknown argument %s (see --help)\n", a.c_str());
      return 2;
    }
  }
  const fs::path nuaa = fs::path(shared) / "liveness" / "nuaa" / "real";
  if (!fs::is_directory(nuaa)) {
    std::fprintf(stderr, "faceauth-frame-bench: %s is absent; pass --shared DIR or set FACEAUTH_SHARED_DIR\n",
                 nuaa.c_str());
    return 2;
  }
  int cpu = -1;
  if (!all_cores && !pin_to_one_cpu(&cpu)) {
    std::fprintf(stderr, "faceauth-frame-bench: cannot pin to one CPU: %s\n", std::strerror(errno));
    return 1;
  }

  // NUAA: each recording session of the first `subjects` subjects, in
  // frame order, up to `per_subject` frames a subject.
  Source nuaa_source{"nuaa", {}};
  std::vector<fs::path> subject_dirs;
  for (const auto& e : fs::directory_iterator(nuaa))
    if (e.is_directory()) subject_dirs.push_back(e.path());
  std::sort(subject_dirs.begin(), subject_dirs.end());
  if (static_cast<int>(subject_dirs.size()) > subjects) subject_dirs.resize(static_cast<size_t>(subjects));
  for (const auto& d : subject_dirs) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(d))
      if (e.path().extension() == ".jpg") files.push_back(e.path());
    std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
      return std::make_pair(session_of(a), frame_number(a)) < std::make_pair(session_of(b), frame_number(b));
    });
    if (static_cast<int>(files.size()) > per_subject) files.resize(static_cast<size_t>(per_subject));
    for (size_t i = 0; i < files.size(); ++i) {
      if (i == 0 || session_of(files[i]) != session_of(files[i - 1])) nuaa_source.sequences.emplace_back();
      nuaa_source.sequences.back().push_back(SourceFrame{files[i]});
    }
  }
  // Photos in scenes: the first photo of each of the first `subjects` people
  // of lfw-dev and of casia5 (East-Asian), each a sequence of 8 frames in
  // which the photo moves 3 px right and 2 px down a frame.
  Source photo_source{"photos", {}};
  for (const char* set : {"lfw-dev", "casia5"}) {
    const fs::path dir = fs::path(shared) / "faces" / set;
    if (!fs::is_directory(dir)) continue;
    std::vector<fs::path> people;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_directory()) people.push_back(e.path());
    std::sort(people.begin(), people.end());
    if (static_cast<int>(people.size()) > subjects) people.resize(static_cast<size_t>(subjects));
    for (const auto& person : people) {
      std::vector<fs::path> photos;
      for (const auto& e : fs::directory_iterator(person))
        if (e.path().extension() == ".jpg" || e.path().extension() == ".png") photos.push_back(e.path());
      if (photos.empty()) continue;
      std::sort(photos.begin(), photos.end());
      std::vector<SourceFrame> seq;
      for (int i = 0; i < 8; ++i) seq.push_back(SourceFrame{photos.front(), true, 3 * i - 12, 2 * i - 8});
      photo_source.sequences.push_back(std::move(seq));
    }
  }

  try {
    const auto t_load = Clock::now();
    FaceEngine engine(model_dir, kDefaultEmbedder, /*liveness=*/true, blink);
    const double load_ms = ms_since(t_load);
    // On one core the whole-frame search runs on one thread; with
    // --all-cores on two, as in the daemon (detector.h).
    engine.detector().set_search_threads(all_cores ? 2 : 1);
    const double threshold = calibration_of(kDefaultEmbedder).balanced.threshold;
    const int k = 2;
    QualityOptions quality;

    struct Size {
      const char* name;
      bool hd;
    };
    std::string json = "JSON: {\"tool\":\"faceauth-frame-bench\",\"embedder\":\"" +
                       std::string(embedder_name(kDefaultEmbedder)) + "\",\"cpu\":" + std::to_string(cpu) +
                       ",\"blink\":" + (blink ? "true" : "false") +
                       ",\"model_load_ms\":" + std::to_string(load_ms) + ",\"rows\":[";
    std::printf(
        "embedder %s, liveness network on%s; %s; nuaa: %zu NUAA webcam frames of %zu subjects in %zu "
        "sessions; "
        "photos: %zu sequences of 8 frames, a photo of lfw-dev or casia5 moving in a scene\n",
        embedder_name(kDefaultEmbedder), blink ? ", eye model (blink) on" : "",
        all_cores ? "all cores" : ("pinned to CPU " + std::to_string(cpu)).c_str(), nuaa_source.frames(),
        subject_dirs.size(), nuaa_source.sequences.size(), photo_source.sequences.size());
    std::printf("%-6s %-9s %-12s %6s %6s %7s | %6s %6s %7s %9s %8s %6s %6s | %7s %7s\n", "frames", "size",
                "search", "frames", "usable", "tracked", "mjpeg", "i420", "detect", "landmarks", "liveness",
                "embed", "match", "total", "p90");
    bool first_row = true;
    std::string compare_json;
    for (const Source* source : {&nuaa_source, &photo_source}) {
      if (source->sequences.empty()) continue;
      for (const Size size : {Size{"640x480", false}, Size{"1280x720", true}}) {
        // The camera's frames, made once.
        std::vector<std::vector<CameraFrame>> cams;
        for (const auto& seq : source->sequences) {
          std::vector<CameraFrame> cs;
          for (const auto& f : seq) {
            CameraFrame c;
            std::vector<uint8_t> jpeg;
            Image img;
            if (f.scene) {
              Image photo = load_image_file(f.path.string());
              img = photo_scene(photo, f.dx, f.dy);
              photo.wipe();
            } else {
              jpeg = read_bytes(f.path);
              img = convert_mjpeg(jpeg);
            }
            if (size.hd) {
              Image hd = scene_720p(img);
              img.wipe();
              img = std::move(hd);
            }
            c.jpeg = !jpeg.empty() && !size.hd ? std::move(jpeg) : encode_jpeg(img, 85);
            c.i420 = to_i420(img);
            c.width = img.width();
            c.height = img.height();
            img.wipe();
            cs.push_back(std::move(c));
          }
          cams.push_back(std::move(cs));
        }
        // Templates: three usable frames of each subject, from the middle of its sequence.
        std::vector<std::vector<Embedding>> templates(cams.size());
        for (size_t s = 0; s < cams.size(); ++s)
          for (size_t i = cams[s].size() / 2; i < cams[s].size() && templates[s].size() < 3; ++i) {
            Image img = convert_mjpeg(cams[s][i].jpeg);
            FrameAnalysis a = engine.analyze(img, quality, kAttemptJitters);
            if (a.verdict == FrameVerdict::ok) templates[s].push_back(a.embedding);
          }

        // Both searches run on every frame, one after the other, so a machine
        // that gets busier during the run slows both alike.
        std::vector<std::vector<PerFrame>> outcome[2];
        Column cols[2];
        double total_median[2] = {0, 0};
        for (int mode = 0; mode < 2; ++mode) outcome[mode].resize(cams.size());
        for (size_t s = 0; s < cams.size(); ++s) {
          FaceTrack track;
          std::vector<Embedding> window[2];
          for (const CameraFrame& cf : cams[s]) {
            for (int mode = 0; mode < 2; ++mode) {
              Column& col = cols[mode];
              ++col.frames;
              auto t0 = Clock::now();
              Image img = convert_mjpeg(cf.jpeg);
              const double dec = ms_since(t0);
              t0 = Clock::now();
              Image other = convert_i420(cf.i420, cf.width, cf.height);
              const double conv = ms_since(t0);
              other.wipe();
              t0 = Clock::now();
              FrameAnalysis a =
                  engine.analyze(img, quality, kAttemptJitters, nullptr, mode == 1 ? &track : nullptr);
              const double analyze_ms = ms_since(t0);
              img.wipe();
              col.detect_all.push_back(a.times.detect_ms);
              PerFrame pf;
              pf.verdict = a.verdict;
              pf.live = a.live;
              if (a.verdict == FrameVerdict::ok) pf.embedding = a.embedding;
              outcome[mode][s].push_back(pf);
              if (a.verdict != FrameVerdict::ok) continue;
              ++col.usable;
              col.tracked += a.tracked;
              t0 = Clock::now();
              window[mode].push_back(a.embedding);
              if (window[mode].size() > static_cast<size_t>(k)) window[mode].erase(window[mode].begin());
              volatile bool matched =
                  !templates[s].empty() && attempt_matches(templates[s], window[mode], threshold);
              (void)matched;
              const double match = ms_since(t0);
              col.decode.push_back(dec);
              col.convert.push_back(conv);
              col.detect.push_back(a.times.detect_ms);
              col.landmarks.push_back(a.times.landmarks_ms);
              col.embed.push_back(a.times.embed_ms);
              col.liveness.push_back(a.times.liveness_ms);
              col.match.push_back(match);
              col.total.push_back(dec + analyze_ms + match);
            }
          }
        }
        for (int mode = 0; mode < 2; ++mode) {
          const bool track_on = mode == 1;
          const Column& col = cols[mode];
          total_median[mode] = median(col.total);
          const char* search = track_on ? "tracked" : "whole frame";
          std::printf(
              "%-6s %-9s %-12s %6d %6d %7d | %6.1f %6.1f %7.1f %9.1f %8.1f %6.1f %6.2f | %7.1f %7.1f\n",
              source->name, size.name, search, col.frames, col.usable, col.tracked, median(col.decode),
              median(col.convert), median(col.detect), median(col.landmarks), median(col.liveness),
              median(col.embed), median(col.match), median(col.total), quantile(col.total, 0.9));
          char buf[768];
          std::snprintf(buf, sizeof buf,
                        "%s{\"source\":\"%s\",\"size\":\"%s\",\"search\":\"%s\",\"frames\":%d,\"usable\":%d,"
                        "\"tracked\":%d,"
                        "\"mjpeg_ms\":%.2f,\"i420_ms\":%.2f,\"detect_ms\":%.2f,\"landmarks_ms\":%.2f,"
                        "\"liveness_ms\":%.2f,\"embed_ms\":%.2f,\"match_ms\":%.3f,\"total_ms\":%.2f,"
                        "\"total_p90_ms\":%.2f,\"detect_all_frames_ms\":%.2f}",
                        first_row ? "" : ",", source->name, size.name, search, col.frames, col.usable,
                        col.tracked, median(col.decode), median(col.convert), median(col.detect),
                        median(col.landmarks), median(col.liveness), median(col.embed), median(col.match),
                        median(col.total), quantile(col.total, 0.9), median(col.detect_all));
          json += buf;
          first_row = false;
        }
        // Why frames were not usable (whole-frame search).
        std::map<std::string, int> refused;
        for (const auto& seq : outcome[0])
          for (const PerFrame& f : seq)
            if (f.verdict != FrameVerdict::ok) ++refused[verdict_name(f.verdict)];
        std::string why;
        for (const auto& [name, n] : refused)
          why += (why.empty() ? "" : ", ") + name + " " + std::to_string(n);
        if (!why.empty())
          std::printf("%-6s %-9s not usable (whole frame): %s\n", source->name, size.name, why.c_str());
        // The same frames, searched both ways: do the outcomes differ?
        int differ = 0, both_ok = 0;
        std::vector<double> emb_d, live_d;
        for (size_t s = 0; s < cams.size(); ++s)
          for (size_t i = 0; i < outcome[0][s].size(); ++i) {
            const PerFrame& w = outcome[0][s][i];
            const PerFrame& t = outcome[1][s][i];
            if (w.verdict != t.verdict) {
              ++differ;
              continue;
            }
            if (w.verdict != FrameVerdict::ok) continue;
            ++both_ok;
            emb_d.push_back(distance(w.embedding, t.embedding));
            live_d.push_back(std::fabs(w.live - t.live));
          }
        std::printf(
            "%-6s %-9s tracked / whole frame, median total: %.2f; a 30 fps camera gives %.1f ms a frame: "
            "%s\n",
            source->name, size.name, total_median[1] / total_median[0], 1000.0 / 30,
            total_median[1] <= 1000.0 / 30 ? "kept up with" : "NOT kept up with");
        std::printf(
            "%-6s %-9s whole frame vs tracked, same frames: %d verdicts differ; of %d usable in both, "
            "embedding "
            "distance between the two median %.4f, max %.4f (threshold %.3f); live score difference median "
            "%.4f, max %.4f\n",
            source->name, size.name, differ, both_ok, median(emb_d), quantile(emb_d, 1.0), threshold,
            median(live_d), quantile(live_d, 1.0));
        char buf[512];
        std::snprintf(
            buf, sizeof buf,
            "%s{\"source\":\"%s\",\"size\":\"%s\",\"tracked_over_whole\":%.3f,\"verdicts_differ\":%d,"
            "\"usable_both\":%d,"
            "\"embedding_distance_median\":%."
            "5f,\"embedding_distance_max\":%.5f,\"live_difference_median\":%.5f,\"live_difference_max\":%."
            "5f}",
            compare_json.empty() ? "" : ",", source->name, size.name, total_median[1] / total_median[0],
            differ, both_ok, median(emb_d), quantile(emb_d, 1.0), median(live_d), quantile(live_d, 1.0));
        compare_json += buf;
      }
    }
    std::printf("%s],\"threshold\":%.4f,\"compare\":[%s]}\n", json.c_str(), threshold, compare_json.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "faceauth-frame-bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
