#include "calibration.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "decode.h"
#include "models.h"
#include "populations.h"  // natural_less

namespace faceauth {

size_t EmbeddedSet::usable() const {
  return std::count_if(photos.begin(), photos.end(),
                       [](const EmbeddedPhoto& p) { return p.verdict == FrameVerdict::ok; });
}

namespace {

// The embedder's model hash is part of every key: a cache line is never read
// for another embedder or another version of its weights.
std::string model_tag(EmbedderKind k) { return model(embedder_model_file(k)).sha256.substr(0, 16); }

std::string cache_key(const std::string& photo, int jitters, EmbedderKind k) {
  return sha256_file(photo) + ":" + std::to_string(jitters) + ":" + model_tag(k);
}

struct ViewsEntry {
  FrameVerdict verdict;
  std::vector<Embedding> views;
};

std::string views_key(const std::string& photo, int k, EmbedderKind kind) {
  return sha256_file(photo) + ":views" + std::to_string(k) + ":" + model_tag(kind);
}

// One line per photo: key, verdict, then (for a usable face) k + 1 embeddings.
// The plain cache of embed_dataset is the same format with k = 0.
std::map<std::string, ViewsEntry> read_views_cache(const std::string& path, int k, EmbedderKind kind) {
  std::map<std::string, ViewsEntry> cache;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string key;
    int verdict;
    if (!(ls >> key >> verdict) || verdict < 0 || verdict > 5) continue;
    ViewsEntry e;
    e.verdict = static_cast<FrameVerdict>(verdict);
    bool ok = true;
    if (e.verdict == FrameVerdict::ok) {
      e.views.assign(static_cast<size_t>(k) + 1, Embedding(kind));
      for (auto& v : e.views)
        for (int d = 0; d < v.dims; ++d) ok = ok && static_cast<bool>(ls >> v.v[d]);
    }
    if (ok) cache[key] = std::move(e);
  }
  return cache;
}

}  // namespace

std::string default_views_cache_dir() {
  if (const char* c = std::getenv("FACEAUTH_CACHE"); c && *c) return c;
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/faceauth/calibration";
  return {};
}

std::string default_views_cache(const std::string& dataset_dir, int jittered_views) {
  namespace fs = std::filesystem;
  std::string dir = default_views_cache_dir();
  if (dir.empty()) return {};
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::string name = fs::path(dataset_dir).lexically_normal().filename().string();
  if (name.empty()) name = fs::path(dataset_dir).lexically_normal().parent_path().filename().string();
  return dir + "/" + name + ".views" + std::to_string(jittered_views) + ".cache";
}

