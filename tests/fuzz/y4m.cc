// The y4m reader (a recorded camera): the input is the whole file, handed to
// the real reader through a memfd, read frame by frame until it ends or fails.
#include "frame_source.h"
#include "y4m_source.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <exception>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int fd = memfd_create("fuzz.y4m", MFD_CLOEXEC);
  if (fd < 0) return 0;
  size_t done = 0;
  while (done < size) {
    ssize_t n = write(fd, data + done, size - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  try {
    auto src = faceauth::make_y4m_source("/proc/self/fd/" + std::to_string(fd), 0.0, false);
    src->open();
    for (int i = 0; i < 8 && src->next(); ++i) {
    }
    src->close();
  } catch (const std::exception&) {
  }
  close(fd);
  return 0;
}
