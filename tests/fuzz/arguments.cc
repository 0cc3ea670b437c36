// What a D-Bus caller or an administrator hands the daemon as text: user
// names (the useradd rule), labels and reasons (control and bidi characters),
// camera source specifications and configuration values. Each check answers
// or throws its own error; what passes must be what the rule allows.
#include "source_spec.h"
#include "text_safety.h"
#include "validate.h"
#include "value_parse.h"

#include <cstdint>
#include <cstdlib>
#include <exception>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string s(reinterpret_cast<const char*>(data), size);
  try {
    faceauth::check_user_name_syntax(s);
    if (s.empty() || s.size() > 32) std::abort();
    for (char c : s)
      if (c == '/' || c == ':' || c == ' ' || c == '\0') std::abort();
  } catch (const faceauth::InvalidArgument&) {
  }
  if (!faceauth::first_unsafe_char(s)) {
    const std::string shown = faceauth::terminal_safe(s);
    for (unsigned char c : shown)
      if (c < 0x20 && c != '\n' && c != '\t') std::abort();
  } else {
    faceauth::describe_char(*faceauth::first_unsafe_char(s));
  }
  faceauth::terminal_safe(s);
  try {
    faceauth::parse_source_spec(s);
  } catch (const std::exception&) {
  }
  (void)faceauth::detail::parse_whole(s);
  (void)faceauth::detail::parse_decimal(s);
  (void)faceauth::detail::parse_bool(s);
  return 0;
}
