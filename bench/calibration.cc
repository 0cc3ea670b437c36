#include "calibration.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "decode.h"
#include "models.h"

namespace faceauth {

size_t EmbeddedSet::usable() const {
  return std::count_if(photos.begin(), photos.end(),
                       [](const EmbeddedPhoto& p) { return p.verdict == FrameVerdict::ok; });
}

namespace {

struct CacheEntry {
  FrameVerdict verdict;
  Embedding embedding;
};

std::string cache_key(const std::string& photo, int jitters) {
  return sha256_file(photo) + ":" + std::to_string(jitters) + ":" +
         model(kRecognitionModel).sha256.substr(0, 16);
}

std::map<std::string, CacheEntry> read_cache(const std::string& path) {
  std::map<std::string, CacheEntry> cache;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string key;
    int verdict;
    CacheEntry e;
    if (!(ls >> key >> verdict) || verdict < 0 || verdict > 5) continue;
    e.verdict = static_cast<FrameVerdict>(verdict);
    bool ok = true;
    for (auto& x : e.embedding.v) ok = ok && static_cast<bool>(ls >> x);
    if (ok) cache[key] = e;
  }
  return cache;
}

}  // namespace

EmbeddedSet embed_dataset(const std::vector<Identity>& people, const EmbedOptions& opt) {
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
  std::map<std::string, CacheEntry> cache;
  if (!opt.cache_path.empty()) cache = read_cache(opt.cache_path);
  std::vector<std::string> keys(set.photos.size());
  std::vector<size_t> todo;
  for (size_t i = 0; i < set.photos.size(); ++i) {
    keys[i] = cache_key(set.photos[i].path, opt.jitters);
    auto it = cache.find(keys[i]);
    if (it != cache.end()) {
      set.photos[i].verdict = it->second.verdict;
      set.photos[i].embedding = it->second.embedding;
      ++set.cache_hits;
    } else {
      todo.push_back(i);
    }
  }
  auto t0 = std::chrono::steady_clock::now();
  if (!todo.empty()) {
    std::atomic<size_t> next{0};
    std::mutex err_mu;
    std::string first_error;
    auto work = [&] {
      try {
        FaceEngine engine(opt.model_dir);
        for (size_t k; (k = next++) < todo.size();) {
          EmbeddedPhoto& p = set.photos[todo[k]];
          try {
            Image img = load_image_file(p.path);
            FrameAnalysis a = engine.analyze(img, opt.quality, opt.jitters);
            p.verdict = a.verdict;
            if (a.verdict == FrameVerdict::ok) p.embedding = a.embedding;
          } catch (const DecodeError&) {
            p.verdict = FrameVerdict::no_face;
          }
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(err_mu);
        if (first_error.empty()) first_error = e.what();
        next = todo.size();
      }
    };
    std::vector<std::thread> pool;
    for (int t = 0; t < std::max(1, opt.threads); ++t) pool.emplace_back(work);
    for (auto& t : pool) t.join();
    if (!first_error.empty()) throw std::runtime_error(first_error);
    if (!opt.cache_path.empty()) {
      std::ofstream out(opt.cache_path, std::ios::app);
      out.precision(9);
      for (size_t i : todo) {
        out << keys[i] << ' ' << static_cast<int>(set.photos[i].verdict);
        for (float x : set.photos[i].embedding.v) out << ' ' << x;
        out << '\n';
      }
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
    return static_cast<size_t>(std::lower_bound(v.begin(), v.end(), static_cast<float>(threshold)) - v.begin());
  };
  r.false_accepts = below(d.impostor);
  r.false_rejects = d.genuine.size() - below(d.genuine);
  r.far = d.impostor.empty() ? 0 : static_cast<double>(r.false_accepts) / d.impostor.size();
  r.frr = d.genuine.empty() ? 0 : static_cast<double>(r.false_rejects) / d.genuine.size();
  return r;
}

std::vector<RatePoint> rate_table(const PairDistances& d, double from, double to, double step) {
  std::vector<RatePoint> t;
  for (int i = 0; from + i * step <= to + 1e-9; ++i) t.push_back(rate_at(d, std::round((from + i * step) * 1000) / 1000));
  return t;
}

double choose_threshold(const PairDistances& d, double max_far) {
  double best = 0;
  for (int i = 1; i <= 300; ++i) {
    double t = i * 0.005;
    if (rate_at(d, t).far <= max_far) best = t;
    else break;
  }
  return best;
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
