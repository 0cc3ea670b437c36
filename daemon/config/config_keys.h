// The table of configuration keys: each key's name and how its text value is
// checked and stored into Config. A bad value throws ValueError whose text
// says what the value was and what would be valid; the loader adds the
// file, line and key.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "config.h"

namespace faceauth::detail {

class ValueError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct KeySpec {
  std::string name;
  std::function<void(Config&, const std::string& value)> apply;
};

const std::vector<KeySpec>& config_keys();

// nullptr when `name` is not a key.
const KeySpec* find_key(const std::string& name);

// The known key nearest to a misspelt `name`, or "" when none is close.
std::string closest_key(const std::string& name);

}  // namespace faceauth::detail
