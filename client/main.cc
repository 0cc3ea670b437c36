// faceauthctl: the command line for people and administrators. It speaks
// only D-Bus to faceauthd (dbus/org.faceauth.FaceAuth1.xml). Verbs, --json
// shapes and exit codes: docs/faceauthctl.md and faceauthctl(1).
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <set>

#include "bus.h"
#include "json.h"
#include "text.h"
#include "verbs.h"

using namespace faceauthctl;

namespace {

struct Verb {
  const char* name;
  int (*run)(const Options&);
  const char* usage;    // after "faceauthctl "
  const char* summary;  // translated at print time
  const char* details;  // translated at print time
  std::set<std::string> options;
};

const Verb kVerbs[] = {
    {"enroll",
     verb_enroll,
     "enroll [--user USER] [--label LABEL] [--accept-notice=ID --confirm-age] [--timeout SEC]",
     N_("Enroll a face: privacy notice, separate consent, age confirmation, then capture."),
     N_("Shows the privacy notice in your language and asks for consent (type yes; anything else stops with "
        "nothing stored), then asks whether the person is 14 or older, then captures frames with a progress "
        "bar "
        "and hints. Scripts must pass --accept-notice=ID (the id printed by faceauthctl notice, accepted by "
        "the "
        "person beforehand) and --confirm-age; consent is never implied.\n"
        "  --user USER         enroll another account (needs org.faceauth.manage)\n"
        "  --label LABEL       a name for the template (1-64 characters)\n"
        "  --accept-notice=ID  non-interactive: the notice the person accepted\n"
        "  --confirm-age       non-interactive: the person confirmed being 14 or older\n"
        "  --timeout SEC       how long to wait for the capture (10-3600, default 400)"),
     {"user", "label", "accept-notice", "confirm-age", "timeout", "json"}},
    {"notice",
     verb_notice,
     "notice [--language LANG]",
     N_("Show the privacy notice and its id."),
     N_("Prints the privacy notice in your language (or --language LANG, e.g. zh_CN) and the id that "
        "identifies "
        "its exact text."),
     {"language", "json"}},
    {"list",
     verb_list,
     "list [--user USER]",
     N_("List stored face templates (metadata only)."),
     N_("Shows each template's id, label, creation and expiry time. Templates are numbers derived from the "
        "face, "
        "never images, and never leave the daemon."),
     {"user", "json"}},
    {"remove",
     verb_remove,
     "remove ID | remove --all [--user USER]",
     N_("Securely delete one template or all."),
     N_("Deletes the template ID (see list), or every template with --all. Your own data can always be "
        "deleted "
        "without a password."),
     {"user", "all", "json"}},
    {"consent",
     verb_consent,
     "consent [--withdraw] [--user USER]",
     N_("Show or withdraw consent."),
     N_("Shows the consent records (notice id and hash, when, how). --withdraw withdraws consent and deletes "
        "every template at once."),
     {"user", "withdraw", "json"}},
    {"my-data",
     verb_my_data,
     "my-data [--user USER]",
     N_("Everything stored about you (metadata only)."),
     N_("Templates' metadata, consent records, lockout state, security incidents and audit entries about "
        "you. "
        "--json gives a machine-readable copy."),
     {"user", "json"}},
    {"audit",
     verb_audit,
     "audit [--user USER] [--verify]",
     N_("Show the audit log; --verify checks its hash chain."),
     N_("Shows audit entries about you (root without --user: all entries). --verify checks the hash chain "
        "and "
        "exits with 8 when it is broken."),
     {"user", "verify", "json"}},
    {"unlock",
     verb_unlock,
     "unlock [--user USER]",
     N_("Clear a face verification lockout."),
     N_("Resets the failure counter and lockout after too many failed attempts."),
     {"user", "json"}},
    {"restore",
     verb_restore,
     "restore --user USER",
     N_("Administrators: let face verification work again after a tampering incident."),
     N_("After you reviewed the incident (faceauthctl my-data --user USER, the journal): erases every "
        "template of "
        "USER, none of which can be trusted, and lifts the refusal. The person then enrolls again. Needs "
        "root or "
        "org.faceauth.manage."),
     {"user", "json"}},
    {"exclude",
     verb_exclude,
     "exclude --user USER [--reason TEXT]",
     N_("Administrators: exclude an account from face verification (e.g. a child under 14)."),
     N_("Withdraws USER's consent, erases their templates and refuses enrollment until faceauthctl include. "
        "The "
        "reason (at most 200 bytes) is audited. Needs root or org.faceauth.manage.\n"
        "  --reason TEXT   why, for the audit log"),
     {"user", "reason", "json"}},
    {"include",
     verb_include,
     "include --user USER [--reason TEXT]",
     N_("Administrators: lift an exclusion from face verification."),
     N_("USER may enroll again (with a new consent). Needs root or org.faceauth.manage.\n"
        "  --reason TEXT   why, for the audit log"),
     {"user", "reason", "json"}},
    {"former",
     verb_former,
     "former",
     N_("Administrators: list stored data of former accounts."),
     N_("Every stored row belongs to an account's name and uid. When an account is deleted and its name "
        "given to "
        "a new account (another uid), the old rows are kept apart and never used: the new account sees none "
        "of "
        "them. Lists each such name with its old uid and what is kept. Needs root or org.faceauth.manage."),
     {"json"}},
    {"erase-former",
     verb_erase_former,
     "erase-former --user USER",
     N_("Administrators: erase the stored data of a former account."),
     N_("Erases every template, consent record and incident kept under USER for a former account (see "
        "faceauthctl "
        "former); USER need not exist any more. The account that has the name now keeps its own data. "
        "Audited. "
        "Needs root or org.faceauth.manage."),
     {"user", "json"}},
    {"test",
     verb_test,
     "test [--user USER] [--frames N] [--timeout SEC]",
     N_("Administrators: live per-frame distances and quality reasons; nothing stored."),
     N_("Looks through the camera and shows, per frame, whether it was usable, its distance to the enrolled "
        "templates and why it did not count. Needs root or org.faceauth.manage even for your own face: "
        "distances "
        "would help someone tune a fake face. Nothing is stored and the lockout counter is not touched.\n"
        "  --frames N      examine at most N frames (1-100, default 20)\n"
        "  --timeout SEC   stop after SEC seconds (1-60)"),
     {"user", "frames", "timeout", "json"}},
    {"status",
     verb_status,
     "status [--user USER]",
     N_("Daemon, camera, models, store health and lockout."),
     N_("Shows whether faceauthd runs, its camera, models, store and audit-chain health, the number of "
        "enrolled "
        "users and your (or USER's) lockout state."),
     {"user", "json"}},
    {"cameras",
     verb_cameras,
     "cameras [--config PATH] [DEVICE...]",
     N_("Administrators: list the cameras, their formats and whether they count as infrared."),
     N_("Asks every /dev/video* device (or the DEVICEs named) what it is: its name, USB ID and the formats "
        "it "
        "sends, and whether faceauth counts it as an infrared camera: only when it offers nothing but "
        "greyscale "
        "formats and its USB ID is listed in ir_usb_ids, never by its name. Needs access to the devices "
        "(root or "
        "the group video).\n"
        "  --config PATH   the daemon's configuration (default /etc/faceauth/faceauth.conf)"),
     {"config", "json"}},
    {"impact-assessment",
     verb_impact_assessment,
     "impact-assessment [--output FILE] [--config PATH]",
     N_("Administrators: write the personal information protection impact assessment (Markdown)."),
     N_("Writes a report for PIPL Art. 55-56 / GDPR Art. 35, filled from this machine's real state, and "
        "lists "
        "what the administrator must still decide. Run as root.\n"
        "  --output FILE   write to FILE instead of standard output\n"
        "  --config PATH   the daemon's configuration (default /etc/faceauth/faceauth.conf)"),
     {"output", "config"}},
};

const Verb* find_verb(const std::string& name) {
  for (const auto& v : kVerbs)
    if (name == v.name) return &v;
  return nullptr;
}

void print_usage(std::ostream& out) {
  out << _("Usage: faceauthctl [--json] [--no-ask-password] VERB [OPTIONS]") << "\n\n"
      << _("Face verification for logins on this computer. Your password always works.") << "\n\n"
      << _("Verbs:") << "\n";
  for (const auto& v : kVerbs) out << "  " << pad(v.name, 19) << _(v.summary) << "\n";
  out << "\n"
      << _("Options for every verb:") << "\n"
      << "  --json             " << _("machine-readable output on standard output (shapes: faceauthctl(1))")
      << "\n"
      << "  --no-ask-password  " << _("do not start a polkit agent to ask for a password") << "\n"
      << "  -h, --help         " << _("help (faceauthctl VERB --help for one verb)") << "\n"
      << "  --version          " << _("the version") << "\n\n"
      << _("Exit codes: 0 ok, 1 failed, 2 usage, 3 daemon not running, 4 permission denied, 5 not found or "
           "not "
           "enrolled, 6 no consent or excluded, 7 camera busy or unavailable, 8 store or audit chain "
           "damaged, "
           "9 enrollment incomplete or test without a match.")
      << "\n";
}

void print_verb_help(const Verb& v) {
  std::cout << _("Usage:") << " faceauthctl " << v.usage << "\n\n"
            << _(v.summary) << "\n\n"
            << _(v.details) << "\n";
  if (v.options.count("json")) std::cout << "  --json              " << _("machine-readable output") << "\n";
}

unsigned parse_number(const std::string& opt, const std::string& value) {
  if (value.empty() || value.size() > 6 || value.find_first_not_of("0123456789") != std::string::npos)
    throw Error(kUsage, format(_("--%s needs a whole number, not '%s'"), opt.c_str(), value.c_str()));
  return static_cast<unsigned>(std::stoul(value));
}

}  // namespace

