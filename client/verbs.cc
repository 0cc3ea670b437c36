// The reading and managing verbs: notice, list, remove, consent, my-data,
// audit, unlock, test, status.
#include "verbs.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <map>
#include <type_traits>
#include <variant>

#include "bus.h"
#include "config.h"
#include "daemon_api.h"
#include "json.h"
#include "text.h"

namespace faceauthctl {

std::string subject(const Options& o) { return o.user_set && !o.user.empty() ? o.user : caller_name(); }

faceauth::Config daemon_config(const Options& o) {
  try {
    return faceauth::load_config(o.config.empty() ? faceauth::kDefaultConfigPath : o.config,
                                 !o.config.empty());
  } catch (const std::exception& e) {
    throw Error(kUsage, format(_("Cannot read the configuration: %s"), e.what()));
  }
}

void print_json(const Json& j) { std::cout << j.dump() << "\n" << std::flush; }

void say(const Options& o, const std::string& text) {
  (o.json ? std::cerr : std::cout) << text << std::flush;
}

namespace {

// The user argument of a call: --user, or "" (the caller).
std::string user_arg(const Options& o) { return o.user_set ? o.user : ""; }

// "balanced (measured over every population: 12 of 2111765 impostor attempts
// accepted, 95 % bound 9.2e-06; 38 of 1945 genuine attempts refused, ...)".
std::string level_text(std::map<std::string, Json>& st) {
  const std::string level = st["security_level"].str();
  if (!st.count("measured_far") || !st.count("measured_far_counts")) return level;
  auto count = [&](const char* k, size_t i) {
    const auto& items = st[k].items();
    return items.size() == 2 ? static_cast<long long>(items[i].num()) : 0LL;
  };
  std::string s =
      format(_("%s (measured over every population: %lld of %lld impostor attempts accepted, 95 %% "
               "bound %.1e; %lld of %lld genuine attempts refused (%.1f %%, 95 %% bound %.1f %%))"),
             level.c_str(), count("measured_far_counts", 0), count("measured_far_counts", 1),
             st["measured_far_upper95"].real(), count("measured_frr_counts", 0),
             count("measured_frr_counts", 1), 100 * st["measured_frr"].real(),
             100 * st["measured_frr_upper95"].real());
  if (st.count("measured_far_shown") && !st["measured_far_shown"].boolean())
    s +=
        "; " + std::string(_("the East-Asian sets are too small to show this level's FAR target on their own "
                             "(docs/recognition.md)"));
  return s;
}

std::map<std::string, Json> read_status(Bus& bus) {
  std::map<std::string, Json> out;
  for (const auto& [key, value] : DaemonApi(bus).status())
    out[key] = std::visit(
        [](const auto& v) -> Json {
          if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::pair<int64_t, int64_t>>)
            return Json::array().push(Json(v.first)).push(Json(v.second));
          else
            return Json(v);
        },
        value);
  return out;
}

std::string yes_no(bool b) { return b ? _("yes") : _("no"); }

}  // namespace

// Shared with impact-assessment.
std::map<std::string, Json> daemon_status(Bus& bus) { return read_status(bus); }

int verb_notice(const Options& o) {
  Bus bus;
  std::string lang = o.language_set ? o.language : ui_language();
  const NoticeText notice = DaemonApi(bus).get_notice(lang);
  const std::string &id = notice.id, &text = notice.text;
  if (o.json) {
    print_json(Json::object().set("notice_id", id).set("language", lang).set("text", text));
    return kOk;
  }
  std::cout << text;
  if (!text.empty() && text.back() != '\n') std::cout << "\n";
  std::cout << "\n" << format(_("Notice id: %s"), id.c_str()) << "\n";
  return kOk;
}

