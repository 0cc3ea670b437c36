// A per-uid limit on self-service calls that write to the store (reset one's
// lockout, withdraw consent, remove templates): each writes synced audit
// rows, so an unprivileged caller in a loop must not be able to grow the log
// or keep the loop thread busy. Root is never limited. Calls that change
// nothing write nothing and are not counted (the store returns early).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <deque>
#include <map>

namespace faceauth {

class RateLimit {
 public:
  using Clock = std::chrono::steady_clock;
  RateLimit(size_t max_calls, Clock::duration window) : max_(max_calls), window_(window) {}

  // True when `uid` may make one more writing call now; records it.
  // Otherwise `retry_after` says when the oldest counted call leaves the window.
  bool allow(uid_t uid, Clock::time_point now, Clock::duration& retry_after) {
    if (uid == 0) return true;
    auto& q = calls_[uid];
    while (!q.empty() && now - q.front() >= window_) q.pop_front();
    if (q.size() >= max_) {
      retry_after = window_ - (now - q.front());
      return false;
    }
    q.push_back(now);
    if (calls_.size() > 4096) prune(now);
    return true;
  }

  // Gives back the call last recorded for `uid` (it turned out to change nothing).
  void refund(uid_t uid) {
    auto it = calls_.find(uid);
    if (it != calls_.end() && !it->second.empty()) it->second.pop_back();
  }

  size_t max_calls() const { return max_; }
  Clock::duration window() const { return window_; }

 private:
  void prune(Clock::time_point now) {
    for (auto it = calls_.begin(); it != calls_.end();) {
      while (!it->second.empty() && now - it->second.front() >= window_) it->second.pop_front();
      it = it->second.empty() ? calls_.erase(it) : std::next(it);
    }
  }

  size_t max_;
  Clock::duration window_;
  std::map<uid_t, std::deque<Clock::time_point>> calls_;
};

}  // namespace faceauth
