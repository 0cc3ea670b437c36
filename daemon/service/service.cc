#include "service.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <cmath>
#include <cstring>
#include <set>

#include "bus_loop.h"
#include "faceauth-dbus.h"
#include "json.h"
#include "log.h"
#include "text_safety.h"
#include "models.h"
#include "operating_point.h"
#include "validate.h"

namespace faceauth {

namespace {
constexpr const char* kPath = FACEAUTH_OBJECT_PATH;
constexpr const char* kInterface = FACEAUTH_INTERFACE;
constexpr const char* kVersion = FACEAUTH_VERSION;  // CMake's project version

const char* kErrPermission = FACEAUTH_ERROR_PERMISSION_DENIED;
const char* kErrInvalid = FACEAUTH_ERROR_INVALID_ARGUMENT;
const char* kErrConsent = FACEAUTH_ERROR_CONSENT_REQUIRED;
const char* kErrExcluded = FACEAUTH_ERROR_EXCLUDED;
const char* kErrBusy = FACEAUTH_ERROR_BUSY;
const char* kErrNotFound = FACEAUTH_ERROR_NOT_FOUND;
const char* kErrStore = FACEAUTH_ERROR_STORE_CORRUPTED;
const char* kErrInternal = FACEAUTH_ERROR_INTERNAL;

int64_t secs(TimePoint t) { return t.time_since_epoch().count(); }

std::string hex(const Sha256& h) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (unsigned char c : h) {
    s += d[c >> 4];
    s += d[c & 15];
  }
  return s;
}

}  // namespace

struct Service::Call {
  sd_bus_message* msg = nullptr;
  uid_t caller = static_cast<uid_t>(-1);
  std::string sender;
  bool replied = false;
  // A breach notice may go to this caller (the person, or a login): see verify().
  bool deliver_notices = false;
  ~Call() { sd_bus_message_unref(msg); }
};

Service::Service(boost::asio::io_context& io, sd_bus* bus, BusLoop& loop, const Config& config, Store& store)
    : io_(io),
      bus_(bus),
      loop_(loop),
      config_(config),
      store_(store),
      notice_(load_notice(config.notice_path, config.retention_days)),
      worker_(config.camera, config.model_dir, config.embedder, config.liveness != LivenessMode::off,
              static_cast<size_t>(config.queue_limit), config.ir_usb_ids,
              config.liveness == LivenessMode::blink),
      jobs_(io, worker_, store, config, threshold_for(config)) {
  if (store_.found_lost())
    log::crit(
        "the template store " + store_.db_path() +
        " was found empty next to its existing key: earlier enrollments, consents and records are lost; "
        "an incident is recorded (Status shows it)");
  int r = sd_bus_add_object_vtable(bus_, &object_slot_, kPath, kInterface, kVtable, this);
  if (r < 0) throw std::runtime_error(std::string("cannot register the D-Bus object: ") + std::strerror(-r));
  // logind's PrepareForSleep: cancel camera jobs and close the camera before suspend.
  sd_bus_match_signal_async(bus_, &sleep_slot_, "org.freedesktop.login1", "/org/freedesktop/login1",
                            "org.freedesktop.login1.Manager", "PrepareForSleep", on_prepare_for_sleep,
                            nullptr, this);
}

Service::~Service() {
  if (audit_walker_.joinable()) audit_walker_.join();
  // Jobs still running at shutdown are cancelled by jobs_ (their callers get
  // no answer; the bus goes away with us), which also ends the watches on
  // their callers.
  sd_bus_slot_unref(sleep_slot_);
  sd_bus_slot_unref(object_slot_);
}

// ---- plumbing ------------------------------------------------------------

template <int (Service::*Method)(Service::CallPtr)>
int Service::dispatch(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* self = static_cast<Service*>(userdata);
  auto c = std::make_shared<Call>();
  c->msg = sd_bus_message_ref(m);
  const char* sender = sd_bus_message_get_sender(m);
  c->sender = sender ? sender : "";
  sd_bus_creds* creds = nullptr;
  // The bus supplies the uid of the sending connection; no /proc look-up.
  if (sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID, &creds) >= 0) {
    uid_t uid;
    if (sd_bus_creds_get_euid(creds, &uid) >= 0) c->caller = uid;
  }
  sd_bus_creds_unref(creds);
  if (c->caller == static_cast<uid_t>(-1)) {
    self->reply_error(c, kErrPermission, "the caller's identity could not be established");
    return 1;
  }
  self->guarded(c, [&] { (self->*Method)(c); });
  return 1;
}

void Service::guarded(CallPtr c, const std::function<void()>& fn) {
  try {
    fn();
  } catch (const InvalidArgument& e) {
    reply_error(c, kErrInvalid, e.what());
  } catch (const BusyError& e) {
    reply_error(c, kErrBusy, e.what());
  } catch (const StoreError& e) {
    using K = StoreError::Kind;
    switch (e.kind()) {
      case K::NotFound: reply_error(c, kErrNotFound, e.what()); break;
      case K::Excluded: reply_error(c, kErrExcluded, e.what()); break;
      case K::ConsentRequired: reply_error(c, kErrConsent, e.what()); break;
      case K::InvalidArgument: reply_error(c, kErrInvalid, e.what()); break;
      default:
        log::crit(std::string("template store problem: ") + e.what(),
                  {"FACEAUTH_STORE_ERROR=" + std::string(to_string(e.kind()))});
        reply_error(c, kErrStore, e.what());
    }
  } catch (const std::exception& e) {
    log::error(std::string("internal error: ") + e.what());
    reply_error(c, kErrInternal,
                std::string("internal error: ") + e.what() + "; see the journal of faceauthd");
  }
}