namespace {

// The photos of a folder-per-identity set, nothing embedded yet.
EmbeddedSet empty_set(const std::vector<Identity>& people) {
  EmbeddedSet set;
  for (size_t i = 0; i < people.size(); ++i) {
    set.names.push_back(people[i].name);
    for (const auto& p : people[i].photos) {
      EmbeddedPhoto ph;
      ph.path = p;
      ph.identity = static_cast<int>(i);
      set.photos.push_back(std::move(ph));
    }
  }
  return set;
}

// Appends the plain cache's lines (read_views_cache, k = 0) of the photos `which`.
void append_to_cache(const std::string& path, const EmbeddedSet& set, const std::vector<size_t>& which,
                     const std::vector<std::string>& keys) {
  std::ofstream out(path, std::ios::app);
  out.precision(9);
  for (size_t i : which) {
    out << keys[i] << ' ' << static_cast<int>(set.photos[i].verdict);
    const Embedding& e = set.photos[i].embedding;
    for (int d = 0; d < e.dims; ++d) out << ' ' << e.v[d];
    out << '\n';
  }
}

// Runs each(engine, n) for every n in [0, count) on opt.threads threads, one
// FaceEngine each (dlib networks are not shared). Any error stops all
// threads and is thrown.
void on_threads(size_t count, const EmbedOptions& opt, const std::function<void(FaceEngine&, size_t)>& each) {
  std::atomic<size_t> next{0};
  std::mutex err_mu;
  std::string first_error;
  auto work = [&] {
    try {
      FaceEngine engine(opt.model_dir, opt.embedder);
      for (size_t n; (n = next++) < count;) each(engine, n);
    } catch (const std::exception& e) {
      std::lock_guard lock(err_mu);
      if (first_error.empty()) first_error = e.what();
      next = count;
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < std::max(1, opt.threads); ++t) pool.emplace_back(work);
  for (auto& t : pool) t.join();
  if (!first_error.empty()) throw std::runtime_error(first_error);
}

// Runs each(engine, photo) for every photo index in to_embed (on_threads). A
// photo that cannot be decoded counts as "no face".
void embed_in_parallel(EmbeddedSet& set, const std::vector<size_t>& to_embed, const EmbedOptions& opt,
                       const std::function<void(FaceEngine&, EmbeddedPhoto&)>& each) {
  on_threads(to_embed.size(), opt, [&](FaceEngine& engine, size_t n) {
    EmbeddedPhoto& p = set.photos[to_embed[n]];
    try {
      each(engine, p);
    } catch (const DecodeError&) {
      p.verdict = FrameVerdict::no_face;
    }
  });
}

}  // namespace

EmbeddedSet embed_views(const std::vector<Identity>& people, const EmbedOptions& opt, int jittered_views) {
  if (jittered_views < 0) throw std::invalid_argument("jittered_views must be >= 0");
  const int k = jittered_views;
  EmbeddedSet set = empty_set(people);
  std::map<std::string, ViewsEntry> cache;
  if (!opt.cache_path.empty()) cache = read_views_cache(opt.cache_path, k, opt.embedder);
  std::vector<std::string> keys(set.photos.size());
  std::vector<size_t> to_embed;
  for (size_t i = 0; i < set.photos.size(); ++i) {
    keys[i] = views_key(set.photos[i].path, k, opt.embedder);
    auto it = cache.find(keys[i]);
    if (it != cache.end()) {
      set.photos[i].verdict = it->second.verdict;
      set.photos[i].views = it->second.views;
      if (!set.photos[i].views.empty()) set.photos[i].embedding = set.photos[i].views[0];
      ++set.cache_hits;
    } else {
      to_embed.push_back(i);
    }
  }
  auto t0 = std::chrono::steady_clock::now();
  if (!to_embed.empty()) {
    embed_in_parallel(set, to_embed, opt, [k, &opt](FaceEngine& engine, EmbeddedPhoto& p) {
      Image img = load_image_file(p.path);
      FrameAnalysis a = engine.analyze(img, opt.quality, 0);
      p.verdict = a.verdict;
      if (a.verdict != FrameVerdict::ok) return;
      p.embedding = a.embedding;
      p.views.push_back(a.embedding);
      Image chip = engine.detector().chip(img, a.landmarks);
      for (int s = 1; s <= k; ++s) {
        // embed(face, 1, s) is the mean of the face and one copy jittered
        // with seed s: recover that copy's own embedding.
        Embedding m = engine.embedder().embed(FaceInput{img, a.landmarks, chip}, 1, static_cast<unsigned>(s));
        Embedding j(m.kind);
        for (int d = 0; d < j.dims; ++d) j.v[d] = 2 * m.v[d] - a.embedding.v[d];
        p.views.push_back(j);
      }
      chip.wipe();
    });
    if (!opt.cache_path.empty()) {
      std::ofstream out(opt.cache_path, std::ios::app);
      out.precision(9);
      for (size_t i : to_embed) {
        out << keys[i] << ' ' << static_cast<int>(set.photos[i].verdict);
        for (const auto& v : set.photos[i].views)
          for (int d = 0; d < v.dims; ++d) out << ' ' << v.v[d];
        out << '\n';
      }
    }
  }
  set.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return set;
}

EmbeddedSet embed_dataset(const std::vector<Identity>& people, const EmbedOptions& opt) {
  EmbeddedSet set = empty_set(people);
  std::map<std::string, ViewsEntry> cache;
  if (!opt.cache_path.empty()) cache = read_views_cache(opt.cache_path, 0, opt.embedder);
  std::vector<std::string> keys(set.photos.size());
  std::vector<size_t> to_embed;
  for (size_t i = 0; i < set.photos.size(); ++i) {
    keys[i] = cache_key(set.photos[i].path, opt.jitters, opt.embedder);
    auto it = cache.find(keys[i]);
    if (it != cache.end()) {
      set.photos[i].verdict = it->second.verdict;
      if (!it->second.views.empty()) set.photos[i].embedding = it->second.views[0];
      ++set.cache_hits;
    } else {
      to_embed.push_back(i);
    }
  }
  auto t0 = std::chrono::steady_clock::now();
  if (!to_embed.empty()) {
    embed_in_parallel(set, to_embed, opt, [&opt](FaceEngine& engine, EmbeddedPhoto& p) {
      Image img = load_image_file(p.path);
      FrameAnalysis a = engine.analyze(img, opt.quality, opt.jitters);
      p.verdict = a.verdict;
      if (a.verdict == FrameVerdict::ok) p.embedding = a.embedding;
    });
    if (!opt.cache_path.empty()) append_to_cache(opt.cache_path, set, to_embed, keys);
  }
  set.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return set;
}

EmbeddedSet embed_tracked(const std::vector<Identity>& people, const EmbedOptions& opt) {
  EmbeddedSet set = empty_set(people);
  std::map<std::string, ViewsEntry> cache;
  if (!opt.cache_path.empty()) cache = read_views_cache(opt.cache_path, 0, opt.embedder);
  std::vector<std::string> keys(set.photos.size());
  // Each identity's photo indices in recording order; an identity is taken
  // from the cache only when every one of its frames is there (a track runs
  // through all of them).
  std::vector<std::vector<size_t>> runs(people.size());
  // The tracking settings are part of the key: other settings, other frames.
  const std::string tracking_tag = ":tracked" + std::to_string(kTrackMargin) + "-" +
                                   std::to_string(kTrackFacePixels) + "-" +
                                   std::to_string(kTrackFullSearchEvery);
  for (size_t i = 0; i < set.photos.size(); ++i) {
    keys[i] = cache_key(set.photos[i].path, 0, opt.embedder) + tracking_tag;
    runs[static_cast<size_t>(set.photos[i].identity)].push_back(i);
  }
  std::vector<size_t> to_embed;  // identities
  for (size_t id = 0; id < runs.size(); ++id) {
    std::sort(runs[id].begin(), runs[id].end(),
              [&](size_t a, size_t b) { return natural_less(set.photos[a].path, set.photos[b].path); });
    bool all = !runs[id].empty();
    for (size_t i : runs[id]) all = all && cache.count(keys[i]);
    if (!all) {
      to_embed.push_back(id);
      continue;
    }
    for (size_t i : runs[id]) {
      const ViewsEntry& e = cache[keys[i]];
      set.photos[i].verdict = e.verdict;
      if (!e.views.empty()) set.photos[i].embedding = e.views[0];
      ++set.cache_hits;
    }
  }
  auto t0 = std::chrono::steady_clock::now();
  if (!to_embed.empty()) {
    on_threads(to_embed.size(), opt, [&](FaceEngine& engine, size_t n) {
      FaceTrack track;
      for (size_t i : runs[to_embed[n]]) {
        EmbeddedPhoto& p = set.photos[i];
        try {
          Image img = load_image_file(p.path);
          FrameAnalysis a = engine.analyze(img, opt.quality, 0, nullptr, &track);
          p.verdict = a.verdict;
          if (a.verdict == FrameVerdict::ok) p.embedding = a.embedding;
        } catch (const DecodeError&) {
          p.verdict = FrameVerdict::no_face;
          track = FaceTrack{};
        }
      }
    });
    if (!opt.cache_path.empty()) {
      std::vector<size_t> embedded;
      for (size_t id : to_embed) embedded.insert(embedded.end(), runs[id].begin(), runs[id].end());
      append_to_cache(opt.cache_path, set, embedded, keys);
    }
  }
  set.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return set;
}

PairDistances pair_distances(const EmbeddedSet& set) {
  PairDistances d;
  const auto& ph = set.photos;
  for (size_t i = 0; i < ph.size(); ++i) {
    if (ph[i].verdict != FrameVerdict::ok) continue;
    for (size_t j = i + 1; j < ph.size(); ++j) {
      if (ph[j].verdict != FrameVerdict::ok) continue;
      float dist = distance(ph[i].embedding, ph[j].embedding);
      (ph[i].identity == ph[j].identity ? d.genuine : d.impostor).push_back(dist);
    }
  }
  std::sort(d.genuine.begin(), d.genuine.end());
  std::sort(d.impostor.begin(), d.impostor.end());
  return d;
}

RatePoint rate_at(const PairDistances& d, double threshold) {
  RatePoint r;
  r.threshold = threshold;
  auto below = [threshold](const std::vector<float>& v) {
    return static_cast<size_t>(std::lower_bound(v.begin(), v.end(), static_cast<float>(threshold)) -
                               v.begin());
  };
  r.false_accepts = below(d.impostor);
  r.false_rejects = d.genuine.size() - below(d.genuine);
  r.far = d.impostor.empty() ? 0 : static_cast<double>(r.false_accepts) / d.impostor.size();
  r.frr = d.genuine.empty() ? 0 : static_cast<double>(r.false_rejects) / d.genuine.size();
  return r;
}

std::vector<RatePoint> rate_table(const PairDistances& d, double from, double to, double step) {
  std::vector<RatePoint> t;
  for (int i = 0; from + i * step <= to + 1e-9; ++i)
    t.push_back(rate_at(d, std::round((from + i * step) * 1000) / 1000));
  return t;
}

double choose_threshold(const PairDistances& d, double max_far) {
  double best = 0;
  for (int i = 1; i <= 300; ++i) {
    double t = i * 0.005;
    if (rate_at(d, t).far <= max_far)
      best = t;
    else
      break;
  }
  return best;
}

RatePoint best_at_far(const PairDistances& d, double max_far) {
  const size_t allowed =
      static_cast<size_t>(std::floor(max_far * static_cast<double>(d.impostor.size()) + 1e-9));
  double t = allowed < d.impostor.size() ? d.impostor[allowed] : 2.0;
  // Ties at t: step down until no more than `allowed` impostors lie under it.
  RatePoint r = rate_at(d, t);
  while (r.false_accepts > allowed && t > 0) r = rate_at(d, t = std::nextafter(static_cast<float>(t), 0.0f));
  return r;
}

Distribution describe(const std::vector<float>& v) {
  Distribution s;
  s.n = v.size();
  if (v.empty()) return s;
  auto q = [&](double p) { return static_cast<double>(v[static_cast<size_t>(p * (v.size() - 1) + 0.5)]); };
  s.min = v.front();
  s.p05 = q(0.05);
  s.median = q(0.5);
  s.p95 = q(0.95);
  s.max = v.back();
  return s;
}

}  // namespace faceauth

