// Files that decide who logs in (the configuration chooses the camera and the
// threshold; a recorded source's folder or video is what the camera "sees")
// must not be writable by anyone but root, as sshd's StrictModes demands of
// its files: whoever could write them could log in as anyone enrolled.
#pragma once

#include <optional>
#include <string>

namespace faceauth {

// Why `path` (and, for a file, the directory holding it) cannot be trusted:
// not owned by root (or by the process's own user, for the service user's
// own files and for tests), or writable by group or others. nullopt when
// trusted. The text names the path, the owner and mode found, and the fix.
// A path that does not exist gives nullopt (the caller reports that itself).
std::optional<std::string> untrusted_reason(const std::string& path);

}  // namespace faceauth
