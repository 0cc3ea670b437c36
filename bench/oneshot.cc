// faceauth-oneshot: one face attempt the way a PAM module that recognises in
// the caller does it (Howdy, and any design without a resident service): a
// fresh process loads the models, opens the camera, decides against the
// templates it reads from a file, prints the answer and exits. It is the
// per-process side of bench/per_process.py (issue #16), not part of faceauth.
//
//   faceauth-oneshot --config FILE --enroll FRAME... --out TEMPLATE   (preparation, not timed)
//   faceauth-oneshot --config FILE --template TEMPLATE [--timeout SECONDS]
//
// --config is the daemon's configuration file: the camera, model directory,
// embedder, liveness mode, threshold (security_level or threshold), k and n
// (frames_needed, frames_window) and quality gates come from it, and the
// frames are processed by the daemon's own CameraWorker (submit_verify /
// submit_enroll), so one attempt does exactly the work faceauthd does, plus
// loading the models. The timeout (default verify_timeout_seconds) counts
// from when the models are loaded, as the camera is opened only then.
//
// --enroll runs the daemon's enrollment (enroll_frames usable frames, their
// mean) on the named image files, in order, and writes the template to
// TEMPLATE, created with mode 0600 (the file must not exist). THE FILE HOLDS A
// BIOMETRIC TEMPLATE: write it under a private temporary directory and delete
// it after the bench. faceauthd never does this: its templates live only
// encrypted in its store (docs/store.md); the file exists because a
// per-process design has nowhere else to keep them.
//
// Prints one line, "JSON: {...}", with the result, the frames examined and
// usable, and the milliseconds spent loading the models and on the attempt;
// never a distance or score. Exit status: 0 match (or enrolled), 1 any other
// answer, 2 usage or file error.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "camera_jobs.h"  // threshold_for, quality_options: as the daemon
#include "camera_worker.h"
#include "config.h"
#include "embedding.h"
#include "operating_point.h"

using namespace faceauth;
using Steady = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

constexpr const char* kMagic = "faceauth-oneshot template v1";

double ms_between(Steady::time_point a, Steady::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// The daemon's worker for this configuration (as Service's constructor
// builds it), on `camera` (the configured one unless enrolling).
std::unique_ptr<CameraWorker> make_worker(const Config& c, const std::string& camera) {
  return std::make_unique<CameraWorker>(camera, c.model_dir, c.embedder, c.liveness != LivenessMode::off,
                                        static_cast<size_t>(c.queue_limit), c.ir_usb_ids,
                                        c.liveness == LivenessMode::blink);
}

// Waits until the worker has loaded its models (or failed to); true when loaded.
bool wait_for_models(const CameraWorker& w, std::string* state) {
  for (;;) {
    *state = w.models_state();
    if (*state != "loading") return *state == "ok";
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
}

void write_template(const std::string& path, const Embedding& e) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
  std::ostringstream out;
  out.precision(9);
  out << kMagic << "\nembedder " << embedder_name(e.kind) << "\n";
  for (size_t i = 0; i < e.size(); ++i) out << (i ? " " : "") << e.v[i];
  out << "\n";
  const std::string text = out.str();
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  if (::close(fd) != 0 || !ok) throw std::runtime_error("cannot write " + path);
}

// Templates made by another embedder than the configured one are left out,
// as the daemon does; none left is an error here.
std::vector<Embedding> read_templates(const std::string& path, EmbedderKind kind) {
  FILE* f = std::fopen(path.c_str(), "re");
  if (!f) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
  std::string text;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
  std::fclose(f);
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != kMagic) throw std::runtime_error(path + " is not a template file");
  std::vector<Embedding> out;
  std::optional<EmbedderKind> current;
  while (std::getline(in, line)) {
    if (line.rfind("embedder ", 0) == 0) {
      current = parse_embedder(line.substr(9));
      if (!current) throw std::runtime_error(path + ": unknown embedder " + line.substr(9));
      continue;
    }
    if (!current) throw std::runtime_error(path + ": values before an embedder line");
    Embedding e(*current);
    std::istringstream values(line);
    size_t i = 0;
    for (float v; values >> v; ++i)
      if (i < e.size()) e.v[i] = v;
    if (i != e.size()) throw std::runtime_error(path + ": a template has the wrong number of values");
    if (*current == kind) out.push_back(e);
  }
  if (out.empty())
    throw std::runtime_error(path + " holds no template of the configured embedder " +
                             std::string(embedder_name(kind)));
  return out;
}

