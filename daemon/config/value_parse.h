// Strict parsing of setting values (whole numbers, decimals, booleans) shared
// by the configuration keys and the camera spec options. Each returns nullopt
// when the text is not exactly a value of that kind (no trailing junk).
#pragma once

#include <optional>
#include <string>

namespace faceauth::detail {

std::optional<long long> parse_whole(const std::string& text);
std::optional<double> parse_decimal(const std::string& text);
std::optional<bool> parse_bool(const std::string& text);  // 1/0, true/false, yes/no, on/off

}  // namespace faceauth::detail