int verb_list(const Options& o) {
  Bus bus;
  if (o.user_set) start_polkit_agent();
  auto list = DaemonApi(bus).list_templates(user_arg(o));
  const std::string who = subject(o);
  if (o.json) {
    Json arr = Json::array();
    for (const auto& t : list)
      arr.push(Json::object()
                   .set("id", t.id)
                   .set("label", t.label)
                   .set("created", t.created)
                   .set("expires", t.expires)
                   .set("embedder", t.embedder)
                   .set("stale", !t.current));
    print_json(Json::object().set("user", who).set("templates", arr));
    return kOk;
  }
  if (list.empty()) {
    std::cout << format(_("No face templates are stored for %s."), who.c_str()) << "\n";
    return kOk;
  }
  Table t{{_("ID"), _("LABEL"), _("CREATED"), _("EXPIRES"), _("FACE MODEL")}, {}};
  size_t stale = 0;
  for (const auto& x : list) {
    stale += x.current ? 0 : 1;
    t.rows.push_back({std::to_string(x.id), x.label, local_time(static_cast<int64_t>(x.created)),
                      local_time(static_cast<int64_t>(x.expires)),
                      x.current ? x.embedder : format(_("%s (stale: enroll again)"), x.embedder.c_str())});
  }
  std::cout << format(_("Face templates of %s (numbers only, never images):"), who.c_str()) << "\n\n"
            << t.render();
  if (stale)
    std::cout
        << "\n"
        << format(_("%zu template(s) were made by another face model than the one configured and are never "
                    "compared: run `faceauthctl enroll` again, then remove them."),
                  stale)
        << "\n";
  return kOk;
}

int verb_remove(const Options& o) {
  if (o.all == !o.args.empty())
    throw Error(kUsage, _("remove needs a template ID (see faceauthctl list) or --all, not both"));
  int64_t id = 0;
  if (!o.all) {
    if (o.args.size() != 1) throw Error(kUsage, _("remove takes one template ID"));
    const std::string& a = o.args[0];
    if (a.empty() || a.size() > 18 || a.find_first_not_of("0123456789") != std::string::npos ||
        std::stoll(a) <= 0)
      throw Error(kUsage, format(_("'%s' is not a template ID; IDs are the positive numbers shown by "
                                   "faceauthctl list"),
                                 a.c_str()));
    id = std::stoll(a);
  }
  Bus bus;
  if (o.user_set) start_polkit_agent();
  const std::string who = subject(o);
  if (o.all) {
    const uint32_t n = DaemonApi(bus).remove_all(user_arg(o));
    if (o.json) {
      print_json(Json::object().set("user", who).set("removed", n));
    } else {
      std::cout << format(_("Securely deleted %u face template(s) of %s."), n, who.c_str()) << "\n";
    }
    return kOk;
  }
  DaemonApi(bus).remove_template(user_arg(o), id);
  if (o.json) {
    print_json(Json::object().set("user", who).set("removed", 1).set("id", id));
  } else {
    std::cout << format(_("Securely deleted face template %lld of %s."), static_cast<long long>(id),
                        who.c_str())
              << "\n";
  }
  return kOk;
}

int verb_consent(const Options& o) {
  Bus bus;
  if (o.user_set) start_polkit_agent();
  const std::string who = subject(o);
  if (o.withdraw) {
    const uint32_t n = DaemonApi(bus).withdraw_consent(user_arg(o));
    if (o.json) {
      print_json(Json::object().set("user", who).set("withdrawn", true).set("templates_removed", n));
    } else {
      std::cout << format(_("Consent of %s withdrawn; %u face template(s) securely deleted. The password "
                            "keeps working."),
                          who.c_str(), n)
                << "\n";
    }
    return kOk;
  }
  auto list = DaemonApi(bus).get_consent(user_arg(o));
  bool active = false;
  for (const auto& c : list) active = active || c.withdrawn == 0;
  if (o.json) {
    Json arr = Json::array();
    for (const auto& c : list)
      arr.push(Json::object()
                   .set("notice_id", c.notice_id)
                   .set("notice_sha256", c.sha256)
                   .set("given_at", c.given)
                   .set("withdrawn_at", c.withdrawn ? Json(c.withdrawn) : Json())
                   .set("method", c.method));
    print_json(Json::object().set("user", who).set("active", active).set("records", arr));
    return kOk;
  }
  if (list.empty()) {
    std::cout << format(_("%s has never given consent to face verification."), who.c_str()) << "\n";
    return kOk;
  }
  Table t{{_("NOTICE"), _("SHA-256"), _("GIVEN"), _("WITHDRAWN"), _("HOW")}, {}};
  for (const auto& c : list)
    t.rows.push_back({c.notice_id, c.sha256.substr(0, 16), local_time(static_cast<int64_t>(c.given)),
                      c.withdrawn ? local_time(static_cast<int64_t>(c.withdrawn)) : _("active"), c.method});
  std::cout << format(active ? _("Consent of %s: active.") : _("Consent of %s: withdrawn."), who.c_str())
            << "\n\n"
            << t.render();
  if (active)
    std::cout << "\n"
              << _("Withdraw it (this deletes every template) with: faceauthctl consent --withdraw") << "\n";
  return kOk;
}