int main(int argc, char** argv) {
  init_i18n();
  Options o;
  const Verb* verb = nullptr;
  bool help = false;
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    for (size_t i = 0; i < args.size(); ++i) {
      std::string a = args[i];
      if (a == "-h" || a == "--help") {
        help = true;
        continue;
      }
      if (a == "--version") {
        std::cout << "faceauthctl " << FACEAUTH_VERSION << "\n";
        return kOk;
      }
      if (a == "--") {
        for (++i; i < args.size(); ++i) o.args.push_back(args[i]);
        break;
      }
      if (a.rfind("--", 0) == 0) {
        std::string name = a.substr(2), value;
        bool has_value = false;
        if (auto eq = name.find('='); eq != std::string::npos) {
          value = name.substr(eq + 1);
          name.resize(eq);
          has_value = true;
        }
        static const std::set<std::string> flags = {"json", "no-ask-password", "confirm-age",
                                                    "all",  "withdraw",        "verify"};
        static const std::set<std::string> valued = {"user",     "label",  "accept-notice",
                                                     "language", "output", "config",
                                                     "timeout",  "frames", "reason"};
        if (flags.count(name)) {
          if (has_value) throw Error(kUsage, format(_("--%s takes no value"), name.c_str()));
        } else if (valued.count(name)) {
          if (!has_value) {
            if (i + 1 >= args.size()) throw Error(kUsage, format(_("--%s needs a value"), name.c_str()));
            value = args[++i];
          }
        } else {
          throw Error(kUsage, format(_("unknown option --%s; see faceauthctl --help"), name.c_str()));
        }
        if (name != "json" && name != "no-ask-password") {
          if (!verb)
            throw Error(kUsage, format(_("--%s belongs after a verb; see faceauthctl --help"), name.c_str()));
          if (!verb->options.count(name))
            throw Error(kUsage, format(_("faceauthctl %s has no option --%s; see faceauthctl %s --help"),
                                       verb->name, name.c_str(), verb->name));
        }
        if (name == "json")
          o.json = true;
        else if (name == "no-ask-password")
          o.no_ask_password = true;
        else if (name == "confirm-age")
          o.confirm_age = true;
        else if (name == "all")
          o.all = true;
        else if (name == "withdraw")
          o.withdraw = true;
        else if (name == "verify")
          o.verify = true;
        else if (name == "user") {
          if (value.empty()) throw Error(kUsage, _("--user needs a user name"));
          o.user = value;
          o.user_set = true;
        } else if (name == "label") {
          o.label = value;
          o.label_set = true;
        } else if (name == "accept-notice") {
          if (value.empty())
            throw Error(kUsage, _("--accept-notice needs the notice id (see faceauthctl notice)"));
          o.accept_notice = value;
        } else if (name == "language") {
          o.language = value;
          o.language_set = true;
        } else if (name == "output")
          o.output = value;
        else if (name == "config")
          o.config = value;
        else if (name == "timeout")
          o.timeout = parse_number(name, value);
        else if (name == "frames")
          o.frames = parse_number(name, value);
        else if (name == "reason")
          o.reason = value;
        continue;
      }
      if (a.size() > 1 && a[0] == '-')
        throw Error(kUsage, format(_("unknown option %s; see faceauthctl --help"), a.c_str()));
      if (!verb) {
        if (a == "help") {
          help = true;
          if (i + 1 < args.size()) verb = find_verb(args[++i]);
          if (i < args.size() && !verb)
            throw Error(kUsage, format(_("unknown verb '%s'; see faceauthctl --help"), args[i].c_str()));
          continue;
        }
        verb = find_verb(a);
        if (!verb) throw Error(kUsage, format(_("unknown verb '%s'; see faceauthctl --help"), a.c_str()));
        continue;
      }
      o.args.push_back(a);
    }
    if (help) {
      if (verb)
        print_verb_help(*verb);
      else
        print_usage(std::cout);
      return kOk;
    }
    if (!verb) {
      print_usage(std::cerr);
      return kUsage;
    }
    if (!o.args.empty() && std::string(verb->name) != "remove" && std::string(verb->name) != "cameras")
      throw Error(kUsage, format(_("faceauthctl %s takes no argument '%s'; see faceauthctl %s --help"),
                                 verb->name, o.args[0].c_str(), verb->name));
    if (o.json && !verb->options.count("json"))
      throw Error(kUsage, format(_("faceauthctl %s has no --json output"), verb->name));
    if (o.no_ask_password) disable_polkit_agent();
    int code = verb->run(o);
    stop_polkit_agent();
    return code;
  } catch (const Error& e) {
    stop_polkit_agent();
    std::cerr << "faceauthctl: " << e.what() << "\n";
    return e.code();
  } catch (const std::exception& e) {
    stop_polkit_agent();
    std::cerr << "faceauthctl: " << e.what() << "\n";
    return kFailed;
  }
}
