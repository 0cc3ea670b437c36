// faceauthctl's typed proxy for org.faceauth.FaceAuth1 (dbus/org.faceauth.FaceAuth1.xml):
// each function builds one method call, waits for its reply (Bus::call: D-Bus
// errors become Error with advice) and reads the reply into plain values, so
// the verbs only present. A malformed reply is Error(kFailed) naming the
// method (check() in bus.h). No JSON and no output here.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <systemd/sd-bus.h>

namespace faceauthctl {

class Bus;

struct NoticeText {
  std::string id, text;
};

// One entry of ListTemplates.
struct TemplateRow {
  int64_t id = 0;
  std::string label;
  uint64_t created = 0, expires = 0;
  std::string embedder;
  bool current = false;  // made by the configured embedder; a stale one is never compared
};

// One entry of GetConsent.
struct ConsentRow {
  std::string notice_id, sha256, method;
  uint64_t given = 0, withdrawn = 0;  // withdrawn 0: active
};

// One entry of GetAuditLog.
struct AuditRow {
  int64_t seq = 0;
  uint64_t time = 0;
  std::string event, user, actor, detail;
};

// One entry of ListFormerAccounts.
struct FormerAccountRow {
  std::string user;
  int64_t uid = -1, uid_now = -1;  // -1: unknown / no account has the name now
  uint32_t templates = 0, consents = 0, incidents = 0;
};

// EraseFormerAccount's answer.
struct ErasedCounts {
  uint32_t templates = 0, consents = 0, incidents = 0;
};

// One frame of TestVerify's answer.
struct TestFrameRow {
  std::string reason;
  bool usable = false;
  double distance = 0;
  std::string hint;
  double live = -1;
};

struct TestVerifyReply {
  std::string result;
  std::vector<TestFrameRow> frames;
};

// Status: each key with its value as the daemon typed it ("s", "u", "b", "t",
// "d", "(xx)"); keys of other types are left out.
using StatusValue = std::variant<std::string, uint32_t, bool, uint64_t, double, std::pair<int64_t, int64_t>>;
using StatusMap = std::map<std::string, StatusValue>;

// Enroll's answer: the job's object path and the unique name that answered
// (only that sender's signals count).
struct EnrollStarted {
  std::string job, daemon;
};

// Enroll's signals; `sender` is the unique name that sent them ("" if none).
struct EnrollProgress {
  std::string sender, job;
  uint32_t captured = 0, needed = 0;
  std::string hint;
};
struct EnrollFinished {
  std::string sender, job, result, message;
  int64_t template_id = 0;
};

class DaemonApi {
 public:
  explicit DaemonApi(Bus& bus) : bus_(bus) {}

  // `user` "" is the caller throughout.
  NoticeText get_notice(const std::string& language);
  std::vector<TemplateRow> list_templates(const std::string& user);
  void remove_template(const std::string& user, int64_t id);
  uint32_t remove_all(const std::string& user);  // how many were removed
  std::vector<ConsentRow> get_consent(const std::string& user);
  uint32_t withdraw_consent(const std::string& user);  // templates removed
  // The JSON text ExportPersonalData answers.
  std::string export_personal_data(const std::string& user, unsigned timeout_seconds = 120);
  std::vector<AuditRow> get_audit_log(const std::string& user);  // "" from root: everybody's
  void reset_lockout(const std::string& user);
  uint32_t restore_face_auth(const std::string& user);  // templates erased
  void set_excluded(const std::string& user, bool excluded, const std::string& reason);
  std::vector<FormerAccountRow> list_former_accounts();
  ErasedCounts erase_former_account(const std::string& user);
  // timeout, frames: 0 leaves the option out (the daemon's default).
  TestVerifyReply test_verify(const std::string& user, unsigned timeout, unsigned frames);
  StatusMap status();
  // label_set false: the daemon's default label.
  EnrollStarted enroll(const std::string& user, const std::string& notice_id, const std::string& method,
                       bool label_set, const std::string& label);

 private:
  Bus& bus_;
};

// Subscribes to Enroll's signals on `bus` while it lives. Subscribe before
// calling Enroll: the signals are sent to this connection only and may
// follow the reply at once. Signals that cannot be read are ignored.
class EnrollSignals {
 public:
  EnrollSignals(Bus& bus, std::function<void(const EnrollProgress&)> progress,
                std::function<void(const EnrollFinished&)> finished);
  ~EnrollSignals();
  EnrollSignals(const EnrollSignals&) = delete;
  EnrollSignals& operator=(const EnrollSignals&) = delete;

 private:
  static int on_progress(sd_bus_message* m, void* userdata, sd_bus_error*);
  static int on_finished(sd_bus_message* m, void* userdata, sd_bus_error*);
  std::function<void(const EnrollProgress&)> progress_;
  std::function<void(const EnrollFinished&)> finished_;
  sd_bus_slot* progress_slot_ = nullptr;
  sd_bus_slot* finished_slot_ = nullptr;
};

}  // namespace faceauthctl
