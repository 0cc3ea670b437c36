#include "validate.h"

#include <pwd.h>

#include <cerrno>
#include <vector>

namespace faceauth {

namespace {
bool valid_name_syntax(const std::string& s) {
  if (s.empty() || s.size() > 32) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    bool lower = c >= 'a' && c <= 'z', digit = c >= '0' && c <= '9';
    if (i == 0 && !(lower || c == '_')) return false;
    if (i > 0 && !(lower || digit || c == '_' || c == '-' || (c == '$' && i == s.size() - 1))) return false;
  }
  return true;
}

std::string printable(const std::string& s) {
  std::string out;
  for (unsigned char c : s.substr(0, 40)) out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  if (s.size() > 40) out += "...";
  return out;
}
}  // namespace

void check_user_name_syntax(const std::string& name) {
  if (!valid_name_syntax(name))
    throw InvalidArgument("'" + printable(name) + "' (" + std::to_string(name.size()) +
                          " bytes) is not a valid user name: use 1 to 32 characters from a-z, 0-9, _ and -, "
                          "starting with a letter or _");
}

uid_t check_user_name(const std::string& name) {
  check_user_name_syntax(name);
  std::vector<char> buf(16384);
  passwd pw, *res = nullptr;
  if (getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &res) != 0 || res == nullptr)
    throw InvalidArgument("no user named '" + name + "' exists on this machine");
  return pw.pw_uid;
}

std::string user_name_of(uid_t uid) {
  std::vector<char> buf(16384);
  passwd pw, *res = nullptr;
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &res) != 0 || res == nullptr)
    throw InvalidArgument("uid " + std::to_string(uid) + " has no user name on this machine");
  return pw.pw_name;
}

uint32_t option_u(const Options& opts, const std::string& key, uint32_t lo, uint32_t hi, uint32_t fallback) {
  auto it = opts.find(key);
  if (it == opts.end()) return fallback;
  uint32_t v = std::get<uint32_t>(it->second);
  if (v < lo || v > hi)
    throw InvalidArgument("option '" + key + "' must be " + std::to_string(lo) + " to " + std::to_string(hi));
  return v;
}

Options read_options(sd_bus_message* m, const OptionSpec& spec) {
  auto accepted = [&] {
    std::string s;
    for (const auto& [k, t] : spec) s += (s.empty() ? "" : ", ") + k + " (" + t + ")";
    return s.empty() ? std::string("none") : s;
  };
  Options out;
  int r = sd_bus_message_enter_container(m, 'a', "{sv}");
  if (r < 0) throw InvalidArgument("options must be a{sv}");
  while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
    const char* key = nullptr;
    if (sd_bus_message_read(m, "s", &key) < 0) throw InvalidArgument("malformed option entry");
    std::string k = key;
    auto it = spec.find(k);
    if (it == spec.end())
      throw InvalidArgument("unknown option '" + printable(k) + "'; accepted: " + accepted());
    if (out.count(k)) throw InvalidArgument("option '" + k + "' given twice");
    const char type[2] = {it->second, 0};
    if (sd_bus_message_enter_container(m, 'v', type) <= 0)
      throw InvalidArgument(std::string("option '") + k + "' must be of type " + type);
    if (it->second == 'b') {
      int b = 0;
      if (sd_bus_message_read(m, "b", &b) < 0) throw InvalidArgument("option '" + k + "' is not a boolean");
      out[k] = b != 0;
    } else if (it->second == 'u') {
      uint32_t u = 0;
      if (sd_bus_message_read(m, "u", &u) < 0) throw InvalidArgument("option '" + k + "' is not a uint32");
      out[k] = u;
    } else {
      const char* s = nullptr;
      if (sd_bus_message_read(m, "s", &s) < 0) throw InvalidArgument("option '" + k + "' is not a string");
      out[k] = std::string(s);
    }
    if (sd_bus_message_exit_container(m) < 0 || sd_bus_message_exit_container(m) < 0)
      throw InvalidArgument("malformed option '" + k + "'");
  }
  if (r < 0 || sd_bus_message_exit_container(m) < 0) throw InvalidArgument("malformed options");
  return out;
}

}  // namespace faceauth