// ---- The login protocol ---------------------------------------------------
namespace faceauth {

namespace {

Embedding view_mean(const EmbeddedPhoto& p, int n) {
  if (n < 1 || static_cast<size_t>(n) > p.views.size())
    throw std::invalid_argument("a variant needs " + std::to_string(n) + " views per photo but the set has " +
                                std::to_string(p.views.size()) + " (embed with more jittered views)");
  if (n == 1) return p.views[0];
  return mean_embedding(std::vector<Embedding>(p.views.begin(), p.views.begin() + n));
}

// Usable photo indices per person, in name order.
std::vector<std::vector<size_t>> usable_by_person(const EmbeddedSet& set) {
  std::vector<std::vector<size_t>> by(set.names.size());
  for (size_t i = 0; i < set.photos.size(); ++i)
    if (set.photos[i].verdict == FrameVerdict::ok)
      by[static_cast<size_t>(set.photos[i].identity)].push_back(i);
  return by;
}

std::vector<size_t> enrollment_of(const std::vector<size_t>& usable, int enroll_photos, int fold) {
  const size_t e = static_cast<size_t>(enroll_photos);
  if (fold == 0) return {usable.begin(), usable.begin() + static_cast<std::ptrdiff_t>(e)};
  return {usable.end() - static_cast<std::ptrdiff_t>(e), usable.end()};
}

}  // namespace

LoginVariant parse_variant(const std::string& spec) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : spec) {
    if (c == ':')
      parts.push_back(cur), cur.clear();
    else
      cur += c;
  }
  parts.push_back(cur);
  auto bad = [&](const std::string& why) {
    return std::invalid_argument("variant '" + spec + "': " + why +
                                 " (FUSION:E:A[:OUTLIER], e.g. mean:11:3)");
  };
  if (parts.size() < 3 || parts.size() > 4) throw bad("needs three or four fields");
  LoginVariant v;
  if (parts[0] == "mean")
    v.fusion = TemplateFusion::mean;
  else if (parts[0] == "min")
    v.fusion = TemplateFusion::min;
  else
    throw bad("FUSION is mean or min");
  try {
    size_t used = 0;
    v.enroll_views = std::stoi(parts[1], &used);
    if (used != parts[1].size() || v.enroll_views < 1) throw bad("E is a whole number >= 1");
    v.attempt_views = std::stoi(parts[2], &used);
    if (used < parts[2].size() && parts[2][used] == 'x') {
      size_t used_w = 0;
      v.attempt_windows = std::stoi(parts[2].substr(used + 1), &used_w);
      used += 1 + used_w;
      if (v.attempt_windows < 1) throw bad("W is a whole number >= 1");
    }
    if (used != parts[2].size() || v.attempt_views < 1) throw bad("A is a whole number >= 1");
    if (parts.size() == 4) {
      v.policy.outlier_distance = std::stof(parts[3], &used);
      if (used != parts[3].size() || v.policy.outlier_distance <= 0) throw bad("OUTLIER is a distance > 0");
    }
  } catch (const std::logic_error& e) {
    if (dynamic_cast<const std::invalid_argument*>(&e) && std::string(e.what()).rfind("variant", 0) == 0)
      throw;
    throw bad("not a number");
  }
  char name[64];
  std::snprintf(name, sizeof name, "%s e%d a%d", parts[0].c_str(), v.enroll_views, v.attempt_views);
  if (v.attempt_windows > 1)
    std::snprintf(name + std::strlen(name), sizeof name - std::strlen(name), "x%d", v.attempt_windows);
  v.name = name;
  if (parts.size() == 4) v.name += " out" + parts[3];
  return v;
}

