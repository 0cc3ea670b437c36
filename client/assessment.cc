// impact-assessment: a Markdown report for the personal-information
// protection impact assessment (PIPL Art. 55-56, GDPR Art. 35), filled from
// the machine's real state: the daemon's Status, its notices, every account
// the store knows (through the audit log), the configuration file, the PAM
// configuration and the key file.
#include <dirent.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "bus.h"
#include "config.h"
#include "daemon_api.h"
#include "json.h"
#include "operating_point.h"
#include "text.h"
#include "verbs.h"

namespace faceauthctl {

namespace {

// The measured operating points of the configured embedder, from
// operating_point.h (the thresholds the daemon uses, with the error rates,
// counts and 95 % bounds measured for them; docs/recognition.md).
std::vector<const faceauth::LevelPoint*> measured_levels(faceauth::EmbedderKind k) {
  const auto& c = faceauth::calibration_of(k);
  return {&c.strict, &c.balanced, &c.convenient};
}

std::string now_text() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M %Z", &tm);
  return buf;
}

std::string host() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "?";
  return buf;
}

std::string file_state(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return format(_("%s does not exist"), path.c_str());
  const passwd* pw = getpwuid(st.st_uid);
  return format(_("%s: mode %04o, owner %s"), path.c_str(), static_cast<unsigned>(st.st_mode & 07777),
                pw ? pw->pw_name : std::to_string(st.st_uid).c_str());
}

// PAM services that mention pam_faceauth, with the line.
std::vector<std::pair<std::string, std::string>> pam_services() {
  std::vector<std::pair<std::string, std::string>> out;
  DIR* d = opendir("/etc/pam.d");
  if (!d) return out;
  std::vector<std::string> names;
  while (dirent* e = readdir(d))
    if (e->d_name[0] != '.') names.push_back(e->d_name);
  closedir(d);
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    std::ifstream in("/etc/pam.d/" + n);
    std::string line;
    while (std::getline(in, line)) {
      size_t s = line.find_first_not_of(" \t");
      if (s == std::string::npos || line[s] == '#') continue;
      if (line.find("pam_faceauth") != std::string::npos) out.emplace_back(n, line.substr(s));
    }
  }
  return out;
}

std::string md_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += ' ';
    else
      out += c;
  }
  return out;
}

}  // namespace

