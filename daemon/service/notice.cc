#include "notice.h"

#include <sodium.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace faceauth {

namespace {
std::string builtin_text(int retention_days) {
  return "Face verification on this computer - privacy notice\n\n"
         "Who processes your data: the administrator of this computer.\n"
         "Purpose: to confirm that you are you when you log in, unlock the screen or use sudo on this "
         "computer only. Your face is compared with your own enrollment only (1:1); nobody is identified, "
         "and no age, gender, emotion or other analysis is made.\n"
         "What is stored: numeric face templates derived from camera frames, encrypted on this computer. "
         "No photos or video are stored; frames are kept in memory for milliseconds and wiped. Nothing "
         "leaves this computer.\n"
         "How long: templates expire after " + std::to_string(retention_days) +
         " days and are then securely deleted.\n"
         "Your rights: see what is stored with 'faceauthctl my-data', delete it at any time with "
         "'faceauthctl remove --all', and withdraw this consent with 'faceauthctl consent --withdraw', "
         "which deletes every template at once. Your password always keeps working; declining costs you "
         "nothing.\n"
         "Age: face verification is not offered to children under 14. By accepting you confirm that you are "
         "14 or older.\n";
}
}  // namespace

Notice load_notice(const std::string& path, int retention_days) {
  Notice n;
  if (std::filesystem::exists(path)) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read the privacy notice " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    n.text = ss.str();
    if (n.text.empty()) throw std::runtime_error("the privacy notice " + path + " is empty");
  } else {
    n.text = builtin_text(retention_days);
  }
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(n.text.data()), n.text.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  n.id = "v1-" + std::string(hex, 16);
  return n;
}

}  // namespace faceauth