LoginScores login_scores(const EmbeddedSet& set, const LoginVariant& v, const LoginOptions& o) {
  if (o.folds < 1 || o.folds > 2) throw std::invalid_argument("folds must be 1 or 2");
  LoginScores s;
  const auto by = usable_by_person(set);
  // attempt_emb[i][w]: the mean of views w .. w + attempt_views - 1 of photo i.
  std::vector<Embedding> enroll_emb(set.photos.size());
  std::vector<std::vector<Embedding>> attempt_emb(set.photos.size());
  const size_t wins = static_cast<size_t>(std::max(1, v.attempt_windows));
  for (size_t i = 0; i < set.photos.size(); ++i) {
    const EmbeddedPhoto& p = set.photos[i];
    if (p.verdict != FrameVerdict::ok) continue;
    enroll_emb[i] = view_mean(p, v.enroll_views);
    if (wins + v.attempt_views - 1 > p.views.size())
      throw std::invalid_argument("variant " + v.name + " needs " +
                                  std::to_string(wins + v.attempt_views - 1) +
                                  " views per photo but the set has " + std::to_string(p.views.size()));
    for (size_t w = 0; w < wins; ++w)
      attempt_emb[i].push_back(attempt_embedding(
          std::vector<Embedding>(p.views.begin() + static_cast<std::ptrdiff_t>(w),
                                 p.views.begin() + static_cast<std::ptrdiff_t>(w) + v.attempt_views)));
  }
  for (size_t person = 0; person < by.size(); ++person) {
    const auto& u = by[person];
    if (u.size() <= static_cast<size_t>(o.enroll_photos)) continue;  // no genuine attempt left
    for (int fold = 0; fold < o.folds; ++fold) {
      auto enrolled = enrollment_of(u, o.enroll_photos, fold);
      std::vector<Embedding> views;
      for (size_t i : enrolled) views.push_back(enroll_emb[i]);
      EnrollmentReport rep = assess_enrollment(views, v.policy);
      ++s.enrollments;
      s.outliers_dropped += views.size() - rep.kept_count;
      s.spread.push_back(rep.spread);
      std::vector<Embedding> kept;
      for (size_t k = 0; k < views.size(); ++k)
        if (rep.kept[k]) kept.push_back(views[k]);
      for (size_t i = 0; i < set.photos.size(); ++i) {
        if (set.photos[i].verdict != FrameVerdict::ok) continue;
        const bool same = static_cast<size_t>(set.photos[i].identity) == person;
        if (same && std::find(enrolled.begin(), enrolled.end(), i) != enrolled.end()) continue;
        float dist = fused_distance(kept, attempt_emb[i][0], v.fusion);
        for (size_t w = 1; w < wins; ++w)
          dist = std::min(dist, fused_distance(kept, attempt_emb[i][w], v.fusion));
        (same ? s.d.genuine : s.d.impostor).push_back(dist);
      }
    }
  }
  std::sort(s.d.genuine.begin(), s.d.genuine.end());
  std::sort(s.d.impostor.begin(), s.d.impostor.end());
  std::sort(s.spread.begin(), s.spread.end());
  return s;
}

