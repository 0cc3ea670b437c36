// faceauth-calibrate --protocol populations: the login protocol on every
// population at once (bench/populations.h), per set and with the thresholds
// that hold for all of them. Prints tables, then one JSON line.
#include "calibrate_populations.h"

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "decode.h"
#include "operating_point.h"
#include "populations.h"

namespace faceauth {

namespace {

std::string pct(const Counted& c) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%zu/%zu = %.2e (95%% <= %.1e)", c.errors, c.trials, c.rate(), c.upper());
  return buf;
}

// Milliseconds per frame of the whole pipeline (decode excluded) on `n`
// usable photos of `dir`, one thread, as the daemon analyses an attempt frame.
double time_frames(const EmbedOptions& eo, const std::string& dir, int n, double& embed_ms) {
  FaceEngine engine(eo.model_dir, eo.embedder);
  double total = 0, embed = 0;
  int done = 0;
  for (const auto& person : load_dataset(dir)) {
    for (const auto& photo : person.photos) {
      if (done >= n) break;
      Image img = load_image_file(photo);
      auto t0 = std::chrono::steady_clock::now();
      FrameAnalysis a = engine.analyze(img, eo.quality, 0);
      double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      if (a.verdict != FrameVerdict::ok) continue;
      total += ms;
      embed += a.times.embed_ms;
      ++done;
    }
  }
  embed_ms = done ? embed / done : 0;
  return done ? total / done : 0;
}

}  // namespace

