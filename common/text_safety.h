// Text that ends up on an administrator's terminal (labels, methods, audit
// details): control characters (C0, DEL, C1 such as U+009B CSI) and Unicode
// bidirectional and invisible format controls (U+202E and friends) can rewrite
// what the terminal shows. The daemon refuses them on input; faceauthctl
// replaces them on output.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace faceauth {

// The first code point of `utf8` that must not reach a terminal, or nullopt.
// Invalid UTF-8 counts as U+FFFD.
std::optional<char32_t> first_unsafe_char(std::string_view utf8);

// "U+202E (a bidirectional override)", for error messages.
std::string describe_char(char32_t c);

// `utf8` with every such character replaced by U+FFFD.
std::string terminal_safe(std::string_view utf8);

}  // namespace faceauth
