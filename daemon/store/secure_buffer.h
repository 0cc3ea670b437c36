// Locked, wiped memory for the store key and decrypted templates.
//
// SecureArray<T> owns a fixed number of trivially copyable T in memory of its
// own pages (page-aligned, rounded up to whole pages), so locking or unlocking
// one buffer never touches another buffer's page (mlock is not reference
// counted). The pages are locked with sodium_mlock (which also excludes them
// from core dumps) and are wiped with sodium_munlock (which zeroes before
// unlocking) when the buffer is destroyed. Move-only: copies of secrets are
// never made implicitly.
#pragma once

#include <cstddef>
#include <span>
#include <type_traits>
#include <utility>

namespace faceauth {

namespace detail {
// Page-aligned allocation of at least `bytes` bytes; zero-filled. `locked`
// reports whether sodium_mlock succeeded (it can fail under RLIMIT_MEMLOCK).
void* secure_alloc(std::size_t bytes, std::size_t& capacity, bool& locked);
// Wipes all `capacity` bytes, unlocks, frees.
void secure_free(void* p, std::size_t capacity, bool locked) noexcept;
}  // namespace detail

template <typename T>
class SecureArray {
  static_assert(std::is_trivially_copyable_v<T>, "SecureArray holds plain data only");

 public:
  SecureArray() = default;
  explicit SecureArray(std::size_t n) : size_(n) {
    if (n > 0) data_ = static_cast<T*>(detail::secure_alloc(n * sizeof(T), capacity_, locked_));
  }
  ~SecureArray() { reset(); }

  SecureArray(const SecureArray&) = delete;
  SecureArray& operator=(const SecureArray&) = delete;
  SecureArray(SecureArray&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)),
        size_(std::exchange(o.size_, 0)),
        capacity_(std::exchange(o.capacity_, 0)),
        locked_(std::exchange(o.locked_, false)) {}
  SecureArray& operator=(SecureArray&& o) noexcept {
    if (this != &o) {
      reset();
      data_ = std::exchange(o.data_, nullptr);
      size_ = std::exchange(o.size_, 0);
      capacity_ = std::exchange(o.capacity_, 0);
      locked_ = std::exchange(o.locked_, false);
    }
    return *this;
  }

  // Wipes and releases the memory now.
  void reset() noexcept {
    if (data_) detail::secure_free(data_, capacity_, locked_);
    data_ = nullptr;
    size_ = capacity_ = 0;
    locked_ = false;
  }

  T* data() noexcept { return data_; }
  const T* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  std::size_t size_bytes() const noexcept { return size_ * sizeof(T); }
  // True when the pages are locked in RAM (sodium_mlock succeeded).
  bool locked() const noexcept { return locked_; }

  T& operator[](std::size_t i) noexcept { return data_[i]; }
  const T& operator[](std::size_t i) const noexcept { return data_[i]; }
  T* begin() noexcept { return data_; }
  T* end() noexcept { return data_ + size_; }
  const T* begin() const noexcept { return data_; }
  const T* end() const noexcept { return data_ + size_; }

  std::span<T> span() noexcept { return {data_, size_}; }
  std::span<const T> span() const noexcept { return {data_, size_}; }
  unsigned char* bytes() noexcept { return reinterpret_cast<unsigned char*>(data_); }
  const unsigned char* bytes() const noexcept { return reinterpret_cast<const unsigned char*>(data_); }

 private:
  T* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
  bool locked_ = false;
};

using SecureBytes = SecureArray<unsigned char>;
// A decrypted face embedding (128 floats today; the store does not interpret it).
using SecureEmbedding = SecureArray<float>;

}  // namespace faceauth
