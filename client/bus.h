// faceauthctl's D-Bus side: the system bus connection (sd-bus), method calls
// to org.faceauth.FaceAuth1 with interactive authorization allowed, D-Bus
// errors turned into messages that say what to do, and the pkttyagent that
// lets polkit ask for a password in the terminal (as systemctl does).
#pragma once

#include <systemd/sd-bus.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>

#include "faceauth-dbus.h"

namespace faceauthctl {

inline constexpr const char* kBusName = FACEAUTH_BUS_NAME;
inline constexpr const char* kObjectPath = FACEAUTH_OBJECT_PATH;
inline constexpr const char* kInterface = FACEAUTH_INTERFACE;

// A reference to an sd_bus_message, released at the end of its scope.
class Message {
 public:
  Message() = default;
  explicit Message(sd_bus_message* m) : m_(m) {}
  Message(Message&& o) noexcept : m_(o.m_) { o.m_ = nullptr; }
  Message& operator=(Message&& o) noexcept;
  Message(const Message&) = delete;
  Message& operator=(const Message&) = delete;
  ~Message() { sd_bus_message_unref(m_); }
  sd_bus_message* get() const { return m_; }

 private:
  sd_bus_message* m_ = nullptr;
};

class Bus {
 public:
  // Connects to the system bus (DBUS_SYSTEM_BUS_ADDRESS applies). Throws Error(kNoDaemon).
  Bus();
  ~Bus();
  Bus(const Bus&) = delete;
  Bus& operator=(const Bus&) = delete;
  sd_bus* get() const { return bus_; }

  // A method call to faceauthd, allow-interactive-authorization set.
  Message new_call(const char* method);
  // Sends and waits (timeout in seconds; polkit may wait for a typed password,
  // so calls that can need authorization get a long one). Throws Error.
  Message call(Message& m, unsigned timeout_seconds = 120);

  // Checks the error helper and processing loop for signals: runs
  // sd_bus_process/sd_bus_wait until `done()` or the deadline (CLOCK_MONOTONIC µs).
  // Returns false on timeout.
  bool run_until(const std::function<bool()>& done, uint64_t deadline_usec);

 private:
  sd_bus* bus_ = nullptr;
};

// Turns a D-Bus error from faceauthd (or the bus) into Error with an exit
// code and advice. `what` names the operation ("ListTemplates").
[[noreturn]] void throw_bus_error(const sd_bus_error* err, int r, const std::string& what);

// Message argument helpers (throw Error(kFailed) on a malformed reply).
std::string read_string(sd_bus_message* m);
void check(int r, const char* what);

// Starts `pkttyagent --process <own pid> --fallback` when stdin is a terminal
// and the caller is not root, so polkit can ask for a password here; stopped
// at exit. Does nothing when disabled (--no-ask-password) or already running.
void start_polkit_agent();
void disable_polkit_agent();  // --no-ask-password
void stop_polkit_agent();

// The caller's user name (from the real uid).
std::string caller_name();
uint64_t now_usec();

}  // namespace faceauthctl
