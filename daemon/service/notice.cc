#include "notice.h"

#include <sodium.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace faceauth {

namespace {
std::string english(int retention_days) {
  return "Face verification on this computer - privacy notice\n\n"
         "Who processes your data: the administrator of this computer.\n"
         "Purpose: to confirm that you are you when you log in, unlock the screen or use sudo on this "
         "computer only. Your face is compared with your own enrollment only (1:1); nobody is identified, "
         "and no age, gender, emotion or other analysis is made.\n"
         "What is stored: numeric face templates derived from camera frames, encrypted on this computer. "
         "No photos or video are stored; frames are kept in memory for milliseconds and wiped. Nothing "
         "leaves this computer.\n"
         "Why this matters to you: face templates are sensitive personal information. They are needed only "
         "to offer face login as a convenience; unlike a password a face cannot be changed, which is why the "
         "templates are encrypted and never leave this computer.\n"
         "How long: templates expire after " +
         std::to_string(retention_days) +
         " days and are then securely deleted.\n"
         "Your rights: see what is stored with 'faceauthctl my-data', delete it at any time with "
         "'faceauthctl remove --all', and withdraw this consent with 'faceauthctl consent --withdraw', "
         "which deletes every template at once. Your password always keeps working; declining costs you "
         "nothing.\n"
         "Age: face verification is not offered to children under 14. By accepting you confirm that you are "
         "14 or older.\n";
}

std::string simplified_chinese(int retention_days) {
  return "本机人脸验证 —— 个人信息处理告知\n\n"
         "个人信息处理者：本计算机的管理员。\n"
         "处理目的：仅用于您在本计算机上登录、解锁屏幕或使用 sudo 时确认是您本人。您的面部只与您本人的"
         "注册信息比对（1:1 验证），不识别任何人，也不做年龄、性别、情绪或其他任何分析。\n"
         "存储内容：由摄像头画面计算出的数字化人脸模板，在本计算机上加密保存。不保存任何照片或视频；"
         "画面只在内存中停留数毫秒，随即清除。任何数据都不会离开本计算机。\n"
         "对您的影响：人脸模板属于敏感个人信息。处理它仅为向您提供便捷的人脸登录；人脸不能像密码那样更换，"
         "因此模板经过加密，且绝不离开本计算机。\n"
         "保存期限：模板在 " +
         std::to_string(retention_days) +
         " 天后过期，随即被安全删除。\n"
         "您的权利：用“faceauthctl my-data”查看所保存的内容，随时用“faceauthctl remove --all”删除，"
         "用“faceauthctl consent --withdraw”撤回本同意（所有模板会被一并删除）。您的密码始终可用；"
         "拒绝不会给您带来任何不利影响。\n"
         "年龄：不向未满 14 周岁的儿童提供人脸验证。接受即表示您确认已年满 14 周岁。\n";
}

void identify(Notice& n) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(n.text.data()), n.text.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  n.id = "v1-" + std::string(hex, 16);
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read the privacy notice " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  if (ss.str().empty()) throw std::runtime_error("the privacy notice " + path.string() + " is empty");
  return ss.str();
}

// "zh_CN.UTF-8@x" -> "zh_CN"
std::string strip_locale(const std::string& locale) { return locale.substr(0, locale.find_first_of(".@")); }
std::string base_language(const std::string& lang) { return lang.substr(0, lang.find('_')); }
}  // namespace

std::string builtin_notice_text(const std::string& language, int retention_days) {
  if (language == "zh_CN") return simplified_chinese(retention_days);
  if (language == "en") return english(retention_days);
  throw std::invalid_argument("no built-in privacy notice for language " + language);
}

const Notice& Notice::for_language(const std::string& locale) const {
  const std::string lang = strip_locale(locale);
  if (lang.empty() || lang == "C" || lang == "POSIX" || lang == language) return *this;
  for (const auto& t : translations)
    if (t.language == lang) return t;
  const std::string base = base_language(lang);
  if (base == language) return *this;
  for (const auto& t : translations)
    if (t.language == base) return t;
  if (lang == base)  // "zh" alone: the first shipped "zh_*"
    for (const auto& t : translations)
      if (base_language(t.language) == base) return t;
  return *this;
}

const Notice* Notice::find(const std::string& wanted) const {
  if (wanted == id) return this;
  for (const auto& t : translations)
    if (t.id == wanted) return &t;
  return nullptr;
}

Notice load_notice(const std::string& path, int retention_days) {
  namespace fs = std::filesystem;
  Notice n;
  const bool have_file = fs::exists(path);
  if (have_file) {
    n.text = read_text(path);
  } else {
    n.text = english(retention_days);
    n.language = "en";
  }
  identify(n);

  // Translations: <stem>.<lang>.txt beside the default, read once at start-up
  // (the language a caller asks for never becomes part of a path).
  const fs::path p(path);
  std::string stem = p.filename().string();
  if (stem.size() > 4 && stem.compare(stem.size() - 4, 4, ".txt") == 0) stem.resize(stem.size() - 4);
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  static const std::regex lang_re("[a-z]{2,3}(_[A-Z]{2})?");
  std::error_code ec;
  std::vector<fs::path> files;
  if (fs::is_directory(dir, ec))
    for (const auto& entry : fs::directory_iterator(dir, ec)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    const std::string name = f.filename().string();
    if (name.size() <= stem.size() + 5 || name.compare(0, stem.size() + 1, stem + ".") != 0 ||
        name.compare(name.size() - 4, 4, ".txt") != 0)
      continue;
    const std::string lang = name.substr(stem.size() + 1, name.size() - stem.size() - 5);
    if (!std::regex_match(lang, lang_re) || lang == n.language) continue;
    Notice t;
    t.language = lang;
    t.text = read_text(f);
    identify(t);
    n.translations.push_back(std::move(t));
  }
  if (!have_file && std::none_of(n.translations.begin(), n.translations.end(),
                                 [](const Notice& t) { return t.language == "zh_CN"; })) {
    Notice t;
    t.language = "zh_CN";
    t.text = simplified_chinese(retention_days);
    identify(t);
    n.translations.push_back(std::move(t));
  }
  return n;
}

}  // namespace faceauth
