// File-system set-up for the store: the state directory (0700) and the
// database file (0600), created if missing and tightened if too open.
#pragma once

#include <string>

namespace faceauth {

// Creates `dir` (and missing parents) with mode 0700 for the last component.
// An existing directory must be a real directory (not a symlink) owned by the
// effective uid; group/other permission bits are removed. Throws StoreError
// Permissions or Io.
void ensure_private_dir(const std::string& dir);

// Creates `path` empty with mode 0600 if missing. An existing file must be a
// regular file owned by the effective uid; group/other bits are removed.
// With create=false a missing file is skipped (used for -wal/-shm).
void ensure_private_file(const std::string& path, bool create);

}  // namespace faceauth
