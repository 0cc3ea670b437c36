// Authorization: the one place that decides who may do what.
// The caller is the uid of the sending connection (sd-bus credentials),
// never an argument. Polkit is asked over D-Bus for what needs it; without
// polkitd only root gets past a polkit rule.
#pragma once

#include <systemd/sd-bus.h>
#include <sys/types.h>

#include <functional>
#include <string>

namespace faceauth {

enum class Op {
  status,
  get_notice,  // anyone
  verify,      // self; others: verify-other
  is_enrolled,
  list,
  get_consent,
  audit_log,
  export_data,  // self; others: manage
  remove,
  remove_all,
  withdraw,       // self; others: manage
  reset_lockout,  // root; self: unlock-self; others: manage
  enroll,         // self: enroll-self; others: manage
  test_verify,    // always manage (distances: admins only)
  restore,
  set_excluded,
  former_accounts,  // always manage (administrators' decisions)
};

inline constexpr const char* kActionVerifyOther = "org.faceauth.verify-other";
inline constexpr const char* kActionEnrollSelf = "org.faceauth.enroll-self";
inline constexpr const char* kActionManage = "org.faceauth.manage";
inline constexpr const char* kActionUnlockSelf = "org.faceauth.unlock-self";

struct Decision {
  enum Kind { allow, ask_polkit } kind = allow;
  const char* action = nullptr;  // with ask_polkit
};

// Pure rule table. `target` is the uid the call is about.
Decision decide(Op op, uid_t caller, uid_t target);

// Asks polkit (org.freedesktop.PolicyKit1.Authority.CheckAuthorization) about
// the sender of `call`, with a system-bus-name subject so polkit resolves the
// process itself. `done(allowed, why)` runs on the bus thread; `why` says
// what was refused and why (polkit not running, not authorized, ...).
void ask_polkit(sd_bus* bus, sd_bus_message* call, const std::string& action,
                std::function<void(bool allowed, const std::string& why)> done);

}  // namespace faceauth
