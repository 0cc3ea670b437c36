#include "authorizer.h"

#include <cstring>
#include <memory>

namespace faceauth {

Decision decide(Op op, uid_t caller, uid_t target) {
  if (caller == 0) return {Decision::allow};
  switch (op) {
    case Op::status:
    case Op::get_notice: return {Decision::allow};
    case Op::verify:
      return caller == target ? Decision{Decision::allow}
                              : Decision{Decision::ask_polkit, kActionVerifyOther};
    case Op::enroll: return {Decision::ask_polkit, caller == target ? kActionEnrollSelf : kActionManage};
    case Op::restore:
    case Op::set_excluded:
    case Op::former_accounts:
      // An administrator's decision after review (tampering, a child's account):
      // never the person's own, who might be the one who tampered.
      return {Decision::ask_polkit, kActionManage};
    case Op::test_verify:
      // Per-frame distances would let someone tune a fake face: administrators
      // only, even for a person's own face.
      return {Decision::ask_polkit, kActionManage};
    case Op::is_enrolled:
    case Op::list:
    case Op::get_consent:
    case Op::audit_log:
    case Op::export_data:
    // Deleting one's own data and withdrawing one's own consent are always
    // allowed: they cannot raise anyone's access, and erasure must never be
    // blocked (PIPL Art. 47, GDPR Art. 17).
    case Op::remove:
    case Op::remove_all:
    case Op::withdraw:
      return caller == target ? Decision{Decision::allow} : Decision{Decision::ask_polkit, kActionManage};
    // Clearing a lockout gives face attempts back, so code running in a
    // person's session must not do it freely (it could then try faces against
    // sudo without limit): the person re-types their password (auth_self).
    // Root (the PAM account step after another module authenticated the
    // person) needs nothing.
    case Op::reset_lockout:
      return {Decision::ask_polkit, caller == target ? kActionUnlockSelf : kActionManage};
  }
  return {Decision::ask_polkit, kActionManage};
}

namespace {
struct Pending {
  std::string action;
  std::function<void(bool, const std::string&)> done;
};

int on_polkit_reply(sd_bus_message* reply, void* userdata, sd_bus_error*) {
  std::unique_ptr<Pending> p(static_cast<Pending*>(userdata));
  const sd_bus_error* err = sd_bus_message_get_error(reply);
  if (err) {
    p->done(false, "polkit could not be asked (" + std::string(err->name ? err->name : "error") +
                       "); without polkit only root may do this (action " + p->action + ")");
    return 0;
  }
  int authorized = 0, challenge = 0;
  if (sd_bus_message_enter_container(reply, 'r', "bba{ss}") < 0 ||
      sd_bus_message_read(reply, "bb", &authorized, &challenge) < 0) {
    p->done(false, "polkit gave an unreadable answer for " + p->action);
    return 0;
  }
  if (authorized)
    p->done(true, "");
  else if (challenge)
    p->done(false, "authentication is required for polkit action " + p->action +
                       "; run the command from a terminal so you can be asked for the password");
  else
    p->done(false, "not authorized for polkit action " + p->action);
  return 0;
}
}  // namespace

void ask_polkit(sd_bus* bus, sd_bus_message* call, const std::string& action,
                std::function<void(bool, const std::string&)> done) {
  sd_bus_message* m = nullptr;
  const char* sender = sd_bus_message_get_sender(call);
  bool interactive = sd_bus_message_get_allow_interactive_authorization(call) > 0;
  int r = sd_bus_message_new_method_call(bus, &m, "org.freedesktop.PolicyKit1",
                                         "/org/freedesktop/PolicyKit1/Authority",
                                         "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization");
  if (r >= 0)
    r = sd_bus_message_append(m, "(sa{sv})", "system-bus-name", 1, "name", "s", sender ? sender : "");
  if (r >= 0) r = sd_bus_message_append(m, "sa{ss}us", action.c_str(), 0, interactive ? 1u : 0u, "");
  auto* pending = new Pending{action, std::move(done)};
  // Interactive authorization waits for a person to type a password.
  uint64_t timeout = interactive ? 300ull * 1000000 : 10ull * 1000000;
  if (r >= 0) r = sd_bus_call_async(bus, nullptr, m, on_polkit_reply, pending, timeout);
  sd_bus_message_unref(m);
  if (r < 0) {
    std::unique_ptr<Pending> p(pending);
    p->done(false, std::string("polkit could not be asked (") + std::strerror(-r) +
                       "); without polkit only root may do this (action " + action + ")");
  }
}

}  // namespace faceauth
