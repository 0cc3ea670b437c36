// faceauthctl's verbs. Each returns the exit code (text.h) or throws Error.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace faceauth {
class Json;     // common/json.h, shared with faceauthd
struct Config;  // daemon/config/config.h
}  // namespace faceauth

namespace faceauthctl {

using faceauth::Json;
class Bus;

struct Options {
  bool json = false;
  bool no_ask_password = false;
  bool user_set = false;
  std::string user;   // --user ("" = the caller)
  std::string label;  // enroll --label
  bool label_set = false;
  std::string accept_notice;  // enroll --accept-notice
  bool confirm_age = false;   // enroll --confirm-age
  bool all = false;           // remove --all
  bool withdraw = false;      // consent --withdraw
  bool verify = false;        // audit --verify
  std::string language;       // notice --language
  bool language_set = false;
  std::string output;             // impact-assessment --output
  std::string config;             // impact-assessment --config
  unsigned timeout = 0;           // enroll/test --timeout (seconds; 0 = default)
  unsigned frames = 0;            // test --frames
  std::string reason;             // exclude/include --reason
  std::vector<std::string> args;  // positional arguments after the verb
};

int verb_enroll(const Options& o);
int verb_cameras(const Options& o);
int verb_notice(const Options& o);
int verb_list(const Options& o);
int verb_remove(const Options& o);
int verb_consent(const Options& o);
int verb_my_data(const Options& o);
int verb_audit(const Options& o);
int verb_unlock(const Options& o);
int verb_restore(const Options& o);
int verb_exclude(const Options& o);
int verb_include(const Options& o);
int verb_former(const Options& o);
int verb_erase_former(const Options& o);
int verb_test(const Options& o);
int verb_status(const Options& o);
int verb_impact_assessment(const Options& o);

// Status() as a map (shared by status, audit --verify and impact-assessment).
std::map<std::string, Json> daemon_status(Bus& bus);

// The name the verb is about: --user, or the caller.
std::string subject(const Options& o);
// The daemon's configuration: --config PATH (which must exist), else the
// default file (absent: the defaults). Throws Error(kUsage) naming the problem.
faceauth::Config daemon_config(const Options& o);
// Prints a --json document (stdout, one trailing newline).
void print_json(const Json& j);
// Human text that must not pollute --json output goes to stderr then.
void say(const Options& o, const std::string& text);

}  // namespace faceauthctl