void Service::reply(CallPtr c, const std::function<void(sd_bus_message*)>& fill) {
  if (c->replied) return;
  sd_bus_message* m = nullptr;
  if (sd_bus_message_new_method_return(c->msg, &m) < 0) return;
  try {
    if (fill) fill(m);
  } catch (...) {
    sd_bus_message_unref(m);
    throw;  // guarded() answers with an error instead
  }
  c->replied = true;
  sd_bus_send(nullptr, m, nullptr);
  sd_bus_message_unref(m);
  loop_.kick();
}

void Service::reply_error(CallPtr c, const char* name, const std::string& message) {
  if (c->replied) return;
  c->replied = true;
  sd_bus_error err = SD_BUS_ERROR_NULL;
  sd_bus_error_set(&err, name, message.c_str());
  sd_bus_reply_method_error(c->msg, &err);
  sd_bus_error_free(&err);
  loop_.kick();
}

std::pair<std::string, uid_t> Service::target_user(CallPtr c) {
  const char* user = nullptr;
  if (sd_bus_message_read(c->msg, "s", &user) < 0)
    throw InvalidArgument("the user argument must be a string");
  std::string name = user;
  if (name.empty()) return {user_name_of(c->caller), c->caller};
  return {name, check_user_name(name)};
}

void Service::authorize(CallPtr c, Op op, uid_t target, std::function<void()> then) {
  Decision d = decide(op, c->caller, target);
  if (d.kind == Decision::allow) {
    then();
    return;
  }
  std::string action = d.action;
  ask_polkit(bus_, c->msg, action, [this, c, then, action](bool allowed, const std::string& why) {
    if (allowed)
      guarded(c, then);
    else
      reply_error(c, kErrPermission, "permission denied: " + why);
  });
  loop_.kick();
}

std::string Service::actor(const CallPtr& c) const { return "uid:" + std::to_string(c->caller); }

std::string Service::pending_incident(const std::string& user) {
  auto list = store_.incidents(user, true);
  if (list.empty()) return "";
  bool templates = false, audit = false;
  for (const auto& i : list) (i.kind == "audit-chain-broken" ? audit : templates) = true;
  // Say what is true of the effect: tampered templates turn face login off for
  // the person; a broken audit chain alone does not.
  std::string text = "Security notice: ";
  if (templates)
    text +=
        "your stored face data was tampered with or damaged. Face login is disabled for you until an "
        "administrator checks it; your password works.";
  if (audit)
    text +=
        std::string(templates ? " Also, the" : "The") +
        " record of what happened to your data (the audit log) was altered. Your face data itself passed its "
        "checks" +
        (templates ? "" : ", so face login still works") + "; an administrator has been alerted.";
  text += " Details: faceauthctl my-data.";
  return text;
}

// ---- camera jobs ---------------------------------------------------------
// CameraJobs (camera_jobs.h) runs camera jobs and decides their answers; the
// worker never sees a call message. Here each caller's connection is tracked
// while its job runs: when it goes away the job is cancelled. The track goes
// when CameraJobs releases the watch (the job ended).

struct Service::CallerWatch {
  sd_bus_track* track = nullptr;
  std::function<void()> gone;
  ~CallerWatch() { sd_bus_track_unref(track); }
};

int Service::on_caller_gone(sd_bus_track*, void* userdata) {
  auto* w = static_cast<CallerWatch*>(userdata);
  if (w->gone) w->gone();
  // An empty track left alive is dispatched again and again: free it here.
  w->track = sd_bus_track_unref(w->track);
  return 0;
}

WatchCaller Service::watch_caller(const CallPtr& c) {
  return [this, c](std::function<void()> gone) -> std::shared_ptr<void> {
    auto w = std::make_shared<CallerWatch>();
    w->gone = std::move(gone);
    if (sd_bus_track_new(bus_, &w->track, on_caller_gone, w.get()) >= 0 &&
        sd_bus_track_add_sender(w->track, c->msg) < 0) {
      w->track = sd_bus_track_unref(w->track);
    }
    return w;
  };
}

std::string Service::enroll_job_path(uint64_t n) { return std::string(kPath) + "/jobs/" + std::to_string(n); }

// ---- methods -------------------------------------------------------------

int Service::verify(CallPtr c) {
  auto [user, uid] = target_user(c);
  Options opts = read_options(c->msg, {{FACEAUTH_OPTION_TIMEOUT, 'u'},
                                       {FACEAUTH_OPTION_REQUIRE, 's'},
                                       {FACEAUTH_OPTION_LOGIN, 'b'}});
  int timeout =
      static_cast<int>(option_u(opts, FACEAUTH_OPTION_TIMEOUT, 1, 60, config_.verify_timeout_seconds));
  // Only root (logins) may ask for more camera time than the configuration
  // gives: a user's own call cannot hold the camera longer.
  if (c->caller != 0) timeout = std::min(timeout, config_.verify_timeout_seconds);
  // What the calling service accepts (the PAM module's require=): "any" (the
  // configuration decides), "liveness" (a liveness check must run), "ir" (an
  // infrared camera must be used: the worker asks the camera, docs/camera.md).
  std::string require = FACEAUTH_REQUIRE_ANY;
  if (auto it = opts.find(FACEAUTH_OPTION_REQUIRE); it != opts.end()) {
    require = std::get<std::string>(it->second);
    if (require != FACEAUTH_REQUIRE_ANY && require != FACEAUTH_REQUIRE_LIVENESS &&
        require != FACEAUTH_REQUIRE_IR)
      throw InvalidArgument("option 'require' must be any, liveness or ir");
  }
  // A breach notice is owed to the person: it is delivered (and marked shown)
  // only to the person's own call or to a login (root with "login": the PAM
  // module), never consumed by an administrator's root Verify.
  bool login = false;
  if (auto it = opts.find(FACEAUTH_OPTION_LOGIN); it != opts.end()) login = std::get<bool>(it->second);
  c->deliver_notices = c->caller == uid || (c->caller == 0 && login);
  authorize(c, Op::verify, uid, [this, c, user = user, timeout, require] {
    VerifyCall call;
    call.user = user;
    call.actor = actor(c);
    call.connection = c->sender;
    call.timeout = std::chrono::seconds(timeout);
    call.require = require == FACEAUTH_REQUIRE_IR         ? Requirement::ir
                   : require == FACEAUTH_REQUIRE_LIVENESS ? Requirement::liveness
                                                          : Requirement::any;
    call.priority = c->caller == 0;
    call.watch = watch_caller(c);
    jobs_.verify(std::move(call), [this, c, user](const VerifyAnswer& a) {
      guarded(c, [&] {
        if (a.failure) std::rethrow_exception(a.failure);
        send_verify_reply(c, user, a);
      });
    });
  });
  return 1;
}

