// Drives an sd-bus connection from a Boost.Asio io_context: waits on the
// bus fd for the events sd_bus_get_events asks for and on a timer for
// sd_bus_get_timeout, then calls sd_bus_process until it returns 0.
// Only the io_context's thread may touch the bus.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <systemd/sd-bus.h>

namespace faceauth {

class BusLoop {
 public:
  BusLoop(boost::asio::io_context& io, sd_bus* bus);
  ~BusLoop();
  BusLoop(const BusLoop&) = delete;
  BusLoop& operator=(const BusLoop&) = delete;

  // Processes what is pending and arms the waits. Call once after set-up and
  // after sending anything outside a bus callback (deferred replies, signals).
  void kick();

 private:
  static constexpr int kBatch = 32;  // messages handled per turn of the event loop
  void process();
  void arm();

  boost::asio::io_context& io_;
  sd_bus* bus_;
  boost::asio::posix::stream_descriptor fd_;
  boost::asio::steady_timer timer_;
  bool read_pending_ = false, write_pending_ = false, kick_pending_ = false;
};

}  // namespace faceauth
