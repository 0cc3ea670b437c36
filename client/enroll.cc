// enroll: the privacy notice, separate explicit consent, the age question,
// then the capture with a progress bar fed by EnrollProgress signals.
#include <unistd.h>

#include <cstring>
#include <iostream>

#include "bus.h"
#include "daemon_api.h"
#include "json.h"
#include "text.h"
#include "verbs.h"

namespace faceauthctl {

namespace {

struct EnrollState {
  std::string job;     // empty until Enroll answered
  std::string daemon;  // the unique bus name that answered Enroll: only its signals count
  bool finished = false;
  std::string result, message;
  int64_t template_id = 0;
  const Options* opts = nullptr;
  bool bar_drawn = false;
};

// Reads one line from stdin; false at end of input.
bool read_answer(std::string& line) {
  if (!std::getline(std::cin, line)) return false;
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
  size_t start = line.find_first_not_of(" \t");
  line = start == std::string::npos ? "" : line.substr(start);
  return true;
}

bool is_yes(const std::string& answer) {
  // "yes" always works; the translation's own word too (e.g. 是 / 同意).
  return answer == "yes" || answer == _("yes");
}

void draw(EnrollState& s, unsigned captured, unsigned needed, const std::string& hint) {
  std::ostream& out = s.opts->json ? std::cerr : std::cout;
  const bool tty = isatty(s.opts->json ? STDERR_FILENO : STDOUT_FILENO);
  const unsigned width = 20;
  unsigned filled = needed ? std::min(width, captured * width / needed) : 0;
  std::string bar = "[" + std::string(filled, '#') + std::string(width - filled, '-') + "]";
  std::string line = format("%s %u/%u  %s", bar.c_str(), captured, needed, hint_text(hint).c_str());
  if (tty) {
    out << "\r\033[K" << line << std::flush;
    s.bar_drawn = true;
  } else {
    out << line << "\n" << std::flush;
  }
}

bool from_daemon(const EnrollState& s, const std::string& sender) {
  return !sender.empty() && s.daemon == sender;
}

void on_progress(EnrollState& s, const EnrollProgress& p) {
  if (s.job.empty() || s.job != p.job || s.finished || !from_daemon(s, p.sender)) return;
  draw(s, p.captured, p.needed, p.hint);
}

void on_finished(EnrollState& s, const EnrollFinished& f) {
  if (s.job.empty() || s.job != f.job || !from_daemon(s, f.sender)) return;
  s.finished = true;
  s.result = f.result;
  s.message = f.message;
  s.template_id = f.template_id;
}

std::string result_text(const std::string& result) {
  if (result == "enrolled") return _("Enrolled.");
  if (result == FACEAUTH_RESULT_TIMEOUT)
    return _("Enrollment timed out before enough good frames were captured; nothing was stored.");
  if (result == FACEAUTH_RESULT_CANCELLED) return _("Enrollment was cancelled; nothing was stored.");
  if (result == FACEAUTH_RESULT_CAMERA_UNAVAILABLE)
    return _("The camera is not available; nothing was stored.");
  if (result == "inconsistent")
    return _(
        "The captured frames did not all show the same face; nothing was stored. Make sure only you are "
        "in view and try again.");
  return _("Enrollment failed; nothing was stored.");
}

}  // namespace

int verb_enroll(const Options& o) {
  if (o.label_set && (o.label.empty() || o.label.size() > 64))
    throw Error(kUsage, _("--label must be 1 to 64 characters"));
  if (o.timeout && (o.timeout < 10 || o.timeout > 3600))
    throw Error(kUsage, _("--timeout must be 10 to 3600 seconds"));
  const bool scripted = !o.accept_notice.empty();
  if (!scripted && o.confirm_age)
    throw Error(kUsage, _("--confirm-age is only for non-interactive use together with --accept-notice=ID"));
  if (scripted && !o.confirm_age)
    throw Error(kUsage,
                _("non-interactive enrollment needs --confirm-age as well: the person being enrolled must "
                  "have confirmed being 14 or older"));
  const std::string who = subject(o);
  const std::string lang = ui_language();

  Bus bus;
  DaemonApi api(bus);
  const NoticeText notice = api.get_notice(lang);
  const std::string &notice_id = notice.id, &notice_text = notice.text;

  std::string method;
  if (scripted) {
    if (o.accept_notice != notice_id) {
      // The notice is not in the person's language or has changed since it was accepted.
      throw Error(
          kNoConsent,
          format(_("The accepted notice %s is not the current privacy notice %s (language %s). Show the "
                   "person the current text (faceauthctl notice) and pass its id."),
                 o.accept_notice.c_str(), notice_id.c_str(), lang.c_str()));
    }
    method = "faceauthctl --accept-notice (non-interactive, language " + lang + ")";
    say(o,
        format(_("Using the privacy notice %s accepted beforehand by %s."), notice_id.c_str(), who.c_str()) +
            "\n");
  } else {
    // Interactive: the notice, then consent as its own step, then the age.
    std::ostream& out = o.json ? std::cerr : std::cout;
    if (o.user_set && who != caller_name())
      out << format(_("The person being enrolled (%s) must read this notice and answer the questions "
                      "themselves."),
                    who.c_str())
          << "\n\n";
    out << "==================================================================\n" << notice_text;
    if (!notice_text.empty() && notice_text.back() != '\n') out << "\n";
    out << "==================================================================\n"
        << format(_("Notice id: %s"), notice_id.c_str()) << "\n\n"
        << _("Do you consent to the processing of your face data as described above? Consent is separate "
             "and voluntary; declining costs you nothing and your password keeps working.")
        << "\n"
        << _("Type yes to consent; anything else stops here and stores nothing: ") << std::flush;
    std::string answer;
    if (!read_answer(answer) || !is_yes(answer)) {
      out << "\n";
      std::cerr << _("No consent given. Nothing was stored.") << "\n";
      return kNoConsent;
    }
    out << _("Are you 14 years old or older? Type yes or no: ") << std::flush;
    if (!read_answer(answer) || !is_yes(answer)) {
      out << "\n";
      std::cerr
          << _("Face verification is not offered to children under 14. Nothing was stored; the password "
               "keeps working.")
          << "\n";
      return kNoConsent;
    }
    method = "faceauthctl (typed yes, language " + lang + ")";
  }

  EnrollState state;
  state.opts = &o;
  // Subscribe before calling Enroll: the signals are sent to this connection
  // only and may follow the reply at once. The sender is checked against the
  // unique name that answered Enroll (a well-known name cannot be matched
  // locally).
  EnrollSignals signals(
      bus, [&](const EnrollProgress& p) { on_progress(state, p); },
      [&](const EnrollFinished& f) { on_finished(state, f); });

  start_polkit_agent();
  const EnrollStarted started = api.enroll(o.user_set ? o.user : "", notice_id, method, o.label_set, o.label);
  state.job = started.job;
  state.daemon = started.daemon;
  stop_polkit_agent();
  say(o, std::string(
             _("Consent recorded. Look at the camera; frames are analysed in memory and never stored.")) +
             "\n");

  const uint64_t deadline = now_usec() + static_cast<uint64_t>(o.timeout ? o.timeout : 400) * 1000000u;
  bool done = bus.run_until([&] { return state.finished; }, deadline);
  if (state.bar_drawn) (o.json ? std::cerr : std::cout) << "\n";
  if (!done)
    throw Error(kFailed, format(_("No word from faceauthd about the enrollment job %s in time. It may still "
                                  "finish: check with faceauthctl list."),
                                state.job.c_str()));
  const bool ok = state.result == "enrolled";
  if (o.json) {
    print_json(Json::object()
                   .set("user", who)
                   .set("result", state.result)
                   .set("message", state.message)
                   .set("template_id", ok ? Json(state.template_id) : Json())
                   .set("notice_id", notice_id));
  } else {
    std::cout << result_text(state.result) << " (" << state.message << ")\n";
    if (ok)
      std::cout
          << format(_("Template %lld stored for %s. See it with faceauthctl list; delete it any time with "
                      "faceauthctl remove %lld."),
                    static_cast<long long>(state.template_id), who.c_str(),
                    static_cast<long long>(state.template_id))
          << "\n";
  }
  if (ok) return kOk;
  if (state.result == FACEAUTH_RESULT_CAMERA_UNAVAILABLE) return kCamera;
  return kNotVerified;
}

}  // namespace faceauthctl
