// faceauth-calibrate: genuine and impostor distance distributions and
// FAR/FRR per threshold for a folder-per-identity photo set.
//
//   faceauth-calibrate [--models DIR] [--cache FILE] [--jitters N] [--threads N]
//                      [--max-far F] [--from T --to T --step S] DATASET
//   faceauth-calibrate --protocol login [--views K] [--variant FUSION:E:A[:OUTLIER]]...
//                      [--enroll-photos N] [--folds 1|2] [--refuse D] [--roc FILE.svg] ... DATASET
//
// The default protocol compares one photo with one photo. The login protocol
// enrolls each person from N photos and counts each other photo as an attempt
// (docs/recognition.md); each variant is a fusion (mean or min over the
// enrolled photos), E views averaged per enrollment photo, A per attempt
// (views = the plain photo plus jittered copies), and optional outlier rejection.
//
// Prints a table, then one JSON line (prefixed "JSON: ").
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "calibrate_populations.h"
#include "calibration.h"
#include "decode.h"
#include "models.h"
#include "operating_point.h"

using namespace faceauth;

namespace {

int usage(const char* msg) {
  if (msg) std::fprintf(stderr, "faceauth-calibrate: %s\n", msg);
  std::fprintf(
      stderr,
      "usage: faceauth-calibrate [--models DIR] [--cache FILE] [--jitters N] [--threads N]\n"
      "                          [--max-far F] [--from T] [--to T] [--step S] DATASET\n"
      "       faceauth-calibrate --protocol login [--views K] [--variant FUSION:E:A[:OUTLIER]]...\n"
      "                          [--enroll-photos N] [--folds 1|2] [--refuse D] [--roc FILE.svg] "
      "... DATASET\n"
      "       faceauth-calibrate --protocol populations [--shared DIR | --set NAME=DIR[,video]... "
      "[--impostors DIR]]\n"
      "                          [--enroll-frames N] [--enroll-jitters N] [--attempt-frames K] [--track] "
      "[--time N] [--roc FILE.svg]\n"
      "Every form takes [--embedder mobilefacenet|dlib-resnet] (default: the daemon's default).\n"
      "DATASET holds one sub-folder of photos per person.\n"
      "--track: video sets' attempts are embedded with the daemon's face tracking (face_engine.h).\n");
  return 2;
}

bool parse_number(const char* s, double lo, double hi, double& out) {
  char* end = nullptr;
  out = std::strtod(s, &end);
  return end && *end == '\0' && end != s && out >= lo && out <= hi;
}

// The login protocol (docs/recognition.md, "Accuracy under the login protocol").
int run_login(const std::string& dataset, const std::vector<Identity>& people, EmbedOptions opt, int views,
              std::vector<std::string> specs, const LoginOptions& login, double max_far, double from,
              double to, double step, double refuse, const std::string& roc_path, int time_photos) {
  if (opt.cache_path.empty()) opt.cache_path = default_views_cache(dataset, views);
  EmbeddedSet set = embed_views(people, opt, views);
  std::printf("dataset %s: %zu people, %zu photos, %zu usable\n", dataset.c_str(), set.names.size(),
              set.photos.size(), set.usable());
  std::printf("embedding: %.1f s for %zu photos (%zu from cache), plain + %d jittered views each, cache %s\n",
              set.seconds, set.photos.size() - set.cache_hits, set.cache_hits, views, opt.cache_path.c_str());
  if (specs.empty()) specs = {"min:1:1", "mean:1:1"};
  if (time_photos > 0) {
    // Cost of one frame as the daemon analyses it: verification (no jitter)
    // and enrollment (the embedder's enroll_jitters), on one thread.
    FaceEngine engine(opt.model_dir, opt.embedder);
    for (int jit : {0, kAttemptJitters, calibration_of(opt.embedder).enroll_jitters, 10}) {
      double total = 0, embed = 0;
      int n = 0;
      for (const auto& p : set.photos) {
        if (p.verdict != FrameVerdict::ok) continue;
        if (n >= time_photos) break;
        Image img = load_image_file(p.path);
        auto t0 = std::chrono::steady_clock::now();
        FrameAnalysis a = engine.analyze(img, opt.quality, jit);
        total += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        embed += a.times.embed_ms;
        ++n;
      }
      std::printf("timing: %d frames, %2d jitters: %.1f ms per frame (embedding %.1f ms)\n", n, jit,
                  total / n, embed / n);
    }
  }
  std::vector<LoginVariant> vs;
  std::vector<LoginScores> scores;
  for (const auto& sp : specs) {
    vs.push_back(parse_variant(sp));
    vs.back().policy.inconsistent_distance = static_cast<float>(refuse);
    scores.push_back(login_scores(set, vs.back(), login));
  }
  std::printf(
      "protocol: enroll from %d photos, %d fold(s); %zu enrollments, %zu genuine and %zu impostor "
      "attempts\n\n",
      login.enroll_photos, login.folds, scores[0].enrollments, scores[0].d.genuine.size(),
      scores[0].d.impostor.size());
  const double levels[] = {1e-5, 1e-4, 1e-3};
  std::printf("%-24s", "variant");
  for (double l : levels) std::printf(" | FAR<=%-6g thr     FAR      FRR", l);
  std::printf(" | exact@1e-4: thr    FRR | dropped\n");
  std::string json = "JSON: {\"tool\":\"faceauth-calibrate\",\"protocol\":\"login\",\"dataset\":\"" +
                     dataset + "\",\"usable\":" + std::to_string(set.usable()) +
                     ",\"enroll_photos\":" + std::to_string(login.enroll_photos) +
                     ",\"folds\":" + std::to_string(login.folds) +
                     ",\"genuine\":" + std::to_string(scores[0].d.genuine.size()) +
                     ",\"impostor\":" + std::to_string(scores[0].d.impostor.size()) + ",\"variants\":[";
  char buf[512];
  for (size_t k = 0; k < vs.size(); ++k) {
    std::printf("%-24s", vs[k].name.c_str());
    json += std::string(k ? "," : "") + "{\"variant\":\"" + specs[k] + "\",\"levels\":[";
    for (size_t l = 0; l < 3; ++l) {
      double t = choose_threshold(scores[k].d, levels[l]);
      RatePoint r = rate_at(scores[k].d, t);
      std::printf(" |     %.3f %8.2e %7.2f%%", t, r.far, 100 * r.frr);
      std::snprintf(buf, sizeof buf,
                    "%s{\"max_far\":%g,\"threshold\":%.3f,\"far\":%.3e,\"false_accepts\":%zu,\"frr\":%.5f,"
                    "\"false_rejects\":%zu}",
                    l ? "," : "", levels[l], t, r.far, r.false_accepts, r.frr, r.false_rejects);
      json += buf;
    }
    RatePoint best = best_at_far(scores[k].d, 1e-4);
    std::printf(" |        %.4f %6.2f%% | %zu\n", best.threshold, 100 * best.frr, scores[k].outliers_dropped);
    std::snprintf(buf, sizeof buf,
                  "],\"exact_1e-4\":{\"threshold\":%.4f,\"frr\":%.5f,\"false_accepts\":%zu}}", best.threshold,
                  best.frr, best.false_accepts);
    json += buf;
  }
  json += "]";

  // Detail for the first variant.
  const LoginScores& s0 = scores[0];
  std::printf("\nfirst variant (%s) in detail:\n", vs[0].name.c_str());
  Distribution g = describe(s0.d.genuine), im = describe(s0.d.impostor), sp = describe(s0.spread);
  std::printf("genuine   attempts %7zu: min %.3f  p05 %.3f  median %.3f  p95 %.3f  max %.3f\n", g.n, g.min,
              g.p05, g.median, g.p95, g.max);
  std::printf("impostor  attempts %7zu: min %.3f  p05 %.3f  median %.3f  p95 %.3f  max %.3f\n", im.n, im.min,
              im.p05, im.median, im.p95, im.max);
  std::printf("enrollment spread  %7zu: min %.3f  p05 %.3f  median %.3f  p95 %.3f  max %.3f\n", sp.n, sp.min,
              sp.p05, sp.median, sp.p95, sp.max);
  std::printf("\n threshold        FAR  false accepts        FRR  false rejects\n");
  auto table = rate_table(s0.d, from, to, step);
  for (const auto& r : table)
    std::printf("    %.3f  %9.2e  %13zu  %8.2f%%  %13zu\n", r.threshold, r.far, r.false_accepts, 100 * r.frr,
                r.false_rejects);
  double chosen = choose_threshold(s0.d, max_far);
  RatePoint c = rate_at(s0.d, chosen);
  std::printf("\nlargest threshold with FAR <= %g: %.3f (FAR %.2e = %zu of %zu, FRR %.2f%% = %zu of %zu)\n",
              max_far, chosen, c.far, c.false_accepts, s0.d.impostor.size(), 100 * c.frr, c.false_rejects,
              s0.d.genuine.size());
  json += ",\"detail\":{\"variant\":\"" + specs[0] + "\",\"table\":[";
  for (size_t i = 0; i < table.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%s{\"threshold\":%.3f,\"far\":%.3e,\"false_accepts\":%zu,\"frr\":%.5f}",
                  i ? "," : "", table[i].threshold, table[i].far, table[i].false_accepts, table[i].frr);
    json += buf;
  }
  std::snprintf(buf, sizeof buf,
                "],\"max_far\":%g,\"chosen_threshold\":%.3f,\"chosen_far\":%.3e,\"chosen_frr\":%.5f}",
                max_far, chosen, c.far, c.frr);
  json += buf;
  if (refuse > 0) {
    ConsistencyFigures f = consistency_figures(set, vs[0], login);
    std::printf(
        "\nenrollment refused when a photo lies >= %.3f from the mean of the others:\n"
        "  genuine enrollments refused   %zu of %zu\n  4 + 1 other person refused    %zu of %zu\n"
        "  3 + 2 other person refused    %zu of %zu\n",
        refuse, f.genuine_refused, f.genuine, f.mixed_1_refused, f.mixed_1, f.mixed_2_refused, f.mixed_2);
    std::snprintf(buf, sizeof buf,
                  ",\"refuse\":{\"distance\":%.3f,\"genuine\":%zu,\"genuine_refused\":%zu,\"mixed_1\":%zu,"
                  "\"mixed_1_refused\":%zu,\"mixed_2\":%zu,\"mixed_2_refused\":%zu}",
                  refuse, f.genuine, f.genuine_refused, f.mixed_1, f.mixed_1_refused, f.mixed_2,
                  f.mixed_2_refused);
    json += buf;
  }
  if (!roc_path.empty()) {
    std::vector<std::pair<std::string, const PairDistances*>> curves;
    for (size_t k = 0; k < vs.size(); ++k) curves.emplace_back(vs[k].name, &scores[k].d);
    std::vector<std::pair<std::string, double>> marks;
    const char* names[] = {"strict", "balanced", "convenient"};
    for (size_t l = 0; l < 3; ++l) marks.emplace_back(names[l], choose_threshold(s0.d, levels[l]));
    write_roc_svg(roc_path,
                  "Login protocol on " + std::filesystem::path(dataset).filename().string() + ": " +
                      std::to_string(s0.d.genuine.size()) + " genuine, " +
                      std::to_string(s0.d.impostor.size()) + " impostor attempts",
                  curves, marks);
    std::printf("\nROC written to %s\n", roc_path.c_str());
  }
  std::printf("%s}\n", json.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  EmbedOptions opt;
  opt.model_dir = default_model_dir();
  double max_far = 1e-4, from = 0.30, to = 0.70, step = 0.02;
  std::string dataset, protocol = "pairs", roc_path;
  int views = 10;
  std::vector<std::string> variants;
  LoginOptions login;
  double refuse = 0;
  int time_photos = 0;
  opt.embedder = kDefaultEmbedder;
  PopulationRun pop;
  bool enroll_jitters_set = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](double lo, double hi, double& out) {
      if (i + 1 >= argc || !parse_number(argv[++i], lo, hi, out)) {
        std::fprintf(stderr, "faceauth-calibrate: %s needs a number from %g to %g\n", a.c_str(), lo, hi);
        std::exit(2);
      }
    };
    double n;
    if (a == "--models" && i + 1 < argc)
      opt.model_dir = argv[++i];
    else if (a == "--cache" && i + 1 < argc)
      opt.cache_path = argv[++i];
    else if (a == "--jitters") {
      value(0, 100, n);
      opt.jitters = static_cast<int>(n);
    } else if (a == "--threads") {
      value(1, 64, n);
      opt.threads = static_cast<int>(n);
    } else if (a == "--max-far")
      value(0, 1, max_far);
    else if (a == "--from")
      value(0, 2, from);
    else if (a == "--to")
      value(0, 2, to);
    else if (a == "--step")
      value(0.001, 1, step);
    else if (a == "--protocol" && i + 1 < argc)
      protocol = argv[++i];
    else if (a == "--views") {
      value(0, 50, n);
      views = static_cast<int>(n);
    } else if (a == "--variant" && i + 1 < argc)
      variants.push_back(argv[++i]);
    else if (a == "--enroll-photos") {
      value(1, 50, n);
      login.enroll_photos = static_cast<int>(n);
    } else if (a == "--folds") {
      value(1, 2, n);
      login.folds = static_cast<int>(n);
    } else if (a == "--refuse")
      value(0, 2, refuse);
    else if (a == "--time") {
      value(0, 10000, n);
      time_photos = static_cast<int>(n);
    } else if (a == "--roc" && i + 1 < argc)
      roc_path = argv[++i];
    else if (a == "--embedder" && i + 1 < argc) {
      auto k = parse_embedder(argv[++i]);
      if (!k) return usage("--embedder is mobilefacenet or dlib-resnet");
      opt.embedder = *k;
    } else if (a == "--set" && i + 1 < argc) {
      std::string v = argv[++i];
      auto eq = v.find('=');
      if (eq == std::string::npos || eq == 0) return usage("--set needs NAME=DIR[,video]");
      PopulationSet ps{v.substr(0, eq), v.substr(eq + 1), false};
      if (ps.dir.size() > 6 && ps.dir.compare(ps.dir.size() - 6, 6, ",video") == 0) {
        ps.dir.resize(ps.dir.size() - 6);
        ps.consecutive_frames = true;
      }
      pop.sets.push_back(ps);
    } else if (a == "--impostors" && i + 1 < argc)
      pop.impostor_dir = argv[++i];
    else if (a == "--shared" && i + 1 < argc) {
      std::string d = argv[++i];
      pop.sets = {{"lfw-dev", d + "/faces/lfw-dev", false},
                  {"casia5", d + "/faces/casia5", false},
                  {"nuaa", d + "/liveness/nuaa/real", true}};
      pop.impostor_dir = d + "/faces/lfw-impostors";
    } else if (a == "--enroll-frames") {
      value(1, 50, n);
      pop.options.enroll_frames = static_cast<int>(n);
    } else if (a == "--enroll-jitters") {
      value(0, 50, n);
      pop.options.enroll_jitters = static_cast<int>(n);
      enroll_jitters_set = true;
    } else if (a == "--attempt-frames") {
      value(1, 10, n);
      pop.options.attempt_frames = static_cast<int>(n);
    } else if (a == "--track") {
      pop.options.track_video = true;
    } else if (a == "--help" || a == "-h")
      return usage(nullptr), 0;
    else if (!a.empty() && a[0] == '-')
      return usage(("unknown option " + a).c_str());
    else if (dataset.empty())
      dataset = a;
    else
      return usage("only one DATASET may be named");
  }
  try {
    if (protocol == "populations") {
      if (!dataset.empty()) return usage("--protocol populations takes --set or --shared, not a DATASET");
      pop.options.embed = opt;
      if (!enroll_jitters_set) pop.options.enroll_jitters = calibration_of(opt.embedder).enroll_jitters;
      pop.options.cache_dir = default_views_cache_dir();
      pop.roc_path = roc_path;
      pop.time_frames = time_photos;
      return run_populations(pop);
    }
    if (dataset.empty()) return usage("no DATASET named");
    auto people = load_dataset(dataset);
    if (protocol == "login")
      return run_login(dataset, people, opt, views, variants, login, max_far, from, to, step, refuse,
                       roc_path, time_photos);
    if (protocol != "pairs") return usage("--protocol is pairs, login or populations");
    EmbeddedSet set = embed_dataset(people, opt);
    size_t counts[6] = {0};
    for (const auto& p : set.photos) counts[static_cast<int>(p.verdict)]++;
    std::printf("dataset %s: %zu people, %zu photos, %zu usable", dataset.c_str(), set.names.size(),
                set.photos.size(), set.usable());
    for (int v = 1; v < 6; ++v)
      if (counts[v]) std::printf(", %zu %s", counts[v], verdict_name(static_cast<FrameVerdict>(v)));
    std::printf("\nembedding: %.1f s for %zu photos (%zu from cache), jitters %d\n", set.seconds,
                set.photos.size() - set.cache_hits, set.cache_hits, opt.jitters);

    PairDistances d = pair_distances(set);
    auto show = [](const char* what, const Distribution& s) {
      std::printf("%-9s pairs %7zu: min %.3f  p05 %.3f  median %.3f  p95 %.3f  max %.3f\n", what, s.n, s.min,
                  s.p05, s.median, s.p95, s.max);
    };
    Distribution g = describe(d.genuine), im = describe(d.impostor);
    show("genuine", g);
    show("impostor", im);
    std::printf("\n threshold        FAR  false accepts        FRR  false rejects\n");
    auto table = rate_table(d, from, to, step);
    for (const auto& r : table)
      std::printf("    %.3f  %9.2e  %13zu  %8.2f%%  %13zu\n", r.threshold, r.far, r.false_accepts,
                  100 * r.frr, r.false_rejects);
    double chosen = choose_threshold(d, max_far);
    RatePoint c = rate_at(d, chosen);
    std::printf("\nlargest threshold with FAR <= %g: %.3f (FAR %.2e = %zu of %zu, FRR %.2f%% = %zu of %zu)\n",
                max_far, chosen, c.far, c.false_accepts, d.impostor.size(), 100 * c.frr, c.false_rejects,
                d.genuine.size());

    std::printf(
        "JSON: {\"tool\":\"faceauth-calibrate\",\"dataset\":\"%s\",\"people\":%zu,\"photos\":%zu,"
        "\"usable\":%zu,\"jitters\":%d,\"genuine\":{\"pairs\":%zu,\"min\":%.4f,\"median\":%.4f,\"max\":%.4f},"
        "\"impostor\":{\"pairs\":%zu,\"min\":%.4f,\"median\":%.4f,\"max\":%.4f},\"table\":[",
        dataset.c_str(), set.names.size(), set.photos.size(), set.usable(), opt.jitters, g.n, g.min, g.median,
        g.max, im.n, im.min, im.median, im.max);
    for (size_t i = 0; i < table.size(); ++i)
      std::printf("%s{\"threshold\":%.3f,\"far\":%.3e,\"frr\":%.5f}", i ? "," : "", table[i].threshold,
                  table[i].far, table[i].frr);
    std::printf("],\"max_far\":%g,\"chosen_threshold\":%.3f,\"chosen_far\":%.3e,\"chosen_frr\":%.5f}\n",
                max_far, chosen, c.far, c.frr);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "faceauth-calibrate: %s\n", e.what());
    return 1;
  }
  return 0;
}
