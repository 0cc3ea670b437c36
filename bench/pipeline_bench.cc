// faceauth-bench: per-stage milliseconds of the recognition pipeline (decode,
// detect, landmarks + alignment, embed) and model load time, each the median
// of several runs, then one JSON line (prefixed "JSON: ").
//
//   faceauth-bench [--models DIR] [--runs N] [--blink] [PHOTO...]
//
// --blink: also what the blink check (liveness = blink) adds, the eye outlines of
// dlib's 68-point model: the landmark stage timed with and without the eye model,
// interleaved in the same run ("+eyes" column: the difference of the medians).
// Without photos it uses a login-like set from ../shared/faces (FACEAUTH_SHARED_DIR).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "decode.h"
#include "face_engine.h"
#include "operating_point.h"
#include "models.h"

using namespace faceauth;
using Clock = std::chrono::steady_clock;

namespace {

double ms(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

std::vector<std::string> default_photos() {
  const char* env = std::getenv("FACEAUTH_SHARED_DIR");
  std::string faces = std::string(env && *env ? env : "../shared") + "/faces";
  std::vector<std::string> photos = {
      faces + "/identities/John_Salley/000179_02159509.jpg",  // 150x150, needs the upsampled pass
      faces + "/lfw-dev/Abdullah_Gul/Abdullah_Gul_0001.jpg",  // 250x250
      faces + "/scenes/Tom_Cruise_avp_2014_4.jpg",            // 565x800
  };
  for (const auto& p : photos)
    if (!std::filesystem::exists(p)) {
      std::fprintf(stderr, "faceauth-bench: %s is absent; set FACEAUTH_SHARED_DIR or name photos\n",
                   p.c_str());
      std::exit(2);
    }
  return photos;
}

}  // namespace

int main(int argc, char** argv) {
  std::string model_dir = default_model_dir();
  int runs = 7;
  EmbedderKind embedder = kDefaultEmbedder;
  std::vector<std::string> photos;
  bool blink = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--models" && i + 1 < argc)
      model_dir = argv[++i];
    else if (a == "--blink")
      blink = true;
    else if (a == "--runs" && i + 1 < argc)
      runs = std::clamp(std::atoi(argv[++i]), 1, 1000);
    else if (a == "--embedder" && i + 1 < argc) {
      auto k = parse_embedder(argv[++i]);
      if (!k) {
        std::fprintf(stderr, "faceauth-bench: --embedder is mobilefacenet or dlib-resnet\n");
        return 2;
      }
      embedder = *k;
    } else if (a == "--help") {
      std::printf(
          "usage: faceauth-bench [--models DIR] [--runs N] [--embedder mobilefacenet|dlib-resnet] [--blink] "
          "[PHOTO...]\n");
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "faceauth-bench: unknown option %s\n", a.c_str());
      return 2;
    } else
      photos.push_back(a);
  }
  if (photos.empty()) photos = default_photos();

  try {
    std::vector<double> loads;
    for (int r = 0; r < 3; ++r) {
      auto t0 = Clock::now();
      FaceEngine e(model_dir, embedder);
      loads.push_back(ms(t0));
    }
    FaceEngine engine(model_dir, embedder);
    std::unique_ptr<FaceEngine> eyes;
    double eyes_load = 0;
    if (blink) {
      auto t0 = Clock::now();
      eyes = std::make_unique<FaceEngine>(model_dir, embedder, false, true);
      eyes_load = ms(t0);
    }
    std::printf("embedder %s; model load (verify SHA-256 + deserialize): median %.0f ms of 3\n",
                embedder_name(embedder), median(loads));
    if (blink) std::printf("with the eye model (blink check): %.0f ms\n", eyes_load);
    std::printf("%-48s %9s %8s %8s %10s %8s %8s%s\n", "photo", "size", "decode", "detect", "landmarks",
                "embed", "total", blink ? "    +eyes" : "");
    std::string json = "JSON: {\"tool\":\"faceauth-bench\",\"embedder\":\"" +
                       std::string(embedder_name(embedder)) + "\",\"runs\":" + std::to_string(runs) +
                       ",\"model_load_ms\":" + std::to_string(median(loads)) + ",\"photos\":[";
    for (size_t i = 0; i < photos.size(); ++i) {
      std::ifstream in(photos[i], std::ios::binary);
      std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
      std::vector<double> dec, det, lm, emb, lm_eyes;
      int w = 0, h = 0;
      std::string verdict;
      for (int r = 0; r < runs; ++r) {
        auto t0 = Clock::now();
        Image img = decode_image(bytes, photos[i]);
        dec.push_back(ms(t0));
        w = img.width();
        h = img.height();
        FrameAnalysis a = engine.analyze(img);
        verdict = verdict_name(a.verdict);
        det.push_back(a.times.detect_ms);
        lm.push_back(a.times.landmarks_ms);
        emb.push_back(a.times.embed_ms);
        if (eyes) lm_eyes.push_back(eyes->analyze(img).times.landmarks_ms);
      }
      const double added = eyes ? median(lm_eyes) - median(lm) : 0;
      double total = median(dec) + median(det) + median(lm) + median(emb);
      std::string name = std::filesystem::path(photos[i]).filename().string();
      std::printf("%-48s %4dx%-4d %8.1f %8.1f %10.1f %8.1f %8.1f", name.c_str(), w, h, median(dec),
                  median(det), median(lm), median(emb), total);
      if (eyes) std::printf(" %8.1f", added);
      std::printf("  %s\n", verdict.c_str());
      char buf[512];
      std::snprintf(buf, sizeof buf,
                    "%s{\"photo\":\"%s\",\"width\":%d,\"height\":%d,\"verdict\":\"%s\",\"decode_ms\":%.2f,"
                    "\"detect_ms\":%.2f,\"landmarks_ms\":%.2f,\"embed_ms\":%.2f,\"total_ms\":%.2f,"
                    "\"blink_added_ms\":%.2f}",
                    i ? "," : "", name.c_str(), w, h, verdict.c_str(), median(dec), median(det), median(lm),
                    median(emb), total, added);
      json += buf;
    }
    std::printf("%s]}\n", json.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "faceauth-bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