void Service::send_verify_reply(CallPtr c, const std::string& user, const VerifyAnswer& a) {
  const std::string& result = a.result;
  const std::string& hint = a.hint;
  const unsigned frames = a.frames;
  const int64_t locked_until = a.locked_until;
  // A breach notice is owed to the person once: it is marked shown only when
  // this reply goes to a caller still there (a cancelled job's caller hung up
  // or the machine is suspending).
  const bool deliver = c->deliver_notices && result != FACEAUTH_RESULT_CANCELLED && !c->replied;
  std::string incident = deliver ? pending_incident(user) : "";
  reply(c, [&](sd_bus_message* m) {
    sd_bus_message_append(m, "s", result.c_str());
    sd_bus_message_open_container(m, 'a', "{sv}");
    sd_bus_message_append(m, "{sv}", FACEAUTH_DETAIL_FRAMES, "u", frames);
    if (!hint.empty()) sd_bus_message_append(m, "{sv}", FACEAUTH_DETAIL_HINT, "s", hint.c_str());
    if (locked_until)
      sd_bus_message_append(m, "{sv}", FACEAUTH_DETAIL_LOCKED_UNTIL, "t",
                            static_cast<uint64_t>(locked_until));
    if (!incident.empty()) sd_bus_message_append(m, "{sv}", FACEAUTH_DETAIL_INCIDENT, "s", incident.c_str());
    sd_bus_message_close_container(m);
  });
  // Marked shown only once the reply carrying it was sent.
  if (!incident.empty() && c->replied) store_.acknowledge_incidents(user, "faceauthd (shown to the person)");
}

int Service::is_enrolled(CallPtr c) {
  auto [user, uid] = target_user(c);
  authorize(c, Op::is_enrolled, uid, [this, c, user = user] {
    // A waiting breach notice also answers true: the PAM module then calls
    // Verify, which answers "refused" and delivers the notice once.
    bool enrolled = store_.is_enrolled(user) || !store_.incidents(user, true).empty();
    reply(c, [&](sd_bus_message* m) { sd_bus_message_append(m, "b", enrolled ? 1 : 0); });
  });
  return 1;
}

int Service::enroll(CallPtr c) {
  auto [user, uid] = target_user(c);
  const char* notice_id = nullptr;
  if (sd_bus_message_read(c->msg, "s", &notice_id) < 0) throw InvalidArgument("notice_id must be a string");
  Options opts = read_options(c->msg, {{FACEAUTH_OPTION_LABEL, 's'},
                                       {FACEAUTH_OPTION_CONFIRM_AGE, 'b'},
                                       {FACEAUTH_OPTION_METHOD, 's'}});
  std::string label = "face", method = "D-Bus Enroll";
  if (auto it = opts.find("label"); it != opts.end()) label = std::get<std::string>(it->second);
  if (auto it = opts.find("method"); it != opts.end()) method = std::get<std::string>(it->second);
  // Both reach administrators' terminals (list, audit): no control, C1 or
  // bidirectional characters.
  auto check_text = [](const std::string& s, size_t max, const char* what) {
    if (s.empty() || s.size() > max)
      throw InvalidArgument(std::string("option '") + what + "' must be 1 to " + std::to_string(max) +
                            " bytes of printable text");
    if (auto bad = first_unsafe_char(s))
      throw InvalidArgument(std::string("option '") + what + "' contains " + describe_char(*bad) +
                            ", which is not allowed");
  };
  check_text(label, 64, "label");
  check_text(method, 128, "method");
  // Any shipped language variant of the current notice; the consent records
  // that exact text's hash.
  const Notice* accepted = notice_.find(notice_id);
  if (!accepted)
    throw StoreError(
        StoreError::Kind::ConsentRequired,
        "consent is required: show the person the privacy notice from GetNotice (in their language) "
        "and pass its id (" +
            notice_.id + " for the default text) once they have accepted it");
  auto age = opts.find("confirm_age");
  if (age == opts.end() || !std::get<bool>(age->second))
    throw StoreError(
        StoreError::Kind::ConsentRequired,
        "face verification is not offered to children under 14: the person must confirm being 14 or "
        "older (option confirm_age = true)");
  authorize(c, Op::enroll, uid, [this, c, user = user, label, method, accepted] {
    EnrollCall call;
    call.user = user;
    call.actor = actor(c);
    call.notice_id = accepted->id;
    call.notice_text = accepted->text;
    call.method = method;
    call.label = label;
    std::string sender = c->sender;
    auto emit = [this, sender](sd_bus_message* sig) {
      if (!sender.empty()) sd_bus_message_set_destination(sig, sender.c_str());
      sd_bus_send(bus_, sig, nullptr);
      sd_bus_message_unref(sig);
      loop_.kick();
    };
    EnrollEvents events;
    events.progress = [this, emit](uint64_t job, unsigned captured, unsigned needed,
                                   const std::string& hint) {
      sd_bus_message* sig = nullptr;
      if (sd_bus_message_new_signal(bus_, &sig, kPath, kInterface, "EnrollProgress") < 0) return;
      sd_bus_message_append(sig, "ouus", enroll_job_path(job).c_str(), captured, needed, hint.c_str());
      emit(sig);
    };
    events.finished = [this, emit](uint64_t job, const std::string& result, const std::string& message,
                                   int64_t id) {
      sd_bus_message* sig = nullptr;
      if (sd_bus_message_new_signal(bus_, &sig, kPath, kInterface, "EnrollFinished") < 0) return;
      sd_bus_message_append(sig, "ossx", enroll_job_path(job).c_str(), result.c_str(), message.c_str(), id);
      emit(sig);
    };
    const std::string path = enroll_job_path(jobs_.enroll(std::move(call), std::move(events)));
    reply(c, [&](sd_bus_message* m) { sd_bus_message_append(m, "o", path.c_str()); });
  });
  return 1;
}