int enroll(const Config& c, const std::vector<std::string>& frames, const std::string& out) {
  // The daemon's enrollment reads the camera; here the camera is a private
  // folder of links to the frames, in the order given (dir: sorts by name).
  char tmpl[] = "/tmp/faceauth-oneshot-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
  const fs::path dir = tmpl;
  EnrollResult r;
  try {
    for (size_t i = 0; i < frames.size(); ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "%04zu", i);
      fs::create_symlink(fs::absolute(frames[i]), dir / (name + fs::path(frames[i]).extension().string()));
    }
    auto worker = make_worker(c, "dir:" + dir.string() + "?loop=1");  // as the e2e harness's camera
    EnrollRequest req;                                                // as CameraJobs::enroll
    req.frames_needed = c.enroll_frames;
    req.timeout = std::chrono::seconds(std::max(30, c.verify_timeout_seconds * 6));
    req.quality = quality_options(c);
    std::promise<EnrollResult> done;
    auto answer = done.get_future();
    if (!worker->submit_enroll(
            req, [](unsigned, unsigned, const std::string&) {},
            [&done](EnrollResult res) { done.set_value(std::move(res)); }))
      throw std::runtime_error("the worker refused the job");
    r = answer.get();
  } catch (...) {
    fs::remove_all(dir);
    throw;
  }
  fs::remove_all(dir);
  if (r.result == "enrolled") write_template(out, r.mean);
  std::printf("JSON: {\"tool\":\"faceauth-oneshot\",\"mode\":\"enroll\",\"result\":\"%s\",\"frames\":%zu}\n",
              r.result.c_str(), frames.size());
  if (r.result != "enrolled") std::fprintf(stderr, "faceauth-oneshot: %s\n", r.message.c_str());
  return r.result == "enrolled" ? 0 : 1;
}

int verify(const Config& c, const std::string& template_path, int timeout_seconds) {
  const auto t0 = Steady::now();
  std::vector<Embedding> templates = read_templates(template_path, c.embedder);
  auto worker = make_worker(c, c.camera);
  std::string state;
  const bool loaded = wait_for_models(*worker, &state);
  const auto t_loaded = Steady::now();
  VerifyResult r;
  if (!loaded) {
    r.result = "camera-unavailable";
    r.error = "face models unavailable: " + state;
  } else {
    VerifyRequest req;  // as CameraJobs::verify
    req.templates = std::move(templates);
    req.threshold = threshold_for(c);
    req.frames_needed = c.frames_needed;
    req.frames_window = c.frames_window;
    req.liveness.required = c.liveness != LivenessMode::off;
    req.liveness.blink = c.liveness == LivenessMode::blink;
    req.deadline = Steady::now() + std::chrono::seconds(timeout_seconds);
    req.priority = true;  // a login
    req.quality = quality_options(c);
    std::promise<VerifyResult> done;
    auto answer = done.get_future();
    if (!worker->submit_verify(std::move(req), [&done](VerifyResult res) { done.set_value(std::move(res)); }))
      throw std::runtime_error("the worker refused the job");
    r = answer.get();
  }
  const auto t_end = Steady::now();
  std::printf(
      "JSON: {\"tool\":\"faceauth-oneshot\",\"mode\":\"verify\",\"result\":\"%s\",\"frames\":%u,"
      "\"usable\":%u,\"models_ms\":%.1f,\"attempt_ms\":%.1f}\n",
      r.result.c_str(), r.frames, r.usable, ms_between(t0, t_loaded), ms_between(t_loaded, t_end));
  std::fflush(stdout);
  if (!r.error.empty()) std::fprintf(stderr, "faceauth-oneshot: %s\n", r.error.c_str());
  return r.result == "match" ? 0 : 1;
}

[[noreturn]] void usage(const char* why) {
  std::fprintf(
      stderr,
      "faceauth-oneshot: %s\nusage: faceauth-oneshot --config FILE --enroll FRAME... --out TEMPLATE\n"
      "       faceauth-oneshot --config FILE --template TEMPLATE [--timeout SECONDS]\n",
      why);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path, template_path, out;
  std::vector<std::string> frames;
  int timeout = 0;
  bool enrolling = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value after " + a).c_str());
      return argv[++i];
    };
    if (a == "--config") {
      config_path = value();
    } else if (a == "--template") {
      template_path = value();
    } else if (a == "--out") {
      out = value();
    } else if (a == "--timeout") {
      timeout = std::atoi(value().c_str());
      if (timeout < 1 || timeout > 60) usage("--timeout must be 1..60 seconds");
    } else if (a == "--enroll") {
      enrolling = true;
      while (i + 1 < argc && std::strncmp(argv[i + 1], "--", 2) != 0) frames.push_back(argv[++i]);
    } else {
      usage(("unknown argument " + a).c_str());
    }
  }
  if (config_path.empty()) usage("--config is required");
  if (enrolling ? (frames.empty() || out.empty() || !template_path.empty()) : template_path.empty())
    usage("give either --enroll FRAME... --out TEMPLATE or --template TEMPLATE");
  try {
    const Config c = load_config(config_path, true);
    if (enrolling) return enroll(c, frames, out);
    return verify(c, template_path, timeout ? timeout : c.verify_timeout_seconds);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "faceauth-oneshot: %s\n", e.what());
    return 2;
  }
}
