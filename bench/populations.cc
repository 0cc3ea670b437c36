#include "populations.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "dataset.h"

namespace faceauth {
namespace {

struct Person {
  size_t set = 0;
  std::vector<const Embedding*> enroll_view;   // per usable frame: enrollment embedding
  std::vector<const Embedding*> attempt_view;  // per usable frame: plain embedding
};

std::string cache_file(const PopulationOptions& opt, const std::string& set, int jitters) {
  if (opt.cache_dir.empty()) return {};
  std::error_code ec;
  std::filesystem::create_directories(opt.cache_dir, ec);
  return opt.cache_dir + "/" + set + "." + embedder_name(opt.embed.embedder) + ".j" +
         std::to_string(jitters) + ".cache";
}

// The attempts a person's frames make: one per photo, or k consecutive frames.
std::vector<Embedding> attempts_of(const std::vector<const Embedding*>& frames, size_t from, size_t to,
                                   int k) {
  std::vector<Embedding> out;
  const size_t step = static_cast<size_t>(std::max(1, k));
  for (size_t i = from; i + step <= to; i += step) {
    std::vector<Embedding> group;
    for (size_t j = i; j < i + step; ++j) group.push_back(*frames[j]);
    out.push_back(attempt_embedding(group));
  }
  return out;
}

}  // namespace

bool natural_less(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
      size_t i2 = i, j2 = j;
      while (i2 < a.size() && std::isdigit(static_cast<unsigned char>(a[i2]))) ++i2;
      while (j2 < b.size() && std::isdigit(static_cast<unsigned char>(b[j2]))) ++j2;
      const std::string x = a.substr(i, i2 - i), y = b.substr(j, j2 - j);
      const size_t zx = x.find_first_not_of('0'), zy = y.find_first_not_of('0');
      const std::string nx = zx == std::string::npos ? "" : x.substr(zx),
                        ny = zy == std::string::npos ? "" : y.substr(zy);
      if (nx.size() != ny.size()) return nx.size() < ny.size();
      if (nx != ny) return nx < ny;
      i = i2;
      j = j2;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

double upper95(size_t k, size_t n) {
  if (n == 0) return 1;
  if (k >= n) return 1;
  if (k == 0) return 1 - std::pow(0.05, 1.0 / static_cast<double>(n));
  // P(X <= k; n, p) is decreasing in p: find p with P = 0.05 by bisection.
  auto cdf = [&](double p) {
    double sum = 0;
    const double lp = std::log(p), lq = std::log1p(-p);
    const double ln = std::lgamma(static_cast<double>(n) + 1);
    for (size_t i = 0; i <= k; ++i) {
      const double di = static_cast<double>(i);
      sum += std::exp(ln - std::lgamma(di + 1) - std::lgamma(static_cast<double>(n - i) + 1) + di * lp +
                      static_cast<double>(n - i) * lq);
    }
    return sum;
  };
  double lo = static_cast<double>(k) / n, hi = 1;
  for (int it = 0; it < 100; ++it) {
    const double mid = (lo + hi) / 2;
    (cdf(mid) > 0.05 ? lo : hi) = mid;
  }
  return hi;
}

Counted false_accepts(const std::vector<float>& impostor, double t) {
  Counted c;
  c.trials = impostor.size();
  c.errors = static_cast<size_t>(std::lower_bound(impostor.begin(), impostor.end(), static_cast<float>(t)) -
                                 impostor.begin());
  return c;
}

Counted false_rejects(const std::vector<float>& genuine, double t) {
  Counted c;
  c.trials = genuine.size();
  c.errors = genuine.size() -
             static_cast<size_t>(std::lower_bound(genuine.begin(), genuine.end(), static_cast<float>(t)) -
                                 genuine.begin());
  return c;
}

Eer equal_error_rate(const std::vector<float>& genuine, const std::vector<float>& impostor) {
  Eer best{1, 0};
  if (genuine.empty() || impostor.empty()) return best;
  // Candidate thresholds: every distance seen; FAR rises and FRR falls with t.
  std::vector<float> cand(genuine);
  cand.insert(cand.end(), impostor.begin(), impostor.end());
  std::sort(cand.begin(), cand.end());
  double gap = 2;
  for (size_t i = 0; i < cand.size(); i += std::max<size_t>(1, cand.size() / 20000)) {
    const double t = cand[i];
    const double far = false_accepts(impostor, t).rate(), frr = false_rejects(genuine, t).rate();
    if (std::abs(far - frr) < gap) {
      gap = std::abs(far - frr);
      best = Eer{(far + frr) / 2, t};
    }
  }
  return best;
}

PopulationScores score_populations(const std::vector<PopulationSet>& sets, const std::string& impostor_dir,
                                   const PopulationOptions& opt) {
  PopulationScores out;
  // Embeddings: plain for attempts, jittered as the daemon enrolls.
  std::vector<EmbeddedSet> plain(sets.size()), enroll(sets.size()), tracked(sets.size());
  for (size_t s = 0; s < sets.size(); ++s) {
    auto people = load_dataset(sets[s].dir);
    EmbedOptions eo = opt.embed;
    eo.jitters = 0;
    eo.cache_path = cache_file(opt, sets[s].name, 0);
    plain[s] = embed_dataset(people, eo);
    if (opt.track_video && sets[s].consecutive_frames) {
      eo.cache_path = cache_file(opt, sets[s].name + ".tracked", 0);
      tracked[s] = embed_tracked(people, eo);
    }
    if (opt.enroll_jitters > 0) {
      eo.jitters = opt.enroll_jitters;
      eo.cache_path = cache_file(opt, sets[s].name, opt.enroll_jitters);
      enroll[s] = embed_dataset(people, eo);
    }
    SetScores sc;
    sc.name = sets[s].name;
    sc.people = plain[s].names.size();
    sc.photos = plain[s].photos.size();
    sc.usable = (tracked[s].photos.empty() ? plain[s] : tracked[s]).usable();
    sc.embed_seconds = plain[s].seconds + enroll[s].seconds + tracked[s].seconds;
    sc.cache_hits = plain[s].cache_hits;
    out.sets.push_back(std::move(sc));
  }
  EmbeddedSet extra;
  if (!impostor_dir.empty()) {
    EmbedOptions eo = opt.embed;
    eo.jitters = 0;
    eo.cache_path =
        cache_file(opt, std::filesystem::path(impostor_dir).lexically_normal().filename().string(), 0);
    extra = embed_dataset(load_dataset(impostor_dir), eo);
    out.impostor_only_usable = extra.usable();
  }

  // People with their usable frames, in name order.
  std::vector<Person> persons;
  std::vector<std::vector<size_t>> persons_of(sets.size());
  for (size_t s = 0; s < sets.size(); ++s) {
    std::vector<Person> ps(plain[s].names.size());
    // Video frames in recording order: file names carry the frame number
    // ("..._01_154.jpg"), so they are ordered with numbers compared as numbers.
    std::vector<size_t> order(plain[s].photos.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    if (sets[s].consecutive_frames)
      std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return natural_less(plain[s].photos[a].path, plain[s].photos[b].path);
      });
    const bool with_track = !tracked[s].photos.empty();
    for (size_t i : order) {
      // Attempts: tracked frames where the set is a video and tracking is on.
      const EmbeddedPhoto& p = with_track ? tracked[s].photos[i] : plain[s].photos[i];
      if (p.verdict != FrameVerdict::ok) continue;
      const EmbeddedPhoto& e = opt.enroll_jitters > 0 ? enroll[s].photos[i] : plain[s].photos[i];
      if (e.verdict != FrameVerdict::ok) continue;
      Person& person = ps[static_cast<size_t>(p.identity)];
      person.set = s;
      person.attempt_view.push_back(&p.embedding);
      person.enroll_view.push_back(&e.embedding);
    }
    for (auto& p : ps) {
      p.set = s;
      persons_of[s].push_back(persons.size());
      persons.push_back(std::move(p));
    }
  }
  // Every person's attempts when they are the impostor: all their frames.
  std::vector<std::vector<Embedding>> as_impostor(persons.size());
  for (size_t i = 0; i < persons.size(); ++i) {
    const int k = sets[persons[i].set].consecutive_frames ? opt.attempt_frames : 1;
    as_impostor[i] = attempts_of(persons[i].attempt_view, 0, persons[i].attempt_view.size(), k);
  }
  std::vector<Embedding> extra_attempts;
  for (const auto& p : extra.photos)
    if (p.verdict == FrameVerdict::ok) extra_attempts.push_back(p.embedding);

  for (size_t i = 0; i < persons.size(); ++i) {
    const Person& me = persons[i];
    const size_t n = me.enroll_view.size();
    if (n < 2) continue;
    const size_t e = std::min<size_t>(static_cast<size_t>(opt.enroll_frames), n - 1);
    const bool video = sets[me.set].consecutive_frames;
    std::vector<size_t> starts;
    if (n >= 2 * e)
      starts = {0, n - e};
    else if (video)
      starts = {0};  // the attempts must stay consecutive frames
    else
      for (size_t f = 0; f < n; ++f) starts.push_back(f);
    const int k = video ? opt.attempt_frames : 1;
    SetScores& sc = out.sets[me.set];
    for (size_t start : starts) {
      std::vector<Embedding> views;
      std::vector<bool> in_fold(n, false);
      for (size_t j = 0; j < e; ++j) {
        in_fold[(start + j) % n] = true;
        views.push_back(*me.enroll_view[(start + j) % n]);
      }
      const Embedding tmpl = mean_embedding(views);
      ++sc.enrollments;
      // Genuine attempts: the frames outside the fold, as runs of k
      // consecutive frames where the set has them.
      if (video) {
        // A prefix or suffix fold leaves one contiguous run.
        size_t from = start == 0 ? e : 0, to = start == 0 ? n : n - e;
        for (const auto& a : attempts_of(me.attempt_view, from, to, k))
          sc.genuine.push_back(distance(tmpl, a));
      } else {
        for (size_t j = 0; j < n; ++j)
          if (!in_fold[j]) sc.genuine.push_back(distance(tmpl, *me.attempt_view[j]));
      }
      for (size_t o = 0; o < persons.size(); ++o) {
        if (o == i) continue;
        const bool same = persons[o].set == me.set;
        for (const auto& a : as_impostor[o]) {
          const float d = distance(tmpl, a);
          if (same) sc.impostor_same.push_back(d);
          sc.impostor_all.push_back(d);
        }
      }
      for (const auto& a : extra_attempts) sc.impostor_all.push_back(distance(tmpl, a));
    }
  }
  for (auto& sc : out.sets) {
    std::sort(sc.genuine.begin(), sc.genuine.end());
    std::sort(sc.impostor_same.begin(), sc.impostor_same.end());
    std::sort(sc.impostor_all.begin(), sc.impostor_all.end());
  }
  return out;
}

double strictest_threshold(const PopulationScores& s, double max_far) {
  double best = 0;
  for (int i = 1; i <= 400; ++i) {
    const double t = i * 0.005;
    bool ok = true;
    for (const auto& set : s.sets)
      ok = ok && false_accepts(set.impostor_same, t).rate() <= max_far &&
           false_accepts(set.impostor_all, t).rate() <= max_far;
    if (!ok) break;
    best = t;
  }
  return best;
}

std::string percent_text(const Counted& c) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%zu/%zu = %.2f %% (95%% <= %.2f %%)", c.errors, c.trials, 100 * c.rate(),
                100 * c.upper());
  return buf;
}

std::string counted_json(const char* name, const Counted& c, bool scientific) {
  char buf[160];
  std::snprintf(buf, sizeof buf,
                scientific ? "\"%s\":{\"errors\":%zu,\"trials\":%zu,\"rate\":%.4e,\"upper95\":%.4e}"
                           : "\"%s\":{\"errors\":%zu,\"trials\":%zu,\"rate\":%.5f,\"upper95\":%.5f}",
                name, c.errors, c.trials, c.rate(), c.upper());
  return buf;
}

}  // namespace faceauth