ConsistencyFigures consistency_figures(const EmbeddedSet& set, const LoginVariant& v, const LoginOptions& o) {
  ConsistencyFigures f;
  const auto by = usable_by_person(set);
  std::vector<Embedding> emb(set.photos.size());
  for (size_t i = 0; i < set.photos.size(); ++i)
    if (set.photos[i].verdict == FrameVerdict::ok) emb[i] = view_mean(set.photos[i], v.enroll_views);
  const size_t e = static_cast<size_t>(o.enroll_photos);
  for (size_t a = 0; a < by.size(); ++a) {
    if (by[a].size() <= e) continue;
    for (int fold = 0; fold < o.folds; ++fold) {
      std::vector<Embedding> views;
      for (size_t i : enrollment_of(by[a], o.enroll_photos, fold)) views.push_back(emb[i]);
      ++f.genuine;
      if (!assess_enrollment(views, v.policy).consistent) ++f.genuine_refused;
    }
    auto own = enrollment_of(by[a], o.enroll_photos, 0);
    for (size_t b = 0; b < by.size(); ++b) {
      if (b == a || by[b].size() < 2 || e < 3) continue;
      for (size_t m = 1; m <= 2; ++m) {
        std::vector<Embedding> views;
        for (size_t k = 0; k < e - m; ++k) views.push_back(emb[own[k]]);
        for (size_t k = 0; k < m; ++k) views.push_back(emb[by[b][k]]);
        bool refused = !assess_enrollment(views, v.policy).consistent;
        if (m == 1)
          ++f.mixed_1, f.mixed_1_refused += refused;
        else
          ++f.mixed_2, f.mixed_2_refused += refused;
      }
    }
  }
  return f;
}

