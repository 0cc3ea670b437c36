#include "secure_buffer.h"

#include <sodium.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <new>

namespace faceauth::detail {

void* secure_alloc(std::size_t bytes, std::size_t& capacity, bool& locked) {
  if (sodium_init() < 0) throw std::bad_alloc();
  long page = sysconf(_SC_PAGESIZE);
  std::size_t ps = page > 0 ? static_cast<std::size_t>(page) : 4096;
  capacity = (bytes + ps - 1) / ps * ps;
  void* p = nullptr;
  if (posix_memalign(&p, ps, capacity) != 0 || p == nullptr) throw std::bad_alloc();
  std::memset(p, 0, capacity);
  locked = sodium_mlock(p, capacity) == 0;
  return p;
}

void secure_free(void* p, std::size_t capacity, bool locked) noexcept {
  if (locked) {
    sodium_munlock(p, capacity);  // zeroes, then unlocks
  } else {
    sodium_memzero(p, capacity);
  }
  std::free(p);
}

}  // namespace faceauth::detail
