// Validation of every argument that arrives over D-Bus: user names and
// option maps. Failures become org.faceauth.Error.InvalidArgument.
#pragma once

#include <systemd/sd-bus.h>
#include <sys/types.h>

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>

namespace faceauth {

class InvalidArgument : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// A caller asked too often or the camera queue is full: org.faceauth.Error.Busy.
class BusyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A user name as Debian's useradd accepts it (1..32 bytes, [a-z_][a-z0-9_-]*[$]?,
// the same rule as the PAM module's) that
// resolves with getpwnam. Returns its uid. Throws InvalidArgument.
uid_t check_user_name(const std::string& name);
// The same rule on the syntax alone, for names that may no longer resolve
// (a deleted account's rows). Throws InvalidArgument.
void check_user_name_syntax(const std::string& name);

// The name of a uid (throws InvalidArgument when the uid has no passwd entry).
std::string user_name_of(uid_t uid);

using OptionValue = std::variant<bool, uint32_t, std::string>;
using Options = std::map<std::string, OptionValue>;

// What a method accepts: key -> D-Bus type ('b', 'u' or 's').
using OptionSpec = std::map<std::string, char>;

// The uint32 option `key` when present (InvalidArgument unless lo..hi), else `fallback`.
uint32_t option_u(const Options& opts, const std::string& key, uint32_t lo, uint32_t hi, uint32_t fallback);

// Reads an a{sv} from `m`. Unknown keys, duplicate keys and variants of the
// wrong type throw InvalidArgument naming the key and what is accepted.
Options read_options(sd_bus_message* m, const OptionSpec& spec);

}  // namespace faceauth