void write_roc_svg(const std::string& path, const std::string& title,
                   const std::vector<std::pair<std::string, const PairDistances*>>& curves,
                   const std::vector<std::pair<std::string, double>>& marks) {
  const double W = 760, H = 500, L = 70, R = 230, T = 40, B = 60;
  const double pw = W - L - R, ph = H - T - B;
  const double xmin = -6, xmax = -1, ymax = 0.6;  // log10 FAR; FRR share
  auto X = [&](double far) {
    double lx = far <= 0 ? xmin : std::clamp(std::log10(far), xmin, xmax);
    return L + (lx - xmin) / (xmax - xmin) * pw;
  };
  auto Y = [&](double frr) { return T + ph - std::min(frr, ymax) / ymax * ph; };
  static const char* colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
                                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write " + path);
  char buf[512];
  out << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H
      << "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" "
         "fill=\"white\"/>\n";
  out << "<text x=\"" << L << "\" y=\"22\" font-size=\"14\">" << title << "</text>\n";
  for (int e = -6; e <= -1; ++e) {
    double x = X(std::pow(10.0, e));
    std::snprintf(buf, sizeof buf,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                  "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
                  x, T, x, T + ph, x, T + ph + 18,
                  e == -6 ? "\xe2\x89\xa4"
                            "1e-6"
                          : ("1e" + std::to_string(e)).c_str());
    out << buf;
  }
  for (int p = 0; p <= 60; p += 10) {
    double y = Y(p / 100.0);
    std::snprintf(buf, sizeof buf,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                  "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%d %%</text>\n",
                  L, y, L + pw, y, L - 6, y + 4, p);
    out << buf;
  }
  std::snprintf(
      buf, sizeof buf,
      "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"black\"/>\n"
      "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">false-accept rate (impostor attempts accepted, log "
      "scale)</text>\n"
      "<text transform=\"translate(18 %.1f) rotate(-90)\" text-anchor=\"middle\">false-reject rate</text>\n",
      L, T, pw, ph, L + pw / 2, H - 20, T + ph / 2);
  out << buf;
  for (size_t c = 0; c < curves.size(); ++c) {
    const PairDistances& d = *curves[c].second;
    std::string pts;
    for (int i = 0; i <= 400; ++i) {
      RatePoint r = rate_at(d, 0.2 + i * 0.002);
      std::snprintf(buf, sizeof buf, "%.1f,%.1f ", X(r.far), Y(r.frr));
      pts += buf;
    }
    const char* col = colors[c % 10];
    out << "<polyline fill=\"none\" stroke=\"" << col << "\" stroke-width=\"" << (c == 0 ? 2.5 : 1.5)
        << "\" points=\"" << pts << "\"/>\n";
    std::snprintf(
        buf, sizeof buf,
        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%.1f\"/>"
        "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n",
        L + pw + 12, T + 10 + 18.0 * c, L + pw + 36, T + 10 + 18.0 * c, col, c == 0 ? 2.5 : 1.5, L + pw + 42,
        T + 14 + 18.0 * c, curves[c].first.c_str());
    out << buf;
  }
  if (!curves.empty()) {
    for (const auto& [label, t] : marks) {
      RatePoint r = rate_at(*curves[0].second, t);
      std::snprintf(buf, sizeof buf,
                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"black\"/>"
                    "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">%s %.3f</text>\n",
                    X(r.far), Y(r.frr), X(r.far) + 6, Y(r.frr) - 6, label.c_str(), t);
      out << buf;
    }
  }
  out << "</svg>\n";
}

}  // namespace faceauth