int Service::list_templates(CallPtr c) {
  auto [user, uid] = target_user(c);
  authorize(c, Op::list, uid, [this, c, user = user] {
    reply(c, [&](sd_bus_message* m) {
      sd_bus_message_open_container(m, 'a', "(xsttsb)");
      const char* current = embedder_name(config_.embedder);
      for (const auto& t : store_.list_templates(user))
        sd_bus_message_append(m, "(xsttsb)", t.id, t.label.c_str(), static_cast<uint64_t>(secs(t.created)),
                              static_cast<uint64_t>(secs(t.expires)), t.embedder.c_str(),
                              t.embedder == current ? 1 : 0);
      sd_bus_message_close_container(m);
    });
  });
  return 1;
}

int Service::remove_template(CallPtr c) {
  auto [user, uid] = target_user(c);
  int64_t id = 0;
  if (sd_bus_message_read(c->msg, "x", &id) < 0) throw InvalidArgument("id must be an int64");
  if (id <= 0) throw InvalidArgument("template ids are positive numbers; see ListTemplates");
  authorize(c, Op::remove, uid, [this, c, user = user, id] {
    charge_self_write(c);
    store_.remove_template(user, id, actor(c));
    reply(c, nullptr);
  });
  return 1;
}

int Service::remove_all(CallPtr c) {
  auto [user, uid] = target_user(c);
  authorize(c, Op::remove_all, uid, [this, c, user = user] {
    charge_self_write(c);
    size_t n = store_.remove_all_templates(user, actor(c));
    if (n == 0) self_writes_.refund(c->caller);
    reply(c, [&](sd_bus_message* m) { sd_bus_message_append(m, "u", static_cast<uint32_t>(n)); });
  });
  return 1;
}

int Service::get_notice(CallPtr c) {
  const char* lang = nullptr;
  if (sd_bus_message_read(c->msg, "s", &lang) < 0) throw InvalidArgument("language must be a string");
  if (std::strlen(lang) > 35) throw InvalidArgument("language must be a locale name such as en or zh_CN");
  const Notice& n = notice_.for_language(lang);
  reply(c, [&](sd_bus_message* m) { sd_bus_message_append(m, "ss", n.id.c_str(), n.text.c_str()); });
  return 1;
}

int Service::get_consent(CallPtr c) {
  auto [user, uid] = target_user(c);
  authorize(c, Op::get_consent, uid, [this, c, user = user] {
    reply(c, [&](sd_bus_message* m) {
      sd_bus_message_open_container(m, 'a', "(sstts)");
      for (const auto& r : store_.consent_history(user))
        sd_bus_message_append(m, "(sstts)", r.notice_id.c_str(), hex(r.notice_sha256).c_str(),
                              static_cast<uint64_t>(secs(r.given_at)),
                              static_cast<uint64_t>(r.withdrawn_at ? secs(*r.withdrawn_at) : 0),
                              r.method.c_str());
      sd_bus_message_close_container(m);
    });
  });
  return 1;
}

int Service::withdraw_consent(CallPtr c) {
  auto [user, uid] = target_user(c);
  authorize(c, Op::withdraw, uid, [this, c, user = user] {
    charge_self_write(c);
    WithdrawResult r = store_.withdraw_consent(user, "D-Bus WithdrawConsent by " + actor(c), actor(c));
    if (!r.consent_withdrawn && r.templates_deleted == 0) self_writes_.refund(c->caller);
    reply(c, [&](sd_bus_message* m) {
      sd_bus_message_append(m, "u", static_cast<uint32_t>(r.templates_deleted));
    });
  });
  return 1;
}

int Service::get_audit_log(CallPtr c) {
  const char* u = nullptr;
  if (sd_bus_message_read(c->msg, "s", &u) < 0) throw InvalidArgument("the user argument must be a string");
  std::string name = u;
  bool all = name.empty() && c->caller == 0;
  uid_t uid = c->caller;
  if (name.empty() && !all)
    name = user_name_of(c->caller);
  else if (!name.empty())
    uid = check_user_name(name);
  authorize(c, Op::audit_log, all ? 0 : uid, [this, c, name, all] {
    reply(c, [&](sd_bus_message* m) {
      sd_bus_message_open_container(m, 'a', "(xtssss)");
      auto entries = all ? store_.audit_entries() : store_.audit_entries(name);
      for (const auto& e : entries)
        sd_bus_message_append(m, "(xtssss)", e.seq, static_cast<uint64_t>(secs(e.time)), e.event.c_str(),
                              e.user.c_str(), e.actor.c_str(), e.detail.c_str());
      sd_bus_message_close_container(m);
    });
  });
  return 1;
}