int verb_my_data(const Options& o) {
  Bus bus;
  if (o.user_set) start_polkit_agent();
  std::string text = DaemonApi(bus).export_personal_data(user_arg(o));
  Json j;
  try {
    j = Json::parse(text);
  } catch (const std::exception& e) {
    throw Error(kFailed, format(_("faceauthd sent personal data that is not valid JSON (%s)."), e.what()));
  }
  if (o.json) {
    print_json(j);
    return kOk;
  }
  const std::string who = j["user"].str(subject(o));
  std::cout << format(_("Everything faceauthd stores about %s (metadata only: templates are numbers derived "
                        "from the face, never images, and never leave the daemon):"),
                      who.c_str())
            << "\n\n";
  std::vector<std::pair<std::string, std::string>> kv = {
      {_("Excluded from face verification"), yes_no(j["excluded"].boolean())},
      {_("Face verification refused after tampering"), yes_no(j["face_auth_refused"].boolean())},
      {_("Failed attempts"), std::to_string(j["lockout"]["failures"].num())},
      {_("Locked out"), yes_no(j["lockout"]["locked"].boolean())},
  };
  std::cout << key_values(kv) << "\n";

  std::cout << _("Templates") << "\n";
  if (j["templates"].items().empty()) {
    std::cout << "  " << _("none") << "\n";
  } else {
    Table t{{_("ID"), _("LABEL"), _("CREATED"), _("EXPIRES")}, {}};
    for (const auto& x : j["templates"].items())
      t.rows.push_back({std::to_string(x["id"].num()), x["label"].str(), local_time(x["created"].num()),
                        local_time(x["expires"].num())});
    std::cout << t.render();
  }
  std::cout << "\n" << _("Consent") << "\n";
  if (j["consent"].items().empty()) {
    std::cout << "  " << _("none") << "\n";
  } else {
    Table t{{_("NOTICE"), _("GIVEN"), _("WITHDRAWN"), _("HOW")}, {}};
    for (const auto& c : j["consent"].items())
      t.rows.push_back({c["notice_id"].str(), local_time(c["given_at"].num()),
                        c["withdrawn_at"].is_null() ? _("active") : local_time(c["withdrawn_at"].num()),
                        c["method"].str()});
    std::cout << t.render();
  }
  std::cout << "\n" << _("Security incidents") << "\n";
  if (j["incidents"].items().empty()) {
    std::cout << "  " << _("none") << "\n";
  } else {
    Table t{{_("TIME"), _("KIND"), _("DETAIL"), _("SHOWN")}, {}};
    for (const auto& i : j["incidents"].items())
      t.rows.push_back({local_time(i["time"].num()), i["kind"].str(), i["detail"].str(),
                        yes_no(i["acknowledged"].boolean())});
    std::cout << t.render();
  }
  std::cout << "\n" << _("Audit log") << "\n";
  if (j["audit"].items().empty()) {
    std::cout << "  " << _("none") << "\n";
  } else {
    Table t{{_("SEQ"), _("TIME"), _("EVENT"), _("ACTOR"), _("DETAIL")}, {}};
    for (const auto& e : j["audit"].items())
      t.rows.push_back({std::to_string(e["seq"].num()), local_time(e["time"].num()), e["event"].str(),
                        e["actor"].str(), e["detail"].str()});
    std::cout << t.render();
  }
  std::cout
      << "\n"
      << _("Delete everything: faceauthctl remove --all; withdraw consent: faceauthctl consent --withdraw; "
           "machine-readable copy: faceauthctl my-data --json")
      << "\n";
  return kOk;
}

