// faceauth-calibrate: genuine and impostor distance distributions and
// FAR/FRR per threshold for a folder-per-identity photo set.
//
//   faceauth-calibrate [--models DIR] [--cache FILE] [--jitters N] [--threads N]
//                      [--max-far F] [--from T --to T --step S] DATASET
//
// Prints a table, then one JSON line (prefixed "JSON: ").
#include <cstdio>
#include <cstdlib>
#include <string>

#include "calibration.h"
#include "models.h"

using namespace faceauth;

namespace {

int usage(const char* msg) {
  if (msg) std::fprintf(stderr, "faceauth-calibrate: %s\n", msg);
  std::fprintf(stderr,
               "usage: faceauth-calibrate [--models DIR] [--cache FILE] [--jitters N] [--threads N]\n"
               "                          [--max-far F] [--from T] [--to T] [--step S] DATASET\n"
               "DATASET holds one sub-folder of photos per person.\n");
  return 2;
}

bool parse_number(const char* s, double lo, double hi, double& out) {
  char* end = nullptr;
  out = std::strtod(s, &end);
  return end && *end == '\0' && end != s && out >= lo && out <= hi;
}

}  // namespace

int main(int argc, char** argv) {
  EmbedOptions opt;
  opt.model_dir = default_model_dir();
  double max_far = 1e-4, from = 0.30, to = 0.70, step = 0.02;
  std::string dataset;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](double lo, double hi, double& out) {
      if (i + 1 >= argc || !parse_number(argv[++i], lo, hi, out)) {
        std::fprintf(stderr, "faceauth-calibrate: %s needs a number from %g to %g\n", a.c_str(), lo, hi);
        std::exit(2);
      }
    };
    double n;
    if (a == "--models" && i + 1 < argc) opt.model_dir = argv[++i];
    else if (a == "--cache" && i + 1 < argc) opt.cache_path = argv[++i];
    else if (a == "--jitters") { value(0, 100, n); opt.jitters = static_cast<int>(n); }
    else if (a == "--threads") { value(1, 64, n); opt.threads = static_cast<int>(n); }
    else if (a == "--max-far") value(0, 1, max_far);
    else if (a == "--from") value(0, 2, from);
    else if (a == "--to") value(0, 2, to);
    else if (a == "--step") value(0.001, 1, step);
    else if (a == "--help" || a == "-h") return usage(nullptr), 0;
    else if (!a.empty() && a[0] == '-') return usage(("unknown option " + a).c_str());
    else if (dataset.empty()) dataset = a;
    else return usage("only one DATASET may be named");
  }
  if (dataset.empty()) return usage("no DATASET named");

  try {
    auto people = load_dataset(dataset);
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
      std::printf("%-9s pairs %7zu: min %.3f  p05 %.3f  median %.3f  p95 %.3f  max %.3f\n", what, s.n,
                  s.min, s.p05, s.median, s.p95, s.max);
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

    std::printf("JSON: {\"tool\":\"faceauth-calibrate\",\"dataset\":\"%s\",\"people\":%zu,\"photos\":%zu,"
                "\"usable\":%zu,\"jitters\":%d,\"genuine\":{\"pairs\":%zu,\"min\":%.4f,\"median\":%.4f,\"max\":%.4f},"
                "\"impostor\":{\"pairs\":%zu,\"min\":%.4f,\"median\":%.4f,\"max\":%.4f},\"table\":[",
                dataset.c_str(), set.names.size(), set.photos.size(), set.usable(), opt.jitters, g.n, g.min,
                g.median, g.max, im.n, im.min, im.median, im.max);
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