int Service::export_personal_data(CallPtr c) {
  auto [user, uid] = target_user(c);
  authorize(c, Op::export_data, uid, [this, c, user = user] {
    UserExport x = store_.export_user(user);
    Json templates = Json::array(), consent = Json::array(), audit = Json::array(), incidents = Json::array();
    for (const auto& t : x.templates)
      templates.push(Json::object()
                         .set("id", t.id)
                         .set("label", t.label)
                         .set("created", secs(t.created))
                         .set("expires", secs(t.expires)));
    for (const auto& r : x.consents)
      consent.push(Json::object()
                       .set("notice_id", r.notice_id)
                       .set("notice_sha256", hex(r.notice_sha256))
                       .set("given_at", secs(r.given_at))
                       .set("method", r.method)
                       .set("withdrawn_at", r.withdrawn_at ? Json(secs(*r.withdrawn_at)) : Json()));
    for (const auto& e : x.audit)
      audit.push(Json::object()
                     .set("seq", e.seq)
                     .set("time", secs(e.time))
                     .set("event", e.event)
                     .set("actor", e.actor)
                     .set("detail", e.detail));
    for (const auto& i : x.incidents)
      incidents.push(Json::object()
                         .set("time", secs(i.time))
                         .set("kind", i.kind)
                         .set("detail", i.detail)
                         .set("acknowledged", i.acknowledged_at.has_value()));
    Json j = Json::object()
                 .set("user", x.user)
                 .set("excluded", x.excluded)
                 .set("face_auth_refused", x.face_auth_refused)
                 .set("lockout",
                      Json::object().set("failures", x.lockout.failures).set("locked", x.lockout.locked))
                 .set("templates", std::move(templates))
                 .set("consent", std::move(consent))
                 .set("audit", std::move(audit))
                 .set("incidents", std::move(incidents));
    std::string text = j.dump(0);
    reply(c, [&](sd_bus_message* m) { sd_bus_message_append(m, "s", text.c_str()); });
  });
  return 1;
}

int Service::reset_lockout(CallPtr c) {
  auto [user, uid] = target_user(c);
  authorize(c, Op::reset_lockout, uid, [this, c, user = user] {
    charge_self_write(c);
    if (!store_.reset_lockout(user, actor(c)))
      self_writes_.refund(c->caller);
    else if (c->caller != 0)
      // Only after polkit had the person re-type their password; worth a look
      // when it repeats (code in a session buying face attempts against sudo).
      log::warn("face verification lockout of " + user + " cleared by the person (uid " +
                    std::to_string(c->caller) + ") after re-authentication",
                {"FACEAUTH_USER=" + user});
    reply(c, nullptr);
  });
  return 1;
}

int Service::restore_face_auth(CallPtr c) {
  auto [user, uid] = target_user(c);
  authorize(c, Op::restore, uid, [this, c, user = user] {
    const size_t erased = store_.restore_face_auth(user, actor(c));
    log::warn("face authentication of " + user + " restored by " + actor(c) + "; " + std::to_string(erased) +
                  " template(s) erased",
              {"FACEAUTH_USER=" + user});
    reply(c, [&](sd_bus_message* m) { sd_bus_message_append(m, "u", static_cast<uint32_t>(erased)); });
  });
  return 1;
}

int Service::set_excluded(CallPtr c) {
  auto [user, uid] = target_user(c);
  int excluded = 0;
  const char* reason = nullptr;
  if (sd_bus_message_read(c->msg, "bs", &excluded, &reason) < 0)
    throw InvalidArgument("SetExcluded takes (s user, b excluded, s reason)");
  std::string why = reason;
  if (why.size() > 200) throw InvalidArgument("the reason must be at most 200 bytes");
  if (auto bad = first_unsafe_char(why))
    throw InvalidArgument("the reason contains " + describe_char(*bad) + ", which is not allowed");
  authorize(c, Op::set_excluded, uid, [this, c, user = user, excluded, why] {
    store_.set_excluded(user, excluded != 0, why, actor(c));
    reply(c, nullptr);
  });
  return 1;
}

int Service::list_former_accounts(CallPtr c) {
  authorize(c, Op::former_accounts, 0, [this, c] {
    auto former = store_.former_accounts();
    reply(c, [&](sd_bus_message* m) {
      sd_bus_message_open_container(m, 'a', "(sxxuuu)");
      for (const auto& f : former)
        sd_bus_message_append(m, "(sxxuuu)", f.user.c_str(), static_cast<int64_t>(f.uid),
                              static_cast<int64_t>(f.uid_now.value_or(-1)),
                              static_cast<uint32_t>(f.templates), static_cast<uint32_t>(f.consents),
                              static_cast<uint32_t>(f.incidents));
      sd_bus_message_close_container(m);
    });
  });
  return 1;
}

