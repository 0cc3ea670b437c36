#include "daemon_api.h"

#include "bus.h"
#include "faceauth-dbus.h"

namespace faceauthctl {

namespace {

// A call whose first argument is the user.
Message user_call(Bus& bus, const char* method, const std::string& user) {
  Message m = bus.new_call(method);
  check(sd_bus_message_append(m.get(), "s", user.c_str()), method);
  return m;
}

uint32_t read_u(sd_bus_message* r, const char* method) {
  uint32_t n = 0;
  check(sd_bus_message_read(r, "u", &n), method);
  return n;
}

}  // namespace

NoticeText DaemonApi::get_notice(const std::string& language) {
  Message m = bus_.new_call("GetNotice");
  check(sd_bus_message_append(m.get(), "s", language.c_str()), "GetNotice");
  Message r = bus_.call(m, 30);
  NoticeText n;
  n.id = read_string(r.get());
  n.text = read_string(r.get());
  return n;
}

std::vector<TemplateRow> DaemonApi::list_templates(const std::string& user) {
  Message m = user_call(bus_, "ListTemplates", user);
  Message reply = bus_.call(m);
  sd_bus_message* r = reply.get();
  std::vector<TemplateRow> out;
  check(sd_bus_message_enter_container(r, 'a', "(xsttsb)"), "ListTemplates");
  for (;;) {
    int64_t id;
    const char *label, *embedder;
    uint64_t created, expires;
    int current = 0;
    int k = sd_bus_message_read(r, "(xsttsb)", &id, &label, &created, &expires, &embedder, &current);
    check(k, "ListTemplates");
    if (k == 0) break;
    out.push_back({id, label, created, expires, embedder, current != 0});
  }
  return out;
}

void DaemonApi::remove_template(const std::string& user, int64_t id) {
  Message m = bus_.new_call("RemoveTemplate");
  check(sd_bus_message_append(m.get(), "sx", user.c_str(), id), "RemoveTemplate");
  bus_.call(m);
}

uint32_t DaemonApi::remove_all(const std::string& user) {
  Message m = user_call(bus_, "RemoveAll", user);
  Message r = bus_.call(m);
  return read_u(r.get(), "RemoveAll");
}

std::vector<ConsentRow> DaemonApi::get_consent(const std::string& user) {
  Message m = user_call(bus_, "GetConsent", user);
  Message reply = bus_.call(m);
  sd_bus_message* r = reply.get();
  std::vector<ConsentRow> out;
  check(sd_bus_message_enter_container(r, 'a', "(sstts)"), "GetConsent");
  for (;;) {
    const char *id, *sha, *method;
    uint64_t given, withdrawn;
    int k = sd_bus_message_read(r, "(sstts)", &id, &sha, &given, &withdrawn, &method);
    check(k, "GetConsent");
    if (k == 0) break;
    out.push_back({id, sha, method, given, withdrawn});
  }
  return out;
}

uint32_t DaemonApi::withdraw_consent(const std::string& user) {
  Message m = user_call(bus_, "WithdrawConsent", user);
  Message r = bus_.call(m);
  return read_u(r.get(), "WithdrawConsent");
}

std::string DaemonApi::export_personal_data(const std::string& user, unsigned timeout_seconds) {
  Message m = user_call(bus_, "ExportPersonalData", user);
  Message r = bus_.call(m, timeout_seconds);
  return read_string(r.get());
}

std::vector<AuditRow> DaemonApi::get_audit_log(const std::string& user) {
  Message m = user_call(bus_, "GetAuditLog", user);
  Message reply = bus_.call(m);
  sd_bus_message* r = reply.get();
  std::vector<AuditRow> out;
  check(sd_bus_message_enter_container(r, 'a', "(xtssss)"), "GetAuditLog");
  for (;;) {
    AuditRow row;
    const char *event, *who, *actor, *detail;
    int k = sd_bus_message_read(r, "(xtssss)", &row.seq, &row.time, &event, &who, &actor, &detail);
    check(k, "GetAuditLog");
    if (k == 0) break;
    row.event = event;
    row.user = who;
    row.actor = actor;
    row.detail = detail;
    out.push_back(std::move(row));
  }
  return out;
}

void DaemonApi::reset_lockout(const std::string& user) {
  Message m = user_call(bus_, "ResetLockout", user);
  bus_.call(m);
}

uint32_t DaemonApi::restore_face_auth(const std::string& user) {
  Message m = user_call(bus_, "RestoreFaceAuth", user);
  Message r = bus_.call(m, 30);
  return read_u(r.get(), "RestoreFaceAuth");
}

void DaemonApi::set_excluded(const std::string& user, bool excluded, const std::string& reason) {
  Message m = bus_.new_call("SetExcluded");
  check(sd_bus_message_append(m.get(), "sbs", user.c_str(), excluded ? 1 : 0, reason.c_str()), "SetExcluded");
  bus_.call(m, 30);
}

std::vector<FormerAccountRow> DaemonApi::list_former_accounts() {
  Message m = bus_.new_call("ListFormerAccounts");
  Message reply = bus_.call(m, 30);
  sd_bus_message* r = reply.get();
  check(sd_bus_message_enter_container(r, 'a', "(sxxuuu)"), "ListFormerAccounts");
  std::vector<FormerAccountRow> out;
  const char* user = nullptr;
  FormerAccountRow f;
  int k;
  while ((k = sd_bus_message_read(r, "(sxxuuu)", &user, &f.uid, &f.uid_now, &f.templates, &f.consents,
                                  &f.incidents)) > 0) {
    f.user = user;
    out.push_back(f);
  }
  check(k, "ListFormerAccounts");
  return out;
}

ErasedCounts DaemonApi::erase_former_account(const std::string& user) {
  Message m = user_call(bus_, "EraseFormerAccount", user);
  Message r = bus_.call(m, 30);
  ErasedCounts n;
  check(sd_bus_message_read(r.get(), "uuu", &n.templates, &n.consents, &n.incidents), "EraseFormerAccount");
  return n;
}

TestVerifyReply DaemonApi::test_verify(const std::string& user, unsigned timeout, unsigned frames) {
  Message m = user_call(bus_, "TestVerify", user);
  check(sd_bus_message_open_container(m.get(), 'a', "{sv}"), "TestVerify");
  if (timeout)
    check(sd_bus_message_append(m.get(), "{sv}", FACEAUTH_OPTION_TIMEOUT, "u", timeout), "TestVerify");
  if (frames)
    check(sd_bus_message_append(m.get(), "{sv}", FACEAUTH_OPTION_FRAMES, "u", frames), "TestVerify");
  check(sd_bus_message_close_container(m.get()), "TestVerify");
  Message reply = bus_.call(m, 400);
  sd_bus_message* r = reply.get();
  TestVerifyReply out;
  out.result = read_string(r);
  check(sd_bus_message_enter_container(r, 'a', "(sbdsd)"), "TestVerify");
  for (;;) {
    const char *reason, *hint;
    int usable;
    double distance, live;
    int k = sd_bus_message_read(r, "(sbdsd)", &reason, &usable, &distance, &hint, &live);
    check(k, "TestVerify");
    if (k == 0) break;
    out.frames.push_back({reason, usable != 0, distance, hint, live});
  }
  return out;
}

StatusMap DaemonApi::status() {
  Message m = bus_.new_call("Status");
  Message reply = bus_.call(m, 30);
  sd_bus_message* r = reply.get();
  StatusMap out;
  check(sd_bus_message_enter_container(r, 'a', "{sv}"), "Status");
  for (;;) {
    int k = sd_bus_message_enter_container(r, 'e', "sv");
    check(k, "Status");
    if (k == 0) break;
    const char* key;
    check(sd_bus_message_read(r, "s", &key), "Status");
    char type;
    const char* contents;
    check(sd_bus_message_peek_type(r, &type, &contents), "Status");
    check(sd_bus_message_enter_container(r, 'v', contents), "Status");
    std::string sig = contents ? contents : "";
    if (sig == "s") {
      out[key] = read_string(r);
    } else if (sig == "u") {
      uint32_t u;
      check(sd_bus_message_read(r, "u", &u), "Status");
      out[key] = u;
    } else if (sig == "b") {
      int b;
      check(sd_bus_message_read(r, "b", &b), "Status");
      out[key] = b != 0;
    } else if (sig == "t") {
      uint64_t t;
      check(sd_bus_message_read(r, "t", &t), "Status");
      out[key] = t;
    } else if (sig == "d") {
      double d;
      check(sd_bus_message_read(r, "d", &d), "Status");
      out[key] = d;
    } else if (sig == "(xx)") {
      int64_t a = 0, b = 0;
      check(sd_bus_message_read(r, "(xx)", &a, &b), "Status");
      out[key] = std::make_pair(a, b);
    } else {
      check(sd_bus_message_skip(r, contents), "Status");
    }
    check(sd_bus_message_exit_container(r), "Status");
    check(sd_bus_message_exit_container(r), "Status");
  }
  return out;
}

EnrollStarted DaemonApi::enroll(const std::string& user, const std::string& notice_id,
                                const std::string& method, bool label_set, const std::string& label) {
  Message m = bus_.new_call("Enroll");
  check(sd_bus_message_append(m.get(), "ss", user.c_str(), notice_id.c_str()), "Enroll");
  check(sd_bus_message_open_container(m.get(), 'a', "{sv}"), "Enroll");
  check(sd_bus_message_append(m.get(), "{sv}", FACEAUTH_OPTION_CONFIRM_AGE, "b", 1), "Enroll");
  check(sd_bus_message_append(m.get(), "{sv}", FACEAUTH_OPTION_METHOD, "s", method.c_str()), "Enroll");
  if (label_set)
    check(sd_bus_message_append(m.get(), "{sv}", FACEAUTH_OPTION_LABEL, "s", label.c_str()), "Enroll");
  check(sd_bus_message_close_container(m.get()), "Enroll");
  Message r = bus_.call(m, 330);  // polkit may ask for a password first
  const char* job = nullptr;
  check(sd_bus_message_read(r.get(), "o", &job), "Enroll");
  EnrollStarted s;
  s.job = job;
  const char* daemon = sd_bus_message_get_sender(r.get());
  s.daemon = daemon ? daemon : "";
  return s;
}

// ---- Enroll's signals -------------------------------------------------------

EnrollSignals::EnrollSignals(Bus& bus, std::function<void(const EnrollProgress&)> progress,
                             std::function<void(const EnrollFinished&)> finished)
    : progress_(std::move(progress)),
      finished_(std::move(finished)) {
  check(sd_bus_match_signal(bus.get(), &progress_slot_, nullptr, kObjectPath, kInterface, "EnrollProgress",
                            on_progress, this),
        "AddMatch");
  int r = sd_bus_match_signal(bus.get(), &finished_slot_, nullptr, kObjectPath, kInterface, "EnrollFinished",
                              on_finished, this);
  if (r < 0) progress_slot_ = sd_bus_slot_unref(progress_slot_);
  check(r, "AddMatch");
}

EnrollSignals::~EnrollSignals() {
  sd_bus_slot_unref(progress_slot_);
  sd_bus_slot_unref(finished_slot_);
}

int EnrollSignals::on_progress(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* self = static_cast<EnrollSignals*>(userdata);
  const char *job, *hint;
  uint32_t captured, needed;
  if (sd_bus_message_read(m, "ouus", &job, &captured, &needed, &hint) < 0) return 0;
  const char* sender = sd_bus_message_get_sender(m);
  EnrollProgress p;
  p.sender = sender ? sender : "";
  p.job = job;
  p.captured = captured;
  p.needed = needed;
  p.hint = hint;
  if (self->progress_) self->progress_(p);
  return 0;
}

int EnrollSignals::on_finished(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* self = static_cast<EnrollSignals*>(userdata);
  const char *job, *result, *message;
  int64_t id;
  if (sd_bus_message_read(m, "ossx", &job, &result, &message, &id) < 0) return 0;
  const char* sender = sd_bus_message_get_sender(m);
  EnrollFinished f;
  f.sender = sender ? sender : "";
  f.job = job;
  f.result = result;
  f.message = message;
  f.template_id = id;
  if (self->finished_) self->finished_(f);
  return 0;
}

}  // namespace faceauthctl
