#include "bus_loop.h"

#include <boost/asio/post.hpp>
#include <poll.h>
#include <time.h>

#include <cstring>

#include "log.h"

namespace faceauth {

BusLoop::BusLoop(boost::asio::io_context& io, sd_bus* bus)
    : io_(io),
      bus_(bus),
      fd_(io, sd_bus_get_fd(bus)),
      timer_(io) {}

BusLoop::~BusLoop() {
  boost::system::error_code ec;
  fd_.cancel(ec);
  fd_.release();  // the fd belongs to sd-bus
}

void BusLoop::kick() {
  if (kick_pending_) return;
  kick_pending_ = true;
  boost::asio::post(io_, [this] {
    kick_pending_ = false;
    process();
  });
}

void BusLoop::process() {
  // At most a batch of messages per turn: under a flood of calls the other
  // handlers on the loop (camera results, timers, a login's reply) must still
  // run, so the rest waits behind them (kick() posts the next turn).
  for (int i = 0; i < kBatch; ++i) {
    int r = sd_bus_process(bus_, nullptr);
    if (r < 0) {
      log::crit(std::string("lost the D-Bus connection: ") + std::strerror(-r));
      io_.stop();
      return;
    }
    if (r == 0) {
      arm();
      return;
    }
  }
  kick();
}

void BusLoop::arm() {
  int events = sd_bus_get_events(bus_);
  if (events < 0) {
    log::crit(std::string("D-Bus connection closed: ") + std::strerror(-events));
    io_.stop();
    return;
  }
  using boost::asio::posix::descriptor_base;
  if ((events & POLLIN) && !read_pending_) {
    read_pending_ = true;
    fd_.async_wait(descriptor_base::wait_read, [this](const boost::system::error_code& ec) {
      read_pending_ = false;
      if (!ec) process();
    });
  }
  if ((events & POLLOUT) && !write_pending_) {
    write_pending_ = true;
    fd_.async_wait(descriptor_base::wait_write, [this](const boost::system::error_code& ec) {
      write_pending_ = false;
      if (!ec) process();
    });
  }
  uint64_t until = UINT64_MAX;
  if (sd_bus_get_timeout(bus_, &until) >= 0 && until != UINT64_MAX) {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t now = static_cast<uint64_t>(ts.tv_sec) * 1000000u + static_cast<uint64_t>(ts.tv_nsec) / 1000u;
    timer_.expires_after(std::chrono::microseconds(until > now ? until - now : 0));
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) process();
    });
  }
}

}  // namespace faceauth