int Service::erase_former_account(CallPtr c) {
  const char* u = nullptr;
  if (sd_bus_message_read(c->msg, "s", &u) < 0) throw InvalidArgument("the user argument must be a string");
  std::string user = u;
  // The name may belong to no account any more: only its syntax is checked.
  check_user_name_syntax(user);
  authorize(c, Op::former_accounts, 0, [this, c, user] {
    FormerAccount f = store_.erase_former_account(user, actor(c));
    health_.checked = {};  // Status counts former accounts again
    log::warn("data of the former account " + user + " erased by " + actor(c) + ": " +
              std::to_string(f.templates) + " template(s), " + std::to_string(f.consents) +
              " consent record(s), " + std::to_string(f.incidents) + " incident(s)");
    reply(c, [&](sd_bus_message* m) {
      sd_bus_message_append(m, "uuu", static_cast<uint32_t>(f.templates), static_cast<uint32_t>(f.consents),
                            static_cast<uint32_t>(f.incidents));
    });
  });
  return 1;
}

void Service::charge_self_write(const CallPtr& c) {
  RateLimit::Clock::duration wait{};
  if (self_writes_.allow(c->caller, RateLimit::Clock::now(), wait)) return;
  const auto secs_left = std::chrono::duration_cast<std::chrono::seconds>(wait).count() + 1;
  throw BusyError("too many changes requested by uid " + std::to_string(c->caller) + ": at most " +
                  std::to_string(self_writes_.max_calls()) + " a minute; try again in " +
                  std::to_string(secs_left) + " s");
}

int Service::status(CallPtr c) {
  reply(c, [&](sd_bus_message* m) {
    sd_bus_message_open_container(m, 'a', "{sv}");
    // Status must describe a damaged store, not fail with it: each figure that
    // needs the store is read on its own and left out when it cannot be.
    const Health& h = health();
    std::optional<uint32_t> enrolled;
    try {
      enrolled = static_cast<uint32_t>(store_.enrolled_user_count());
    } catch (const std::exception& e) {
      if (h.store == "ok") health_.store = e.what();
    }
    const std::string& store_state = h.store;
    const std::string& chain = h.audit_chain;
    std::string level = config_.threshold ? "custom" : to_string(config_.security_level);
    // The measured error rates of the configured level with their counts and
    // 95 % upper bounds (login protocol over every population,
    // docs/recognition.md): aggregate figures, not scores, so anyone may see them.
    const LevelPoint& lp = level_point(config_);
    std::optional<uint32_t> stale;
    try {
      stale = static_cast<uint32_t>(store_.count_templates_not_made_by(embedder_name(config_.embedder)));
    } catch (const std::exception&) {
    }
    sd_bus_message_append(m, "{sv}", "version", "s", kVersion);
    sd_bus_message_append(m, "{sv}", "camera", "s", config_.camera.c_str());
    // A recorded source (dir:, y4m:) is for demos and tests: say so.
    sd_bus_message_append(m, "{sv}", "camera_recorded", "b", config_.camera.rfind("v4l2:", 0) == 0 ? 0 : 1);
    sd_bus_message_append(m, "{sv}", "models", "s", worker_.models_state().c_str());
    sd_bus_message_append(m, "{sv}", "camera_ir", "s", worker_.camera_ir_state().c_str());
    sd_bus_message_append(m, "{sv}", "store", "s", store_state.c_str());
    sd_bus_message_append(m, "{sv}", "audit_chain", "s", chain.c_str());
    sd_bus_message_append(m, "{sv}", "audit_full_check", "s", audit_walk_running_ ? "running" : "done");
    sd_bus_message_append(m, "{sv}", "security_level", "s", level.c_str());
    sd_bus_message_append(m, "{sv}", "embedder", "s", embedder_name(config_.embedder));
    sd_bus_message_append(m, "{sv}", "liveness", "s", liveness_name(config_.liveness));
    if (!config_.threshold) {
      sd_bus_message_append(m, "{sv}", "measured_far", "d", lp.far.rate());
      sd_bus_message_append(m, "{sv}", "measured_far_upper95", "d", lp.far.upper95);
      sd_bus_message_append(m, "{sv}", "measured_far_counts", "(xx)", static_cast<int64_t>(lp.far.errors),
                            static_cast<int64_t>(lp.far.trials));
      sd_bus_message_append(m, "{sv}", "measured_far_shown", "b", lp.far_shown() ? 1 : 0);
      sd_bus_message_append(m, "{sv}", "measured_frr", "d", lp.frr.rate());
      sd_bus_message_append(m, "{sv}", "measured_frr_upper95", "d", lp.frr.upper95);
      sd_bus_message_append(m, "{sv}", "measured_frr_counts", "(xx)", static_cast<int64_t>(lp.frr.errors),
                            static_cast<int64_t>(lp.frr.trials));
    }
    if (stale) sd_bus_message_append(m, "{sv}", "stale_templates", "u", *stale);
    if (enrolled) sd_bus_message_append(m, "{sv}", "enrolled_users", "u", *enrolled);
    if (h.former_accounts) sd_bus_message_append(m, "{sv}", "former_accounts", "u", *h.former_accounts);
    sd_bus_message_append(m, "{sv}", "busy", "b", worker_.busy() ? 1 : 0);
    sd_bus_message_close_container(m);
  });
  return 1;
}

int Service::test_verify(CallPtr c) {
  auto [user, uid] = target_user(c);
  Options opts = read_options(c->msg, {{FACEAUTH_OPTION_TIMEOUT, 'u'}, {FACEAUTH_OPTION_FRAMES, 'u'}});
  int timeout =
      static_cast<int>(option_u(opts, FACEAUTH_OPTION_TIMEOUT, 1, 60, config_.verify_timeout_seconds));
  int frames = static_cast<int>(option_u(opts, FACEAUTH_OPTION_FRAMES, 1, 100, 20));
  // Distances reach administrators only (Op::test_verify is always org.faceauth.manage).
  authorize(c, Op::test_verify, uid, [this, c, user = user, timeout, frames] {
    TestCall call;
    call.user = user;
    call.actor = actor(c);
    call.connection = c->sender;
    call.timeout = std::chrono::seconds(timeout);
    call.max_frames = frames;
    call.watch = watch_caller(c);
    jobs_.test(std::move(call), [this, c](const TestAnswer& a) {
      guarded(c, [&] {
        if (a.failure) std::rethrow_exception(a.failure);
        send_test_reply(c, a);
      });
    });
  });
  return 1;
}

