#include "bus.h"

#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <regex>

#include <systemd/sd-login.h>

#include "text.h"

namespace faceauthctl {

Message& Message::operator=(Message&& o) noexcept {
  if (this != &o) {
    sd_bus_message_unref(m_);
    m_ = o.m_;
    o.m_ = nullptr;
  }
  return *this;
}

uint64_t now_usec() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000u + static_cast<uint64_t>(ts.tv_nsec) / 1000u;
}

std::string caller_name() {
  const passwd* pw = getpwuid(getuid());
  return pw ? pw->pw_name : std::to_string(getuid());
}

Bus::Bus() {
  int r = sd_bus_open_system(&bus_);
  if (r < 0)
    throw Error(kNoDaemon, format(_("Cannot connect to the system bus (%s). Is D-Bus running? "
                                    "faceauthctl talks to faceauthd over the system bus."),
                                  std::strerror(-r)));
}

Bus::~Bus() { sd_bus_flush_close_unref(bus_); }

void check(int r, const char* what) {
  if (r < 0)
    throw Error(kFailed, format(_("Unexpected answer from faceauthd (%s: %s). Are faceauthd and faceauthctl "
                                  "the same version?"),
                                what, std::strerror(-r)));
}

Message Bus::new_call(const char* method) {
  sd_bus_message* m = nullptr;
  check(sd_bus_message_new_method_call(bus_, &m, kBusName, kObjectPath, kInterface, method), method);
  Message msg(m);
  // As systemctl does: polkit may ask for a password through an agent.
  check(sd_bus_message_set_allow_interactive_authorization(m, 1), method);
  return msg;
}

Message Bus::call(Message& m, unsigned timeout_seconds) {
  sd_bus_error err = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  const char* member = sd_bus_message_get_member(m.get());
  std::string what = member ? member : "call";
  int r = sd_bus_call(bus_, m.get(), static_cast<uint64_t>(timeout_seconds) * 1000000u, &err, &reply);
  if (r < 0) {
    try {
      throw_bus_error(&err, r, what);
    } catch (...) {
      sd_bus_error_free(&err);
      throw;
    }
  }
  sd_bus_error_free(&err);
  return Message(reply);
}

bool Bus::run_until(const std::function<bool()>& done, uint64_t deadline) {
  while (!done()) {
    int r = sd_bus_process(bus_, nullptr);
    if (r < 0)
      throw Error(kNoDaemon, format(_("Lost the connection to the system bus (%s)."), std::strerror(-r)));
    if (r > 0) continue;
    if (done()) break;
    uint64_t now = now_usec();
    if (now >= deadline) return false;
    r = sd_bus_wait(bus_, deadline - now);
    if (r < 0 && r != -EINTR)
      throw Error(kNoDaemon, format(_("Lost the connection to the system bus (%s)."), std::strerror(-r)));
  }
  return true;
}

std::string read_string(sd_bus_message* m) {
  const char* s = nullptr;
  check(sd_bus_message_read(m, "s", &s), "s");
  return s ? s : "";
}