int verb_audit(const Options& o) {
  Bus bus;
  if (o.user_set) start_polkit_agent();
  const auto rows = DaemonApi(bus).get_audit_log(user_arg(o));
  Json entries = Json::array();
  Table t{{_("SEQ"), _("TIME"), _("EVENT"), _("USER"), _("ACTOR"), _("DETAIL")}, {}};
  for (const AuditRow& e : rows) {
    entries.push(Json::object()
                     .set("seq", e.seq)
                     .set("time", e.time)
                     .set("event", e.event)
                     .set("user", e.user)
                     .set("actor", e.actor)
                     .set("detail", e.detail));
    t.rows.push_back({std::to_string(e.seq), local_time(static_cast<int64_t>(e.time)), e.event, e.user,
                      e.actor, e.detail});
  }
  Json chain;
  bool intact = true;
  if (o.verify) {
    auto st = read_status(bus);
    std::string c = st["audit_chain"].str(_("unknown"));
    intact = c == "ok";
    chain = Json::object().set("intact", intact).set("status", c);
  }
  const bool all = !o.user_set && getuid() == 0;
  if (o.json) {
    print_json(Json::object()
                   .set("user", all ? Json() : Json(subject(o)))
                   .set("entries", entries)
                   .set("chain", chain));
  } else {
    if (t.rows.empty())
      std::cout << _("No audit entries.") << "\n";
    else
      std::cout << t.render();
    if (o.verify) {
      std::cout << "\n";
      if (intact)
        std::cout << _("Audit chain: intact (every entry's hash links to the one before).") << "\n";
      else
        std::cout << format(_("Audit chain: BROKEN: %s. Entries may have been altered or removed; see "
                              "journalctl -u faceauthd."),
                            chain["status"].str().c_str())
                  << "\n";
    }
  }
  return intact ? kOk : kIntegrity;
}

int verb_unlock(const Options& o) {
  Bus bus;
  start_polkit_agent();  // one's own lockout too: polkit asks for the password (unlock-self)
  DaemonApi(bus).reset_lockout(user_arg(o));
  const std::string who = subject(o);
  if (o.json)
    print_json(Json::object().set("user", who).set("unlocked", true));
  else
    std::cout << format(_("Face verification lockout of %s cleared."), who.c_str()) << "\n";
  return kOk;
}

int verb_restore(const Options& o) {
  if (!o.user_set) throw Error(kUsage, _("restore needs --user USER (an administrator's decision)"));
  Bus bus;
  start_polkit_agent();
  const uint32_t erased = DaemonApi(bus).restore_face_auth(o.user);
  if (o.json)
    print_json(
        Json::object().set("user", o.user).set("restored", true).set("templates_erased", Json(erased)));
  else
    std::cout
        << format(
               _("Face verification of %s works again; %u template(s) erased. The person must enroll again: "
                 "faceauthctl enroll --user %s"),
               o.user.c_str(), erased, o.user.c_str())
        << "\n";
  return kOk;
}

int verb_former(const Options& o) {
  Bus bus;
  start_polkit_agent();
  Json list = Json::array();
  std::string text;
  for (const FormerAccountRow& f : DaemonApi(bus).list_former_accounts()) {
    const char* user = f.user.c_str();
    const int64_t uid = f.uid, uid_now = f.uid_now;
    const uint32_t templates = f.templates, consents = f.consents, incidents = f.incidents;
    list.push(Json::object()
                  .set("user", user)
                  .set("uid", uid < 0 ? Json() : Json(uid))
                  .set("uid_now", uid_now < 0 ? Json() : Json(uid_now))
                  .set("templates", Json(templates))
                  .set("consents", Json(consents))
                  .set("incidents", Json(incidents)));
    const std::string was =
        uid < 0 ? std::string(_("unknown uid")) : format(_("uid %lld"), static_cast<long long>(uid));
    const std::string now =
        uid_now < 0 ? std::string(_("no account has the name now"))
                    : format(_("the name now belongs to uid %lld"), static_cast<long long>(uid_now));
    text += format(_("%s (%s; %s): %u template(s), %u consent record(s), %u incident(s)"), user, was.c_str(),
                   now.c_str(), templates, consents, incidents) +
            "\n";
  }
  if (o.json) {
    print_json(list);
  } else if (text.empty()) {
    std::cout << _("No data of former accounts is stored.") << "\n";
  } else {
    std::cout << text << _("None of this is ever used. Erase it with: faceauthctl erase-former --user USER")
              << "\n";
  }
  return kOk;
}

int verb_erase_former(const Options& o) {
  if (!o.user_set) throw Error(kUsage, _("erase-former needs --user USER (see faceauthctl former)"));
  Bus bus;
  start_polkit_agent();
  const ErasedCounts erased = DaemonApi(bus).erase_former_account(o.user);
  const uint32_t templates = erased.templates, consents = erased.consents, incidents = erased.incidents;
  if (o.json)
    print_json(Json::object()
                   .set("user", o.user)
                   .set("templates_erased", Json(templates))
                   .set("consents_erased", Json(consents))
                   .set("incidents_erased", Json(incidents)));
  else
    std::cout << format(_("Data of the former account %s erased: %u template(s), %u consent record(s), %u "
                          "incident(s). The account that has the name now keeps its own."),
                        o.user.c_str(), templates, consents, incidents)
              << "\n";
  return kOk;
}

