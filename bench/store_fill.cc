// faceauth-store-fill: grows the template store faceauthd will open, for the
// scale benchmark (bench/daemon_scale.py). Everything goes through the Store
// API, with the options faceauthd builds from the same configuration (state
// directory, key, lockout, retention): consent, validation, encryption, uid
// binding and the audit log are the store's own. Run it while faceauthd is
// stopped, as the service user (the files stay its own), in an environment
// where the generated names are accounts (the store binds every row to the uid
// the name resolves to; daemon_scale.py gives both a private /etc/passwd).
//
//   faceauth-store-fill --config PATH --like USER [--extra K] [--remove-extra]
//                       [--users N --first I --prefix P --templates M] [--seed S]
//
// --like USER    an account enrolled through faceauthd: its first template gives
//                the embedder and the number of values of every template written
// --extra K      adds K templates to USER: its enrolled embedding plus a little
//                noise, renormalised (labels "bench-extra-N"; they still match)
// --remove-extra removes USER's "bench-extra-" templates first (remove_template)
// --users N      adds the accounts P<I>..P<I+N-1> (5 digits), each with consent to
//                USER's notice and M random unit-norm templates (not faces)
// Prints one line "JSON: {...}" with what was written and how long it took.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "config.h"
#include "store.h"

using namespace faceauth;

namespace {

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "faceauth-store-fill: %s\nusage: faceauth-store-fill --config PATH --like USER [--extra K] "
               "[--remove-extra] [--users N] [--first I] [--prefix P] [--templates M] [--seed S]\n",
               why);
  std::exit(2);
}

long number(const char* flag, const char* text) {
  char* end = nullptr;
  long v = std::strtol(text, &end, 10);
  if (!*text || *end || v < 0 || v > 1000000) {
    std::fprintf(stderr, "faceauth-store-fill: %s wants a whole number 0..1000000, got '%s'\n", flag, text);
    std::exit(2);
  }
  return v;
}

void normalise(std::vector<float>& v) {
  double s = 0;
  for (float f : v) s += double(f) * f;
  const double n = std::sqrt(s);
  for (float& f : v) f = static_cast<float>(f / n);
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path, like, prefix = "fa-scale-";
  long extra = 0, users = 0, first = 0, per_user = 1, seed = 1;
  bool remove_extra = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage(("missing value after " + a).c_str());
      return argv[++i];
    };
    if (a == "--config") config_path = value();
    else if (a == "--like") like = value();
    else if (a == "--extra") extra = number("--extra", value());
    else if (a == "--remove-extra") remove_extra = true;
    else if (a == "--users") users = number("--users", value());
    else if (a == "--first") first = number("--first", value());
    else if (a == "--prefix") prefix = value();
    else if (a == "--templates") per_user = number("--templates", value());
    else if (a == "--seed") seed = number("--seed", value());
    else usage(("unknown argument '" + a + "'").c_str());
  }
  if (config_path.empty() || like.empty()) usage("--config and --like are required");
  try {
    const auto t0 = std::chrono::steady_clock::now();
    Config config = load_config(config_path, true);
    StoreOptions so;  // as faceauthd's main() builds them
    so.state_dir = config.state_dir;
    so.lockout.max_failures = config.lockout_attempts;
    so.lockout.duration = std::chrono::seconds(config.lockout_seconds);
    so.retention = std::chrono::days(config.retention_days);
    Store store(so);

    const std::string embedder = embedder_name(config.embedder);
    std::vector<float> base;
    std::string notice_id;
    {
      auto own = store.load_templates(like);
      for (const auto& t : own) {
        if (t.info.embedder != embedder) continue;
        base.assign(t.embedding.data(), t.embedding.data() + t.embedding.size());
        break;
      }
      auto consent = store.active_consent(like);
      if (base.empty() || !consent)
        throw std::runtime_error(like + " has no template of the configured embedder " + embedder +
                                 " or no active consent: enroll it through faceauthd first");
      notice_id = consent->notice_id;
    }
    std::ifstream nf(config.notice_path);
    std::stringstream notice;
    notice << nf.rdbuf();

    std::size_t removed = 0;
    if (remove_extra) {
      for (const auto& t : store.list_templates(like)) {
        if (t.label.rfind("bench-extra-", 0) != 0) continue;
        store.remove_template(like, t.id, "faceauth-store-fill");
        ++removed;
      }
    }
    std::mt19937 rng(static_cast<std::mt19937::result_type>(seed));
    std::normal_distribution<float> gauss(0.0f, 1.0f);
    const std::size_t dims = base.size();
    // Noise of norm ~0.1 against a unit vector: cosine distance ~0.005, a
    // template of the same person as far as the matcher is concerned.
    const float sigma = 0.1f / std::sqrt(static_cast<float>(dims));
    std::vector<float> v(dims);
    const std::size_t before = store.list_templates(like).size();
    for (long k = 0; k < extra; ++k) {
      for (std::size_t j = 0; j < dims; ++j) v[j] = base[j] + sigma * gauss(rng);
      normalise(v);
      store.add_template(like, "bench-extra-" + std::to_string(before + k), v, "faceauth-store-fill",
                         embedder);
    }
    for (long u = first; u < first + users; ++u) {
      char name[64];
      std::snprintf(name, sizeof name, "%s%05ld", prefix.c_str(), u);
      for (long k = 0; k < per_user; ++k) {
        for (auto& f : v) f = gauss(rng);
        normalise(v);
        if (k == 0)
          store.add_template_with_consent(name, notice_id, notice.str(), "faceauth-store-fill", "bench", v,
                                          "faceauth-store-fill", embedder);
        else
          store.add_template(name, "bench-" + std::to_string(k), v, "faceauth-store-fill", embedder);
      }
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // Status's enrolled_users figure: resolves every stored name again (NSS).
    const auto c0 = std::chrono::steady_clock::now();
    const std::size_t enrolled = store.enrolled_user_count();
    const double count_secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - c0).count();
    std::printf(
        "JSON: {\"tool\":\"faceauth-store-fill\",\"embedder\":\"%s\",\"dims\":%zu,\"user\":\"%s\","
        "\"user_templates\":%zu,\"removed\":%zu,\"users_added\":%ld,\"templates_per_user\":%ld,"
        "\"enrolled_users\":%zu,\"seconds\":%.2f,\"count_seconds\":%.3f}\n",
        embedder.c_str(), dims, like.c_str(), store.list_templates(like).size(), removed, users, per_user,
        enrolled, secs, count_secs);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "faceauth-store-fill: %s\n", e.what());
    return 1;
  }
  return 0;
}