void throw_bus_error(const sd_bus_error* err, int r, const std::string& what) {
  const std::string name = err && err->name ? err->name : "";
  const std::string message = err && err->message ? err->message : std::strerror(-r);
  auto is = [&](const char* error) { return name == error; };

  if (name.empty() || name == "org.freedesktop.DBus.Error.ServiceUnknown" ||
      name == "org.freedesktop.DBus.Error.NameHasNoOwner" ||
      name.rfind("org.freedesktop.DBus.Error.Spawn", 0) == 0 ||
      name == "org.freedesktop.DBus.Error.Disconnected") {
    if (name.empty() && (r == -ETIMEDOUT))
      throw Error(kFailed,
                  format(_("faceauthd did not answer %s in time. Check it with: systemctl status faceauthd"),
                         what.c_str()));
    throw Error(kNoDaemon,
                format(_("faceauthd is not running (%s). Start it as root with: systemctl start faceauthd; "
                         "its log: journalctl -u faceauthd"),
                       message.c_str()));
  }
  if (name == "org.freedesktop.DBus.Error.NoReply" || name == "org.freedesktop.DBus.Error.Timeout" ||
      name == "org.freedesktop.DBus.Error.TimedOut")
    throw Error(kFailed,
                format(_("faceauthd did not answer %s in time. Check it with: systemctl status faceauthd"),
                       what.c_str()));
  if (is(FACEAUTH_ERROR_PERMISSION_DENIED) || name == "org.freedesktop.DBus.Error.AccessDenied" ||
      name == "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired") {
    static const std::regex action_re("org\\.faceauth\\.[a-z-]+");
    std::smatch mt;
    std::string action = std::regex_search(message, mt, action_re) ? mt.str() : "";
    std::string text = format(_("Permission denied: %s"), message.c_str());
    if (!action.empty())
      text += "\n" +
              format(_("This needs the polkit action %s. Run faceauthctl from a terminal so polkit can ask "
                       "for a password, ask an administrator, or run it as root (sudo faceauthctl ...)."),
                     action.c_str());
    throw Error(kPermission, text);
  }
  if (is(FACEAUTH_ERROR_INVALID_ARGUMENT))
    throw Error(kUsage, format(_("Invalid argument: %s"), message.c_str()));
  if (is(FACEAUTH_ERROR_NOT_FOUND))
    throw Error(kNotFound,
                format(_("Not found: %s. See what is stored with: faceauthctl list"), message.c_str()));
  if (is(FACEAUTH_ERROR_CONSENT_REQUIRED))
    throw Error(kNoConsent, format(_("Consent required: %s"), message.c_str()));
  if (is(FACEAUTH_ERROR_EXCLUDED))
    throw Error(kNoConsent, format(_("%s. Face verification is not available for this account; the password "
                                     "keeps working."),
                                   message.c_str()));
  if (is(FACEAUTH_ERROR_BUSY))
    throw Error(kCamera, format(_("The camera is busy: %s. Try again in a moment."), message.c_str()));
  if (is(FACEAUTH_ERROR_STORE_CORRUPTED))
    throw Error(kIntegrity, format(_("The template store failed a check: %s. See faceauthctl status and "
                                     "journalctl -u faceauthd; passwords keep working."),
                                   message.c_str()));
  throw Error(kFailed, format(_("%s failed: %s (%s). Details may be in: journalctl -u faceauthd"),
                              what.c_str(), message.c_str(), name.c_str()));
}

// ---- polkit agent ----------------------------------------------------------

namespace {
pid_t agent_pid = 0;
bool agent_enabled = true;
}  // namespace

void disable_polkit_agent() { agent_enabled = false; }

void start_polkit_agent() {
  if (agent_pid > 0 || getuid() == 0 || !isatty(STDIN_FILENO)) return;
  if (!agent_enabled) return;
  if (access("/usr/bin/pkttyagent", X_OK) != 0) return;
  // --fallback lets a desktop session's own agent go first; polkitd uses a
  // fallback agent only for a subject it finds in a login session, so outside
  // one (no logind: a container, a console without pam_systemd) the agent
  // must register as the process's own or polkit never asks it.
  char* session = nullptr;
  bool in_session = sd_pid_get_session(0, &session) >= 0;
  free(session);
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0) return;
  pid_t pid = fork();
  if (pid < 0) {
    close(pipefd[0]);
    close(pipefd[1]);
    return;
  }
  if (pid == 0) {
    // The child: pkttyagent closes the notify fd once it is registered.
    close(pipefd[0]);
    int fd = fcntl(pipefd[1], F_DUPFD, 3);  // without O_CLOEXEC
    std::string notify = std::to_string(fd);
    std::string process = std::to_string(getppid());
    // stdout goes to the terminal only; keep --json output clean.
    int tty = open("/dev/tty", O_WRONLY | O_CLOEXEC);
    if (tty >= 0) dup2(tty, STDOUT_FILENO);
    // Outside a session the list ends after the process id.
    const char* fallback = in_session ? "--fallback" : nullptr;
    execl("/usr/bin/pkttyagent", "pkttyagent", "--notify-fd", notify.c_str(), "--process", process.c_str(),
          fallback, static_cast<char*>(nullptr));
    _exit(127);
  }
  close(pipefd[1]);
  agent_pid = pid;
  // Wait (at most 5 s) until the agent is registered or gone.
  pollfd p{pipefd[0], POLLIN, 0};
  uint64_t deadline = now_usec() + 5000000u;
  for (;;) {
    uint64_t now = now_usec();
    if (now >= deadline) break;
    int r = poll(&p, 1, static_cast<int>((deadline - now) / 1000u) + 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    char c;
    ssize_t n = read(pipefd[0], &c, 1);
    if (n <= 0) break;  // closed: ready (or exited)
  }
  close(pipefd[0]);
}

void stop_polkit_agent() {
  if (agent_pid <= 0) return;
  kill(agent_pid, SIGTERM);
  int status = 0;
  while (waitpid(agent_pid, &status, 0) < 0 && errno == EINTR) {
  }
  agent_pid = 0;
}

}  // namespace faceauthctl