namespace {
int set_excluded(const Options& o, bool excluded) {
  if (!o.user_set)
    throw Error(kUsage, excluded ? _("exclude needs --user USER") : _("include needs --user USER"));
  Bus bus;
  start_polkit_agent();
  DaemonApi(bus).set_excluded(o.user, excluded, o.reason);
  if (o.json)
    print_json(Json::object().set("user", o.user).set("excluded", excluded));
  else if (excluded)
    std::cout
        << format(_("%s is excluded from face verification: consent withdrawn, templates erased, enrollment "
                    "refused until faceauthctl include --user %s."),
                  o.user.c_str(), o.user.c_str())
        << "\n";
  else
    std::cout << format(_("%s may enroll for face verification again."), o.user.c_str()) << "\n";
  return kOk;
}
}  // namespace

int verb_exclude(const Options& o) { return set_excluded(o, true); }
int verb_include(const Options& o) { return set_excluded(o, false); }

int verb_test(const Options& o) {
  if (o.timeout && (o.timeout < 1 || o.timeout > 60))
    throw Error(kUsage, _("--timeout must be 1 to 60 seconds"));
  if (o.frames && o.frames > 100) throw Error(kUsage, _("--frames must be 1 to 100"));
  Bus bus;
  start_polkit_agent();
  say(o, std::string(_("Look at the camera. Nothing is stored and this test does not count towards the "
                       "lockout.")) +
             "\n");
  const TestVerifyReply reply = DaemonApi(bus).test_verify(user_arg(o), o.timeout, o.frames);
  const std::string& result = reply.result;
  Json frames = Json::array();
  Table t{{_("FRAME"), _("USABLE"), _("DISTANCE"), _("LIVE"), _("REASON"), _("HINT")}, {}};
  int n = 0;
  for (const TestFrameRow& f : reply.frames) {
    const char *reason = f.reason.c_str(), *hint = f.hint.c_str();
    const int usable = f.usable ? 1 : 0;
    const double distance = f.distance, live = f.live;
    ++n;
    bool has_distance = usable && result != FACEAUTH_RESULT_NOT_ENROLLED;
    frames.push(Json::object()
                    .set("frame", n)
                    .set("usable", usable != 0)
                    .set("distance", has_distance ? Json(distance) : Json())
                    .set("live", usable && live >= 0 ? Json(live) : Json())
                    .set("reason", reason)
                    .set("hint", hint));
    char d[32] = "-", l[32] = "-";
    if (has_distance) std::snprintf(d, sizeof d, "%.3f", distance);
    if (usable && live >= 0) std::snprintf(l, sizeof l, "%.2f", live);
    t.rows.push_back({std::to_string(n), yes_no(usable), d, l, reason, usable ? "" : hint_text(hint)});
  }
  const std::string who = subject(o);
  if (o.json) {
    print_json(Json::object().set("user", who).set("result", result).set("frames", frames));
  } else {
    if (n) std::cout << t.render() << "\n";
    std::cout << format(_("Result for %s: %s"), who.c_str(), result.c_str()) << "\n";
    if (result == FACEAUTH_RESULT_NOT_ENROLLED)
      std::cout
          << format(_("%s is not enrolled: the frames show image quality only. Enroll with: faceauthctl "
                      "enroll --user %s"),
                    who.c_str(), who.c_str())
          << "\n";
    if (result == FACEAUTH_RESULT_SPOOF_SUSPECTED)
      std::cout
          << _("The face matched but did not look live (LIVE column), or with liveness = blink no blink was "
               "seen among these frames: a printed photo or a screen would be refused this way.")
          << "\n";
    if (result == FACEAUTH_RESULT_ENROLL_AGAIN)
      std::cout
          << format(_("The templates of %s were made by another face model than the one configured and are "
                      "never compared: enroll again with: faceauthctl enroll --user %s"),
                    who.c_str(), who.c_str())
          << "\n";
  }
  if (result == FACEAUTH_RESULT_MATCH) return kOk;
  if (result == FACEAUTH_RESULT_NOT_ENROLLED || result == FACEAUTH_RESULT_ENROLL_AGAIN) return kNotFound;
  if (result == FACEAUTH_RESULT_CAMERA_UNAVAILABLE) return kCamera;
  return kNotVerified;
}