void Service::send_test_reply(CallPtr c, const TestAnswer& a) {
  reply(c, [&](sd_bus_message* m) {
    sd_bus_message_append(m, "s", a.result.c_str());
    sd_bus_message_open_container(m, 'a', "(sbdsd)");
    for (const auto& f : a.frames)
      sd_bus_message_append(m, "(sbdsd)", f.reason.c_str(), f.usable ? 1 : 0, f.distance, f.hint.c_str(),
                            f.live);
    sd_bus_message_close_container(m);
  });
}

std::string Service::lost_store_notice() {
  // Shown for 30 days after it was found; the incident and the audit entry stay.
  const auto now = system_now();
  for (const auto& i : store_.incidents("", true))
    if (i.kind == "store-lost" && now - i.time < std::chrono::days(30))
      return "lost: " + i.detail + " (found at start-up; shown for 30 days)";
  return "";
}

const Service::Health& Service::health() {
  // Anyone may ask for Status: the full checks run at most every 10 s, so a
  // caller in a loop cannot keep the loop thread busy with them.
  auto now = std::chrono::steady_clock::now();
  if (health_.checked.time_since_epoch().count() != 0 && now - health_.checked < std::chrono::seconds(10))
    return health_;
  health_.checked = now;
  try {
    health_.store = store_.integrity_check();
    if (health_.store == "ok") {
      std::string lost = lost_store_notice();
      if (!lost.empty()) health_.store = lost;
    }
    // Only the entries since the last verified checkpoint: Status stays cheap
    // however long the log grows (the full walk runs in the background).
    AuditCheck a = store_.verify_audit_incremental();
    if (!a.ok)
      health_.audit_chain =
          "broken at entry " + std::to_string(a.first_bad_seq.value_or(0)) + ": " + a.reason;
    else if (!audit_full_break_.empty())
      health_.audit_chain = audit_full_break_;
    else
      health_.audit_chain = "ok";  // as far as checked: see audit_full_check
    health_.former_accounts = former_account_names();
  } catch (const std::exception& e) {
    health_.store = e.what();
  }
  return health_;
}

void Service::housekeeping() {
  try {
    size_t purged = store_.purge_expired();
    if (purged) log::info("retention: securely deleted " + std::to_string(purged) + " expired template(s)");
    // A break since the last checkpoint is found here at once; the full walk
    // follows in the background.
    report_former_accounts();
    AuditCheck a = store_.verify_audit_incremental();
    if (!a.ok) {
      store_.record_audit_break(a);
      log::crit("the audit log's hash chain is broken at entry " +
                std::to_string(a.first_bad_seq.value_or(0)) + ": " + a.reason);
    }
  } catch (const std::exception& e) {
    log::crit(std::string("housekeeping failed: ") + e.what());
  }
  start_full_audit_walk();
}

uint32_t Service::former_account_names() {
  std::set<std::string> names;
  for (const auto& f : store_.former_accounts()) names.insert(f.user);
  return static_cast<uint32_t>(names.size());
}

void Service::report_former_accounts() {
  // Rows of an account whose name now belongs to another uid, or to none,
  // are never used; the administrator is told once per change of the set.
  std::vector<std::string> lines;
  for (const auto& f : store_.former_accounts()) {
    lines.push_back(
        "stored data of a former account named " + f.user + " (uid " +
        (f.uid < 0 ? std::string("unknown") : std::to_string(f.uid)) + "; the name " +
        (f.uid_now ? "now belongs to uid " + std::to_string(*f.uid_now) : std::string("has no account now")) +
        "): " + std::to_string(f.templates) + " template(s), " + std::to_string(f.consents) +
        " consent record(s), " + std::to_string(f.incidents) +
        " incident(s), never used; an administrator can erase it: faceauthctl erase-former --user " + f.user);
  }
  if (lines == former_reported_) return;
  former_reported_ = lines;
  for (const auto& line : lines) log::warn(line);
}

void Service::start_full_audit_walk() {
  if (audit_walk_running_.exchange(true)) return;
  if (audit_walker_.joinable()) audit_walker_.join();
  const std::string path = store_.db_path();
  audit_walker_ = std::thread([this, path] {
    AuditCheck r;
    AuditCheckpoint last;
    try {
      r = Store::verify_audit_file(path, &last);
    } catch (const std::exception& e) {
      r.ok = false;
      r.reason = std::string("the full check could not run: ") + e.what();
    }
    boost::asio::post(io_, [this, r, last] {
      audit_walk_running_ = false;
      health_.checked = {};  // the next Status looks again
      if (r.ok) {
        audit_full_break_.clear();
        try {
          store_.set_audit_checkpoint(last);  // later incremental checks start here
        } catch (const std::exception& e) {
          log::error(std::string("cannot store the audit checkpoint: ") + e.what());
        }
        return;
      }
      try {
        if (r.first_bad_seq) store_.record_audit_break(r);
      } catch (const std::exception&) {
      }
      audit_full_break_ = "broken at entry " + std::to_string(r.first_bad_seq.value_or(0)) + ": " + r.reason;
      log::crit("the audit log's hash chain is broken (full check): " + audit_full_break_);
    });
  });
}

