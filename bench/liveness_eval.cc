// faceauth-liveness: the passive liveness network (liveness.h) measured on
// NUAA live and printed-photo frames and on live photos of ../shared/faces.
//
//   faceauth-liveness [--shared DIR] [--threads N] [--threshold T]
//
// The threshold is chosen on NUAA subjects 0001-0008 (the middle of the widest
// score gap with no error there, else the equal-error point) and reported on
// held-back subjects 0009-0012, per frame and per attempt (ISO/IEC 30107-3:
// APCER = attack presentations accepted, BPCER = bona fide presentations
// refused), each with counts and a one-sided 95 % upper bound. An attempt is k
// consecutive usable frames in recording order whose mean score decides, as
// the daemon decides. Prints tables, then one JSON line.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dataset.h"
#include "decode.h"
#include "face_engine.h"
#include "models.h"
#include "operating_point.h"
#include "populations.h"

using namespace faceauth;
namespace fs = std::filesystem;

namespace {

struct Scored {
  std::string subject, path;
  bool attack = false;
  bool usable = false;
  float live = 0;
};

// NUAA names frames ID_glasses_position_session_picNo.jpg. Only position 00 /
// session 01 holds both live and photo frames of the same subjects: on it a
// detector cannot tell the two kinds apart by the room or the light.
bool same_session(const std::string& path) {
  const std::string name = fs::path(path).filename().string();
  return name.size() > 14 && name.compare(8, 6, "00_01_") == 0;
}

// Scores every frame of `people` (one engine per thread).
void score_all(std::vector<Scored>& items, const std::string& model_dir, int threads, double& ms_per_face) {
  std::atomic<size_t> next{0};
  std::mutex mu;
  double total_ms = 0;
  size_t faces = 0;
  std::string error;
  auto work = [&] {
    try {
      FaceEngine engine(model_dir, kDefaultEmbedder, true);
      QualityOptions q;
      for (size_t i; (i = next++) < items.size();) {
        Scored& s = items[i];
        try {
          Image img = load_image_file(s.path);
          FrameAnalysis a = engine.analyze(img, q, 0);
          s.usable = a.verdict == FrameVerdict::ok;
          s.live = a.live;
          if (s.usable) {
            std::lock_guard lock(mu);
            total_ms += a.times.liveness_ms;
            ++faces;
          }
        } catch (const DecodeError&) {
          s.usable = false;
        }
      }
    } catch (const std::exception& e) {
      std::lock_guard lock(mu);
      error = e.what();
      next = items.size();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < std::max(1, threads); ++t) pool.emplace_back(work);
  for (auto& t : pool) t.join();
  if (!error.empty()) throw std::runtime_error(error);
  ms_per_face = faces ? total_ms / faces : 0;
}

std::vector<Scored> nuaa_frames(const std::string& nuaa) {
  std::vector<Scored> out;
  for (const char* kind : {"real", "photo"}) {
    for (const auto& person : load_dataset(nuaa + "/" + kind)) {
      std::vector<std::string> photos = person.photos;
      std::sort(photos.begin(), photos.end(), natural_less);
      for (const auto& p : photos) out.push_back({person.name, p, std::string(kind) == "photo", false, 0});
    }
  }
  return out;
}

bool in_range(const std::string& subject, int lo, int hi) {
  int n = std::atoi(subject.c_str());
  return n >= lo && n <= hi;
}

struct Rates {
  Counted apcer, bpcer;  // attacks accepted, live refused
};

// Per frame, or per attempt of k consecutive usable frames of one subject and kind.
Rates rates(const std::vector<Scored>& items, double t, int k, int lo, int hi,
            bool only_same_session = false) {
  Rates r;
  size_t i = 0;
  while (i < items.size()) {
    size_t j = i;
    while (j < items.size() && items[j].subject == items[i].subject && items[j].attack == items[i].attack)
      ++j;
    if (in_range(items[i].subject, lo, hi)) {
      std::vector<float> run;
      for (size_t x = i; x < j; ++x)
        if (items[x].usable && (!only_same_session || same_session(items[x].path)))
          run.push_back(items[x].live);
      for (size_t a = 0; a + static_cast<size_t>(k) <= run.size(); a += static_cast<size_t>(k)) {
        double mean = 0;
        for (int b = 0; b < k; ++b) mean += run[a + b];
        mean /= k;
        const bool live = mean >= t;
        Counted& c = items[i].attack ? r.apcer : r.bpcer;
        ++c.trials;
        if (items[i].attack == live) ++c.errors;  // attack accepted, or live refused
      }
    }
    i = j;
  }
  return r;
}

double choose_threshold(const std::vector<Scored>& items, int lo, int hi) {
  std::vector<float> live, attack;
  for (const auto& s : items)
    if (s.usable && in_range(s.subject, lo, hi)) (s.attack ? attack : live).push_back(s.live);
  std::sort(live.begin(), live.end());
  std::sort(attack.begin(), attack.end());
  if (live.empty() || attack.empty()) return 0.5;
  if (attack.back() < live.front()) return (attack.back() + live.front()) / 2.0;  // a gap with no error
  // Otherwise the point where the two error rates cross.
  double best = 0.5, gap = 2;
  for (int i = 1; i < 1000; ++i) {
    const double t = i / 1000.0;
    const double apcer =
        static_cast<double>(attack.end() - std::lower_bound(attack.begin(), attack.end(), t)) / attack.size();
    const double bpcer =
        static_cast<double>(std::lower_bound(live.begin(), live.end(), t) - live.begin()) / live.size();
    if (std::abs(apcer - bpcer) < gap) {
      gap = std::abs(apcer - bpcer);
      best = t;
    }
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  std::string shared = "../shared", model_dir = default_model_dir();
  int threads = 2;
  double forced = -1;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--shared" && i + 1 < argc)
      shared = argv[++i];
    else if (a == "--models" && i + 1 < argc)
      model_dir = argv[++i];
    else if (a == "--threads" && i + 1 < argc)
      threads = std::max(1, std::atoi(argv[++i]));
    else if (a == "--threshold" && i + 1 < argc)
      forced = std::atof(argv[++i]);
    else {
      std::fprintf(stderr,
                   "usage: faceauth-liveness [--shared DIR] [--models DIR] [--threads N] [--threshold T]\n");
      return a == "--help" ? 0 : 2;
    }
  }
  try {
    const std::string nuaa = shared + "/liveness/nuaa";
    std::vector<Scored> items = nuaa_frames(nuaa);
    double ms = 0;
    auto t0 = std::chrono::steady_clock::now();
    score_all(items, model_dir, threads, ms);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double t = forced >= 0 ? forced : choose_threshold(items, 1, 8);
    float max_attack = 0, min_live = 1;
    for (const auto& s : items)
      if (s.usable) {
        if (s.attack)
          max_attack = std::max(max_attack, s.live);
        else
          min_live = std::min(min_live, s.live);
      }
    std::printf("NUAA %s: %zu frames scored in %.1f s (%.1f ms per face for the network)\n", nuaa.c_str(),
                items.size(), secs, ms);
    std::printf(
        "threshold %.3f (%s subjects 0001-0008); over all subjects: lowest live score %.3f, highest attack "
        "score %.3f\n\n",
        t, forced >= 0 ? "given, not chosen on" : "chosen on", min_live, max_attack);
    std::string out = "JSON: {\"tool\":\"faceauth-liveness\",\"threshold\":" + std::to_string(t) +
                      ",\"ms_per_face\":" + std::to_string(ms) + ",\"nuaa\":[";
    std::printf("%-26s %-8s %-40s %-40s\n", "subjects", "unit", "APCER (attacks accepted)",
                "BPCER (live refused)");
    bool first = true;
    for (auto [lo, hi, name] :
         {std::tuple{1, 8, "0001-0008 (training)"}, std::tuple{9, 12, "0009-0012 (held back)"}}) {
      for (int k : {1, 2, 10}) {
        Rates r = rates(items, t, k, lo, hi);
        std::string unit = k == 1 ? "frame" : "attempt" + std::to_string(k);
        std::printf("%-26s %-8s %-40s %-40s\n", name, unit.c_str(), percent_text(r.apcer).c_str(),
                    percent_text(r.bpcer).c_str());
        out += std::string(first ? "" : ",") + "{\"subjects\":\"" + std::to_string(lo) + "-" +
               std::to_string(hi) + "\",\"frames_per_decision\":" + std::to_string(k) + "," +
               counted_json("apcer", r.apcer) + "," + counted_json("bpcer", r.bpcer) + "}";
        first = false;
      }
    }
    // The session confound: the same frames restricted to position 00 / session 01.
    std::printf("\nposition 00 / session 01 only (live and photo frames from the same sitting):\n");
    out += "],\"same_session\":[";
    first = true;
    for (auto [lo, hi, name] :
         {std::tuple{1, 12, "0001-0012 (all)"}, std::tuple{9, 12, "0009-0012 (held back)"}}) {
      Rates r = rates(items, t, 1, lo, hi, true);
      std::printf("%-26s %-8s %-40s %-40s\n", name, "frame", percent_text(r.apcer).c_str(),
                  percent_text(r.bpcer).c_str());
      out += std::string(first ? "" : ",") + "{\"subjects\":\"" + std::to_string(lo) + "-" +
             std::to_string(hi) + "\"," + counted_json("apcer", r.apcer) + "," +
             counted_json("bpcer", r.bpcer) + "}";
      first = false;
    }
    out += "],\"live_photos\":[";
    // Bona fide presentations elsewhere: the shared photos of live people.
    std::printf("\nlive photos of ../shared/faces (BPCER per photo at the threshold):\n");
    first = true;
    for (const char* set : {"identities", "lfw-dev", "casia5"}) {
      std::vector<Scored> photos;
      for (const auto& person : load_dataset(shared + "/faces/" + set))
        for (const auto& p : person.photos) photos.push_back({person.name, p, false, false, 0});
      double ms2 = 0;
      score_all(photos, model_dir, threads, ms2);
      Counted c;
      for (const auto& s : photos)
        if (s.usable) {
          ++c.trials;
          if (s.live < t) ++c.errors;
        }
      std::printf("  %-12s %s\n", set, percent_text(c).c_str());
      out += std::string(first ? "" : ",") + "{\"set\":\"" + set + "\"," + counted_json("bpcer", c) + "}";
      first = false;
    }
    std::printf("%s]}\n", out.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "faceauth-liveness: %s\n", e.what());
    return 1;
  }
  return 0;
}