int verb_status(const Options& o) {
  std::map<std::string, Json> st;
  const std::string who = subject(o);
  try {
    Bus bus;
    st = read_status(bus);
    Json lock;
    std::string lock_text;
    bool enrolled = false;
    try {
      Json j = Json::parse(DaemonApi(bus).export_personal_data(user_arg(o), 30));
      lock = Json::object()
                 .set("failures", j["lockout"]["failures"].num())
                 .set("locked", j["lockout"]["locked"].boolean());
      enrolled = !j["templates"].items().empty();
      lock_text = format(_("%s: %s, %lld failed attempt(s), %s"), who.c_str(),
                         enrolled ? _("enrolled") : _("not enrolled"),
                         static_cast<long long>(j["lockout"]["failures"].num()),
                         j["lockout"]["locked"].boolean() ? _("LOCKED OUT (clear with faceauthctl unlock)")
                                                          : _("not locked out"));
    } catch (const Error& e) {
      if (e.code() == kNoDaemon) throw;
      lock_text = format(_("%s: not shown (%s)"), who.c_str(), e.what());
    } catch (const std::exception& e) {
      lock_text = format(_("%s: not shown (%s)"), who.c_str(), e.what());
    }
    const std::string store = st["store"].str(), chain = st["audit_chain"].str();
    const int code = store == "ok" && chain == "ok" ? kOk : kIntegrity;
    if (o.json) {
      Json j = Json::object().set("daemon", "running");
      for (const char* k : {"version",
                            "camera",
                            "camera_recorded",
                            "camera_ir",
                            "models",
                            "store",
                            "audit_chain",
                            "security_level",
                            "embedder",
                            "liveness",
                            "measured_far",
                            "measured_far_upper95",
                            "measured_far_counts",
                            "measured_far_shown",
                            "measured_frr",
                            "measured_frr_upper95",
                            "measured_frr_counts",
                            "stale_templates",
                            "enrolled_users",
                            "former_accounts",
                            "busy"})
        j.set(k, st.count(k) ? st[k] : Json());
      j.set("user", who).set("enrolled", lock.is_null() ? Json() : Json(enrolled)).set("lockout", lock);
      print_json(j);
      return code;
    }
    std::vector<std::pair<std::string, std::string>> kv = {
        {_("Daemon"), format(_("running (version %s)"), st["version"].str("?").c_str())},
        {_("Camera"), st.count("camera_recorded") && st["camera_recorded"].boolean()
                          ? format(_("%s (a recording, not a live camera: for demos and tests only)"),
                                   st["camera"].str().c_str())
                          : st["camera"].str()},
        {_("Infrared camera"), st["camera_ir"].str("?")},
        {_("Models"), st["models"].str()},
        {_("Store"), store},
        {_("Audit chain"), chain},
        {_("Face model"), st["embedder"].str("?")},
        {_("Liveness"),
         st["liveness"].str("?") == FACEAUTH_LIVENESS_REQUIRED
             ? std::string(_("required (a passive check refuses printed photos; docs/liveness.md)"))
         : st["liveness"].str("?") == FACEAUTH_LIVENESS_BLINK
             ? std::string(_("blink (the passive check and a blink within each attempt; a video replay "
                             "is not stopped; docs/liveness.md)"))
             : std::string(_("off: a printed photo of an enrolled person is accepted"))},
        {_("Security level"), level_text(st)},
        {_("Enrolled users"), std::to_string(st["enrolled_users"].num())},
        {_("Stale templates"),
         st["stale_templates"].num() > 0
             ? format(_("%lld (made by another face model, never compared: those people must enroll again)"),
                      static_cast<long long>(st["stale_templates"].num()))
             : std::string("0")},
        {_("Former accounts"),
         st["former_accounts"].num() > 0
             ? format(
                   _("%lld (stored data under a name that now belongs to another account or to none; never "
                     "used: see faceauthctl former)"),
                   static_cast<long long>(st["former_accounts"].num()))
             : std::string("0")},
        {_("Camera busy"), yes_no(st["busy"].boolean())},
        {_("Lockout"), lock_text},
    };
    std::cout << key_values(kv);
    if (code != kOk)
      std::cout << "\n"
                << _("The store or the audit chain failed a check. Face verification may be refused; "
                     "passwords keep working. See: journalctl -u faceauthd")
                << "\n";
    return code;
  } catch (const Error& e) {
    if (e.code() != kNoDaemon) throw;
    if (o.json) print_json(Json::object().set("daemon", "not-running").set("error", e.what()));
    throw;
  }
}

}  // namespace faceauthctl