int Service::on_version(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply, void*,
                        sd_bus_error*) {
  return sd_bus_message_append(reply, "s", kVersion);
}

// What a login must do in front of the camera: "blink" when the blink check
// is on, so the PAM module can ask for one. The mode only, never a score.
int Service::on_liveness(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply,
                         void* userdata, sd_bus_error*) {
  return sd_bus_message_append(reply, "s", liveness_name(static_cast<Service*>(userdata)->config_.liveness));
}

int Service::on_prepare_for_sleep(sd_bus_message* m, void* userdata, sd_bus_error*) {
  // Only logind's broadcast counts: the bus routes a broadcast to this match
  // only from the owner of org.freedesktop.login1, while a unicast signal
  // (with a destination) could come from anyone.
  if (sd_bus_message_get_destination(m) != nullptr) return 0;
  int going = 0;
  if (sd_bus_message_read(m, "b", &going) >= 0 && going) {
    log::info("system is suspending: cancelling camera jobs");
    static_cast<Service*>(userdata)->cancel_camera_jobs();
  }
  return 0;
}

const sd_bus_vtable Service::kVtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD_WITH_NAMES("Verify", "sa{sv}", SD_BUS_PARAM(user) SD_BUS_PARAM(options), "sa{sv}",
                             SD_BUS_PARAM(result) SD_BUS_PARAM(details), (dispatch<&Service::verify>),
                             SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_NAMES("IsEnrolled", "s", SD_BUS_PARAM(user), "b", SD_BUS_PARAM(enrolled),
                             (dispatch<&Service::is_enrolled>), SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_NAMES("Enroll", "ssa{sv}",
                             SD_BUS_PARAM(user) SD_BUS_PARAM(notice_id) SD_BUS_PARAM(options), "o",
                             SD_BUS_PARAM(job), (dispatch<&Service::enroll>), SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_SIGNAL_WITH_NAMES("EnrollProgress", "ouus",
                             SD_BUS_PARAM(job) SD_BUS_PARAM(captured) SD_BUS_PARAM(needed) SD_BUS_PARAM(hint),
                             0),
    SD_BUS_SIGNAL_WITH_NAMES("EnrollFinished", "ossx",
                             SD_BUS_PARAM(job) SD_BUS_PARAM(result) SD_BUS_PARAM(message)
                                 SD_BUS_PARAM(template_id),
                             0),
    SD_BUS_METHOD_WITH_NAMES("ListTemplates", "s", SD_BUS_PARAM(user), "a(xsttsb)", SD_BUS_PARAM(templates),
                             (dispatch<&Service::list_templates>), SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_NAMES("RemoveTemplate", "sx", SD_BUS_PARAM(user) SD_BUS_PARAM(id), "", ,
                             (dispatch<&Service::remove_template>), SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_NAMES("RemoveAll", "s", SD_BUS_PARAM(user), "u", SD_BUS_PARAM(removed),
                             (dispatch<&Service::remove_all>), SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_NAMES("GetNotice", "s", SD_BUS_PARAM(language), "ss",
                             SD_BUS_PARAM(notice_id) SD_BUS_PARAM(text), (dispatch<&Service::get_notice>),
                             SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_NAMES("GetConsent", "s", SD_BUS_PARAM(user), "a(sstts)", SD_BUS_PARAM(records),
                             (dispatch<&Service::get_consent>), SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_NAMES("WithdrawConsent", "s", SD_BUS_PARAM(user), "u", SD_BUS_PARAM(removed),
                             (dispatch<&Service::withdraw_consent>), SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_NAMES("GetAuditLog", "s", SD_BUS_PARAM(user), "a(xtssss)", SD_BUS_PARAM(entries),
                             (dispatch<&Service::get_audit_log>), SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_NAMES("ExportPersonalData", "s", SD_BUS_PARAM(user), "s", SD_BUS_PARAM(json),
                             (dispatch<&Service::export_personal_data>), SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_NAMES("ResetLockout", "s", SD_BUS_PARAM(user), "", ,
                             (dispatch<&Service::reset_lockout>), SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_NAMES("RestoreFaceAuth", "s", SD_BUS_PARAM(user), "u", SD_BUS_PARAM(templates_erased),
                             (dispatch<&Service::restore_face_auth>), SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_NAMES("SetExcluded", "sbs",
                             SD_BUS_PARAM(user) SD_BUS_PARAM(excluded) SD_BUS_PARAM(reason), "", ,
                             (dispatch<&Service::set_excluded>), SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_NAMES("ListFormerAccounts", "", , "a(sxxuuu)", SD_BUS_PARAM(accounts),
                             (dispatch<&Service::list_former_accounts>), SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_NAMES("EraseFormerAccount", "s", SD_BUS_PARAM(user), "uuu",
                             SD_BUS_PARAM(templates) SD_BUS_PARAM(consents) SD_BUS_PARAM(incidents),
                             (dispatch<&Service::erase_former_account>), SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_NAMES("Status", "", , "a{sv}", SD_BUS_PARAM(status), (dispatch<&Service::status>),
                             SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_NAMES("TestVerify", "sa{sv}", SD_BUS_PARAM(user) SD_BUS_PARAM(options), "sa(sbdsd)",
                             SD_BUS_PARAM(result) SD_BUS_PARAM(frames), (dispatch<&Service::test_verify>),
                             SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_PROPERTY(FACEAUTH_PROPERTY_VERSION, "s", on_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY(FACEAUTH_PROPERTY_LIVENESS, "s", on_liveness, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_VTABLE_END};

}  // namespace faceauth