int run_populations(const PopulationRun& run) {
  const auto& sets = run.sets;
  if (sets.empty()) {
    std::fprintf(stderr,
                 "faceauth-calibrate: --protocol populations needs --set NAME=DIR (or --shared DIR)\n");
    return 2;
  }
  PopulationOptions opt = run.options;
  PopulationScores s = score_populations(sets, run.impostor_dir, opt);
  std::printf(
      "embedder %s, enrollment: mean of %d frames (%d jitters each); attempts: %d consecutive frames "
      "where a set has them, else one photo%s\n",
      embedder_name(opt.embed.embedder), opt.enroll_frames, opt.enroll_jitters, opt.attempt_frames,
      opt.track_video ? "; video attempts with the daemon's face tracking" : "");
  if (!run.impostor_dir.empty())
    std::printf("impostor-only photos: %zu usable in %s\n", s.impostor_only_usable, run.impostor_dir.c_str());
  std::printf("\n%-10s %6s %6s %6s %6s %8s %9s %9s  %-22s %-22s\n", "set", "people", "photos", "usable",
              "enroll", "genuine", "imp.same", "imp.all", "EER (own people)", "FRR @ FAR 1e-4 (all)");
  std::string json =
      std::string("JSON: {\"tool\":\"faceauth-calibrate\",\"protocol\":\"populations\",\"embedder\":\"") +
      embedder_name(opt.embed.embedder) + "\",\"enroll_frames\":" + std::to_string(opt.enroll_frames) +
      ",\"enroll_jitters\":" + std::to_string(opt.enroll_jitters) +
      ",\"attempt_frames\":" + std::to_string(opt.attempt_frames) +
      ",\"track_video\":" + (opt.track_video ? "true" : "false") + ",\"sets\":[";
  char buf[512];
  for (size_t i = 0; i < s.sets.size(); ++i) {
    const SetScores& sc = s.sets[i];
    Eer eer = equal_error_rate(sc.genuine, sc.impostor_same);
    PairDistances pd{sc.genuine, sc.impostor_all};
    RatePoint at = best_at_far(pd, 1e-4);
    std::printf("%-10s %6zu %6zu %6zu %6zu %8zu %9zu %9zu  %6.2f%% at %.3f       %6.2f%% at %.4f\n",
                sc.name.c_str(), sc.people, sc.photos, sc.usable, sc.enrollments, sc.genuine.size(),
                sc.impostor_same.size(), sc.impostor_all.size(), 100 * eer.rate, eer.threshold, 100 * at.frr,
                at.threshold);
    std::snprintf(
        buf, sizeof buf,
        "%s{\"set\":\"%s\",\"people\":%zu,\"photos\":%zu,\"usable\":%zu,\"enrollments\":%zu,\"genuine\":%zu,"
        "\"impostor_same\":%zu,\"impostor_all\":%zu,\"eer\":%.5f,\"eer_threshold\":%.4f,"
        "\"frr_at_far_1e-4\":%.5f,\"embed_seconds\":%.1f,\"cache_hits\":%zu}",
        i ? "," : "", sc.name.c_str(), sc.people, sc.photos, sc.usable, sc.enrollments, sc.genuine.size(),
        sc.impostor_same.size(), sc.impostor_all.size(), eer.rate, eer.threshold, at.frr, sc.embed_seconds,
        sc.cache_hits);
    json += buf;
  }
  json += "],\"levels\":[";
  const char* names[] = {"strict", "balanced", "convenient"};
  const double targets[] = {1e-5, 1e-4, 1e-3};
  std::vector<double> chosen;
  for (int l = 0; l < 3; ++l) {
    const double t = strictest_threshold(s, targets[l]);
    chosen.push_back(t);
    std::printf("\n%s (FAR <= %g on every set): threshold %.3f\n", names[l], targets[l], t);
    json += std::string(l ? "," : "") + "{\"level\":\"" + names[l] +
            "\",\"max_far\":" + std::to_string(targets[l]) + ",\"threshold\":" + std::to_string(t) +
            ",\"sets\":[";
    Counted pooled_fa, pooled_fr;
    for (size_t i = 0; i < s.sets.size(); ++i) {
      const SetScores& sc = s.sets[i];
      Counted fs = false_accepts(sc.impostor_same, t), fa = false_accepts(sc.impostor_all, t);
      Counted fr = false_rejects(sc.genuine, t);
      pooled_fa.errors += fa.errors;
      pooled_fa.trials += fa.trials;
      pooled_fr.errors += fr.errors;
      pooled_fr.trials += fr.trials;
      const bool supported = fs.upper() <= targets[l] && fa.upper() <= targets[l];
      std::printf("  %-10s FAR own people %-36s all %-36s FRR %-34s%s\n", sc.name.c_str(), pct(fs).c_str(),
                  pct(fa).c_str(), pct(fr).c_str(),
                  supported ? "" : "  (bound above target: not shown by this data)");
      json += std::string(i ? "," : "") + "{\"set\":\"" + sc.name + "\"," +
              counted_json("far_same", fs, true) + "," + counted_json("far_all", fa, true) + "," +
              counted_json("frr", fr, true) + ",\"supported\":" + (supported ? "true" : "false") + "}";
    }
    std::printf("  %-10s FAR %-36s FRR %s\n", "all sets", pct(pooled_fa).c_str(), pct(pooled_fr).c_str());
    json += "]," + counted_json("far_pooled", pooled_fa, true) + "," +
            counted_json("frr_pooled", pooled_fr, true) + "}";
  }
  json += "]";
  if (run.time_frames > 0) {
    json += ",\"timing\":[";
    for (size_t i = 0; i < sets.size(); ++i) {
      double embed_ms = 0;
      double total = time_frames(opt.embed, sets[i].dir, run.time_frames, embed_ms);
      std::printf("\ntiming on %s: %.1f ms per usable frame, of which embedding %.1f ms (one thread)",
                  sets[i].name.c_str(), total, embed_ms);
      std::snprintf(buf, sizeof buf, "%s{\"set\":\"%s\",\"frame_ms\":%.2f,\"embed_ms\":%.2f}", i ? "," : "",
                    sets[i].name.c_str(), total, embed_ms);
      json += buf;
    }
    json += "]";
    std::printf("\n");
  }
  if (!run.roc_path.empty()) {
    std::vector<std::pair<std::string, const PairDistances*>> curves;
    std::vector<PairDistances> pds;
    pds.reserve(s.sets.size());
    for (const auto& sc : s.sets) pds.push_back(PairDistances{sc.genuine, sc.impostor_same});
    for (size_t i = 0; i < s.sets.size(); ++i) curves.emplace_back(s.sets[i].name + " (own people)", &pds[i]);
    std::vector<std::pair<std::string, double>> marks;
    for (int l = 0; l < 3; ++l) marks.emplace_back(names[l], chosen[l]);
    write_roc_svg(run.roc_path,
                  std::string("Login protocol per population, ") + embedder_name(opt.embed.embedder), curves,
                  marks);
    std::printf("\nROC written to %s\n", run.roc_path.c_str());
  }
  std::printf("%s}\n", json.c_str());
  return 0;
}

}  // namespace faceauth