int verb_impact_assessment(const Options& o) {
  if (o.json)
    throw Error(kUsage, _("impact-assessment writes a Markdown report; --json is not available for it"));
  if (getuid() != 0)
    throw Error(kPermission,
                _("impact-assessment reads the records of every account and the key file: run it as "
                  "root (sudo faceauthctl impact-assessment)"));
  const std::string config_path = o.config.empty() ? faceauth::kDefaultConfigPath : o.config;
  const faceauth::Config cfg = daemon_config(o);

  Bus bus;
  auto st = daemon_status(bus);
  // The notices in the shipped languages.
  std::vector<std::pair<std::string, std::string>> notices;  // language -> id
  for (const char* lang : {"", "zh_CN"}) {
    std::string id = DaemonApi(bus).get_notice(lang).id;
    bool seen = false;
    for (const auto& n : notices) seen = seen || n.second == id;
    if (!seen) notices.emplace_back(*lang ? lang : _("default"), id);
  }
  // Every account the store has a record of appears in the audit log.
  std::set<std::string> users;
  size_t audit_entries = 0;
  for (const AuditRow& e : DaemonApi(bus).get_audit_log("")) {
    ++audit_entries;
    if (!e.user.empty()) users.insert(e.user);
  }
  size_t enrolled = 0, consenting = 0, templates = 0, refused = 0, locked = 0, gone = 0;
  std::vector<std::string> excluded;
  for (const auto& u : users) {
    Json j;
    try {
      j = Json::parse(DaemonApi(bus).export_personal_data(u));
    } catch (const Error& e) {
      if (e.code() != kUsage) throw;  // the account no longer exists
      ++gone;
      continue;
    }
    size_t n = j["templates"].items().size();
    templates += n;
    if (n) ++enrolled;
    for (const auto& c : j["consent"].items())
      if (c["withdrawn_at"].is_null()) {
        ++consenting;
        break;
      }
    if (j["excluded"].boolean()) excluded.push_back(u);
    if (j["face_auth_refused"].boolean()) ++refused;
    if (j["lockout"]["locked"].boolean()) ++locked;
  }

  const std::string level = faceauth::to_string(cfg.security_level);
  double threshold = cfg.threshold ? *cfg.threshold : 0;
  for (const auto* p : measured_levels(cfg.embedder))
    if (!cfg.threshold && level == p->level) threshold = p->threshold;
  const auto pam = pam_services();
  const std::string key_file = cfg.state_dir + "/store.key";
  const std::string db_file = cfg.state_dir + "/store.db";
  const std::string chain = st["audit_chain"].str("?"), store = st["store"].str("?");

  std::ostringstream md;
  md << "# " << _("Personal information protection impact assessment: face verification (faceauth)")
     << "\n\n";
  md << format(_("Generated by faceauthctl impact-assessment on %s at %s from the machine's current state "
                 "(faceauthd %s, configuration %s). PIPL Art. 55-56 require this assessment before sensitive "
                 "personal information such as face data is processed, and a record of it kept for at least "
                 "three "
                 "years; GDPR Art. 35 asks for a data protection impact assessment for biometric data."),
               host().c_str(), now_text().c_str(), st["version"].str("?").c_str(), config_path.c_str())
     << "\n\n";

  md << "## 1. " << _("Processing and purpose") << "\n\n";
  md << "- "
     << _("Processing: 1:1 face verification of a person against their own enrollment when they log in, "
          "unlock the screen or use sudo on this computer. No identification (1:N) and no age, gender, "
          "emotion or other face analysis exist in the software.")
     << "\n";
  md << "- " << _("Purpose: authentication on this computer only, as a convenience beside the password.")
     << "\n";
  md << "- "
     << _("Legal basis: separate, explicit consent of each person (PIPL Art. 29, GDPR Art. 9(2)(a)), "
          "recorded with the exact notice text's hash.")
     << "\n";
  md << "- " << _("Privacy notices in use:");
  for (const auto& [lang, id] : notices) md << " " << lang << " `" << id << "`";
  md << " (" << format(_("notice file %s; built-in texts when it is absent"), cfg.notice_path.c_str())
     << ")\n\n";

  md << "## 2. " << _("Data stored and where") << "\n\n";
  md << "- "
     << _("Stored: numeric face templates (512 numbers per template with the default face model, 128 with "
          "dlib-resnet; the mean of several frames), their "
          "labels and dates, consent records, lockout counters, incidents and a hash-chained audit log. No "
          "images: frames live in memory for milliseconds and are wiped.")
     << "\n";
  md << "- "
     << format(_("Where: the SQLite database %s (state directory %s), on this computer only; the daemon "
                 "runs without network access (PrivateNetwork=yes) and no interface exports templates."),
               db_file.c_str(), cfg.state_dir.c_str())
     << "\n";
  md << "- " << format(_("Store health now: %s."), store.c_str()) << "\n";
  md << "- " << format(_("Camera (frame source): %s."), cfg.camera.c_str()) << "\n\n";

  md << "## 3. " << _("Encryption and key handling") << "\n\n";
  md << "- "
     << _("Each template is encrypted with XChaCha20-Poly1305 (libsodium); the user name and template id are "
          "associated data, so rows cannot be moved between people. Keys and decrypted templates are kept in "
          "locked memory and wiped.")
     << "\n";
  md << "- "
     << format(_("Key: the systemd credential faceauth-store-key when the service provides one, otherwise "
                 "the key file. Key file now: %s."),
               file_state(key_file).c_str())
     << "\n";
  md << "- " << format(_("Database file now: %s."), file_state(db_file).c_str()) << "\n\n";

  md << "## 4. " << _("Retention") << "\n\n";
  md << "- "
     << format(_("Templates expire %d days after enrollment and are then securely deleted "
                 "(SQLite secure_delete); withdrawal of consent or removal deletes them at once."),
               cfg.retention_days)
     << "\n\n";

  md << "## 5. " << _("Accuracy: threshold and measured error rates") << "\n\n";
  md << "- "
     << format(_("Face model (embedder) %s; security level %s, distance threshold %.3f%s; a match needs %d "
                 "of at most %d usable frames under the threshold; %d failures in a row lock face "
                 "verification for %d seconds."),
               faceauth::embedder_name(cfg.embedder), level.c_str(), threshold,
               cfg.threshold ? _(" (set by hand)") : "", cfg.frames_needed, cfg.frames_window,
               cfg.lockout_attempts, cfg.lockout_seconds)
     << "\n\n";
  md << "| " << _("level") << " | " << _("threshold") << " | " << _("false accepts (FAR), 95 % bound")
     << " | " << _("worst population, own people") << " | " << _("false rejects (FRR), 95 % bound")
     << " |\n|---|---|---|---|---|\n";
  bool measured = false;
  for (const auto* p : measured_levels(cfg.embedder)) {
    bool current = !cfg.threshold && level == p->level;
    measured = measured || current;
    md << "| " << p->level << (current ? " **(" + std::string(_("in use")) + ")**" : "") << " | "
       << format("%.3f", p->threshold) << " | "
       << format("%.1e (%ld / %ld, <= %.1e)", p->far.rate(), p->far.errors, p->far.trials, p->far.upper95)
       << " | "
       << format("%s %.1e (%ld / %ld, <= %.1e)", p->worst_set, p->worst_far.rate(), p->worst_far.errors,
                 p->worst_far.trials, p->worst_far.upper95)
       << " | "
       << format("%.1f %% (%ld / %ld, <= %.1f %%)", p->frr.rate() * 100, p->frr.errors, p->frr.trials,
                 p->frr.upper95 * 100)
       << " |\n";
    if (!p->far_shown())
      md << "\n"
         << format(_("Level %s aims at a FAR of at most %g; the measured data cannot show that (a 95 %% "
                     "bound lies "
                     "above it)."),
                   p->level, p->target_far)
         << "\n\n";
  }
  md << "\n"
     << _("Measured with the login protocol over every population (docs/recognition.md): LFW development set "
          "(news photos, mostly Western faces) with about 2 600 further LFW people as impostors, "
          "CASIA-FaceV5 "
          "(East-Asian people) and NUAA webcam frames (East-Asian people); each person enrolled from 5 "
          "frames, "
          "every other person of every set an impostor. Bounds are one-sided 95 % (Clopper-Pearson). The "
          "East-Asian sets hold few people (40 and 12): their figures are thin.")
     << "\n\n";
  md << (cfg.liveness != faceauth::LivenessMode::off
             ? _("Liveness: required. A passive network must find each attempt live; on held-back NUAA "
                 "subjects it "
                 "accepted 0 of 155 printed-photo frames and refused 0 of 112 live ones (docs/liveness.md), "
                 "figures "
                 "that may be optimistic (the vendor's training data is unknown). Screens, video replays and "
                 "masks "
                 "were not measured and may be accepted.")
             : _("Liveness: off. Identity alone decides: a printed photo of an enrolled person is accepted. "
                 "PAM "
                 "services keep the password unless they are configured with require=any."))
     << "\n";
  if (!measured)
    md << "\n"
       << _("The threshold in use was set by hand and has no measured error rates: measure it with "
            "faceauth-calibrate before relying on it.")
       << "\n";
  md << "\n";

  md << "## 6. " << _("People concerned") << "\n\n";
  md << "- "
     << format(_("Accounts enrolled now (Status): %lld; accounts with templates: %zu (%zu templates)."),
               static_cast<long long>(st["enrolled_users"].num()), enrolled, templates)
     << "\n";
  md << "- "
     << format(_("Accounts known to the store (appearing in the audit log): %zu; with active consent: %zu; "
                 "accounts that no longer exist: %zu."),
               users.size(), consenting, gone)
     << "\n";
  md << "- "
     << format(_("Accounts excluded from face verification (for example children under 14): %zu"),
               excluded.size());
  for (size_t i = 0; i < excluded.size(); ++i) md << (i ? ", " : " (") << md_escape(excluded[i]);
  md << (excluded.empty() ? "" : ")") << ".\n";
  md << "- "
     << format(_("Accounts with face verification refused after tampering: %zu; locked out now: %zu."),
               refused, locked)
     << "\n\n";

  md << "## 7. " << _("Alternatives offered") << "\n\n";
  md << "- "
     << _("The password always works: face verification is never the only way in, and declining or "
          "withdrawing consent costs the person nothing.")
     << "\n";
  if (pam.empty()) {
    md << "- "
       << _("PAM: no service in /etc/pam.d uses pam_faceauth yet, so face verification is not used for "
            "any login.")
       << "\n";
  } else {
    md << "- " << _("PAM services using pam_faceauth (check that a password module follows each line):")
       << "\n";
    for (const auto& [svc, line] : pam) md << "  - `" << svc << "`: `" << md_escape(line) << "`\n";
  }
  md << "\n";

  md << "## 8. " << _("Security measures and audit") << "\n\n";
  md << "- " << format(_("Audit log: %zu entries, hash chain %s."), audit_entries, chain.c_str()) << "\n";
  md << "- "
     << _("The daemon runs as its own system user, owns the camera and the store; distances never reach "
          "ordinary callers; every attempt counts towards the lockout; tampering disables face "
          "verification for the person concerned and is shown to them.")
     << "\n";
  md << "- "
     << _("People can see (faceauthctl my-data), delete (faceauthctl remove --all) and withdraw "
          "(faceauthctl consent --withdraw) at any time without an administrator.")
     << "\n\n";

  md << "## 9. " << _("What the administrator must still decide") << "\n\n";
  md << _("This report describes the system; it cannot make these decisions:") << "\n\n";
  for (const char* item : {
           N_("Who is the personal information processor (controller) and how people reach them; name them "
              "in the "
              "privacy notice if the default text is used."),
           N_("Whether face verification is necessary here at all, given that the password alone works (PIPL "
              "Art. 28: "
              "a specific purpose and sufficient necessity)."),
           N_("Whether the remaining risk of presentation attacks (screens, video replays, masks; with "
              "liveness off "
              "also printed photos) is acceptable for each PAM service, especially sudo (PAM option "
              "require=)."),
           N_("Whether the security level and the retention period suit this machine."),
           N_("Which accounts to exclude (children under 14 and anyone who must not be offered face "
              "verification)."),
           N_("How staff are told about the option, so that consent is really voluntary (no pressure from an "
              "employer or school)."),
           N_("Who reviews this assessment, when it is repeated (after any change of purpose, software or "
              "configuration), and where it and the processing records are kept for at least three years."),
       })
    md << "- [ ] " << _(item) << "\n";
  md << "\n## " << _("Sign-off") << "\n\n"
     << _("Assessed by: ____________________  Date: __________  Conclusion: __________________________")
     << "\n";

  if (o.output.empty()) {
    std::cout << md.str();
  } else {
    std::ofstream out(o.output, std::ios::trunc);
    if (!out) throw Error(kFailed, format(_("Cannot write %s."), o.output.c_str()));
    out << md.str();
    out.close();
    if (!out) throw Error(kFailed, format(_("Cannot write %s."), o.output.c_str()));
    chmod(o.output.c_str(), 0640);
    std::cerr << format(_("Wrote the impact assessment to %s."), o.output.c_str()) << "\n";
  }
  return kOk;
}

}  // namespace faceauthctl
