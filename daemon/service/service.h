// faceauthd's D-Bus object org.faceauth.FaceAuth1 (dbus/org.faceauth.FaceAuth1.xml):
// argument checks, authorization, store calls, and the sd-bus side of camera
// jobs (their lifecycle and decisions are CameraJobs', camera_jobs.h: answers
// arrive here as callbacks and become replies and signals). Everything here
// runs on the event-loop thread; camera jobs run on the CameraWorker and post
// their results back.
#pragma once

#include <systemd/sd-bus.h>

#include <atomic>
#include <functional>
#include <thread>
#include <memory>
#include <optional>
#include <string>

#include "authorizer.h"
#include "camera_jobs.h"
#include "camera_worker.h"
#include "rate_limit.h"
#include "config.h"
#include "notice.h"
#include "store.h"

// Asio stays out of this header (it is heavy): the loop is only referred to.
namespace boost::asio {
class io_context;
}

namespace faceauth {

class BusLoop;

class Service {
 public:
  Service(boost::asio::io_context& io, sd_bus* bus, BusLoop& loop, const Config& config, Store& store);
  ~Service();

  // Cancels camera jobs and closes the camera (logind PrepareForSleep).
  void cancel_camera_jobs() { jobs_.cancel_all(); }
  // Retention purge and audit-chain check (start-up and periodically).
  void housekeeping();

 private:
  struct Call;  // one method call in flight (keeps a reference to the message)
  using CallPtr = std::shared_ptr<Call>;

  static const sd_bus_vtable kVtable[];
  template <int (Service::*Method)(CallPtr)>
  static int dispatch(sd_bus_message* m, void* userdata, sd_bus_error* err);
  static int on_version(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply, void*,
                        sd_bus_error*);
  static int on_liveness(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply,
                         void* userdata, sd_bus_error*);
  static int on_prepare_for_sleep(sd_bus_message* m, void* userdata, sd_bus_error*);

  int verify(CallPtr c);
  int is_enrolled(CallPtr c);
  int enroll(CallPtr c);
  int list_templates(CallPtr c);
  int remove_template(CallPtr c);
  int remove_all(CallPtr c);
  int get_notice(CallPtr c);
  int get_consent(CallPtr c);
  int withdraw_consent(CallPtr c);
  int get_audit_log(CallPtr c);
  int export_personal_data(CallPtr c);
  int reset_lockout(CallPtr c);
  int restore_face_auth(CallPtr c);
  int set_excluded(CallPtr c);
  int list_former_accounts(CallPtr c);
  int erase_former_account(CallPtr c);
  int status(CallPtr c);
  int test_verify(CallPtr c);

  // Reads the user argument ("" = the caller), checks it and returns its name and uid.
  std::pair<std::string, uid_t> target_user(CallPtr c);
  // Runs `then` once `op` on `target` is authorized; otherwise replies PermissionDenied.
  void authorize(CallPtr c, Op op, uid_t target, std::function<void()> then);
  // Runs `fn`, turning exceptions into D-Bus errors on `c`.
  void guarded(CallPtr c, const std::function<void()>& fn);
  // Sends the method return `fill` builds (nothing to append: nullptr), once.
  void reply(CallPtr c, const std::function<void(sd_bus_message*)>& fill);
  void reply_error(CallPtr c, const char* name, const std::string& message);
  void send_verify_reply(CallPtr c, const std::string& user, const VerifyAnswer& a);
  void send_test_reply(CallPtr c, const TestAnswer& a);
  // The object path of Enroll job `n`.
  static std::string enroll_job_path(uint64_t n);

  // Watches c's connection with an sd_bus_track while its camera job runs.
  struct CallerWatch;
  WatchCaller watch_caller(const CallPtr& c);
  static int on_caller_gone(sd_bus_track* track, void* userdata);
  std::string pending_incident(const std::string& user);
  // The store's integrity check and the audit-chain check, at most every 10 s.
  struct Health {
    std::string store = "ok", audit_chain = "ok";
    std::optional<uint32_t> former_accounts;  // names with rows of a former account
    std::chrono::steady_clock::time_point checked{};
  };
  const Health& health();
  // What Status says while a "store-lost" incident waits: "" when none.
  std::string lost_store_notice();
  // How many names hold rows of a former account (for Status).
  uint32_t former_account_names();
  // Logs each former account's rows when the set changed since the last report.
  void report_former_accounts();
  std::vector<std::string> former_reported_;
  std::string actor(const CallPtr& c) const;

  boost::asio::io_context& io_;
  sd_bus* bus_;
  BusLoop& loop_;
  const Config& config_;
  Store& store_;
  Notice notice_;
  CameraWorker worker_;
  CameraJobs jobs_;  // after worker_: its jobs are cancelled before the worker stops
  Health health_;
  // The full audit-chain walk runs here, over its own connection, never on
  // the event loop (a long log would stall logins); one at a time.
  std::thread audit_walker_;
  std::atomic<bool> audit_walk_running_{false};
  std::string audit_full_break_;  // what the last full walk found broken ("" = intact or not yet run)
  void start_full_audit_walk();
  // Self-service writes (ResetLockout, WithdrawConsent, RemoveTemplate,
  // RemoveAll) by non-root callers: at most 20 a minute per uid.
  RateLimit self_writes_{20, std::chrono::minutes(1)};
  // Throws Busy when c's caller has used up its self-service writes.
  void charge_self_write(const CallPtr& c);
  sd_bus_slot* object_slot_ = nullptr;
  sd_bus_slot* sleep_slot_ = nullptr;
};

}  // namespace faceauth
